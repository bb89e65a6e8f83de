// The run page's confusion-matrix cell: its test images (cellImages) as the thumbnail grid draws
// them, and the line that says how many of the cell's images are shown.
import type { CellImages, DatasetSamples } from '../../src-main/core/domain/contract';

/** One thumbnail group named for the cell ("cat → dog", or "cat" on the diagonal). */
export function cellThumbs(cell: CellImages, names: string[]): DatasetSamples {
  const name = cell.actual === cell.predicted ? names[cell.actual] : `${names[cell.actual]} → ${names[cell.predicted]}`;
  return { imageShape: cell.imageShape, numClasses: names.length, classes: [{ index: cell.actual, name, images: cell.images }] };
}

/** "all 7 shown", "48 of 57 shown (the first by test index)", or "none" for an empty cell. */
export function cellShown(cell: CellImages): string {
  const n = cell.images.length;
  if (cell.total === 0) return 'no test image falls in this cell';
  if (n === cell.total) return `all ${n} shown`;
  return `${n} of ${cell.total} shown (the first by test-set index)`;
}
