// Tags as typed into one field ("baseline, lr sweep"): split on commas, trimmed, duplicates
// dropped; a message in the form's words for a tag the core would refuse.

/** The tags, or a message saying what is wrong with them. */
export function parseTags(text: string): string[] | string {
  const tags = [...new Set(text.split(',').map((t) => t.trim()).filter(Boolean))];
  if (tags.length > 20) return 'Tags: at most 20';
  const long = tags.find((t) => t.length > 40);
  if (long) return `Tags: "${long.slice(0, 20)}…" is longer than 40 characters`;
  return tags;
}

/** Whether a run or study matches a search word by its tags or note. */
export function notesMatch(a: { tags: string[]; note: string } | undefined, word: string): boolean {
  if (!a) return false;
  return a.tags.some((t) => t.toLowerCase().includes(word)) || a.note.toLowerCase().includes(word);
}
