// A refused form points at its first problem: scrolled into view, focused, and named in words
// ("Fix Epochs: must be at least 1"), however far down the page it is.

/** Scrolls to and focuses the first input marked invalid inside `root`; answers the line to show, or '' when none is marked. */
export function focusFirstInvalid(root: HTMLElement | null): string {
  const marked = root ? [...root.querySelectorAll<HTMLElement>('[aria-invalid="true"]')] : [];
  const el = marked[0];
  if (!el) return '';
  el.scrollIntoView({ block: 'center' });
  el.focus({ preventScroll: true });
  const label = el.closest('label')?.querySelector('span')?.textContent?.trim() || el.getAttribute('aria-label') || 'the highlighted field';
  const described = el.getAttribute('aria-describedby');
  const problem = described ? document.getElementById(described)?.textContent?.trim() : '';
  const more = marked.length - 1;
  return `Fix ${label}${problem ? `: ${problem}` : ''}${more ? ` (and ${more} more highlighted field${more > 1 ? 's' : ''})` : ''}.`;
}
