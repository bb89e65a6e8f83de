// Sizes and labels of the confusion table (ConfusionTable.svelte), by class count: ten classes
// get roomy cells and full names; a hundred (CIFAR-100) get compact cells and names cut to a
// few letters, the full name in each header's and cell's tooltip.

export interface ConfusionScale {
  /** cell width and height in px */
  cell: [number, number];
  /** font size of the counts and labels in px */
  font: number;
  /** longest label shown before it is cut with "…" */
  labelChars: number;
}

export function confusionScale(classes: number): ConfusionScale {
  if (classes <= 12) return { cell: [34, 26], font: 11, labelChars: 18 };
  if (classes <= 30) return { cell: [28, 22], font: 10, labelChars: 14 };
  return { cell: [24, 17], font: 9, labelChars: 9 };
}

/** The name cut to `max` characters with a trailing "…" (the tooltip has it whole). */
export function abbreviate(name: string, max: number): string {
  const chars = [...name];
  return chars.length <= max ? name : `${chars.slice(0, Math.max(1, max - 1)).join('').trimEnd()}…`;
}
