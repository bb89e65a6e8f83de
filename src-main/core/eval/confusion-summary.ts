// What the screens show of a confusion matrix, from its non-zero cells: the full matrix up to
// CLASS_MATRIX_MAX classes; above, per-class precision and the largest confusions as a list (the
// run page of a 1,000- or 8,142-class run). Pure functions of the cells, pinned in unit tests.
import type { ConfusionCell, TopConfusion } from '../domain/many-classes';

/** Rows of counts (true class) by column (predicted). */
export function denseRows(cells: readonly ConfusionCell[], numClasses: number): number[][] {
  const rows = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  for (const [t, p, n] of cells) rows[t][p] += n;
  return rows;
}

/** The non-zero cells of rows of counts, row-major. */
export function cellsOfRows(rows: readonly (readonly number[])[]): ConfusionCell[] {
  const out: ConfusionCell[] = [];
  rows.forEach((row, t) => row.forEach((n, p) => n > 0 && out.push([t, p, n])));
  return out;
}

/** Of the test images predicted as each class, the share that are; null where none is predicted as it. */
export function precisionOf(cells: readonly ConfusionCell[], numClasses: number): (number | null)[] {
  const predicted = new Float64Array(numClasses);
  const hit = new Float64Array(numClasses);
  for (const [t, p, n] of cells) {
    predicted[p] += n;
    if (t === p) hit[p] += n;
  }
  return Array.from(predicted, (m, c) => (m > 0 ? hit[c] / m : null));
}

/**
 * The `limit` largest off-diagonal cells: by count, then by the share of the true class's test
 * images (a confusion of 3 of 3 images before 3 of 50), then by class indices so the list is stable.
 */
export function topConfusions(cells: readonly ConfusionCell[], numClasses: number, limit: number): TopConfusion[] {
  const rowTotal = new Float64Array(numClasses);
  for (const [t, , n] of cells) rowTotal[t] += n;
  return cells
    .filter(([t, p]) => t !== p)
    .map(([actual, predicted, count]) => ({ actual, predicted, count, share: count / rowTotal[actual] }))
    .sort((a, b) => b.count - a.count || b.share - a.share || a.actual - b.actual || a.predicted - b.predicted)
    .slice(0, limit);
}
