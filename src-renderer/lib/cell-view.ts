// The confusion-matrix cell view (run page and Compare): its test images (cellImages) page by
// page, the heading that says what the cell is, and the line that says how many are shown.
import type { CellImages } from '../../src-main/core/domain/contract';

/** Images fetched per page: a first batch that fills a few rows of the grid, then "show more". */
export const CELL_PAGE = 48;

/** "all 7 shown", "48 of 57 shown (the first by test index)", or "none" for an empty cell. */
export function cellShown(cell: CellImages): string {
  const n = cell.images.length;
  if (cell.total === 0) return 'no test image falls in this cell';
  if (n === cell.total) return `all ${n} shown`;
  return `${n} of ${cell.total} shown (the first by test-set index)`;
}

const className = (names: readonly string[], k: number) => names[k] ?? `class ${k}`;

/** "37 images: true T-shirt, predicted Shirt"; on the diagonal "… predicted Shirt (correct)". */
export function cellHeading(total: number, names: readonly string[], actual: number, predicted: number): string {
  const what = `${total.toLocaleString('en-US')} image${total === 1 ? '' : 's'}: true ${className(names, actual)}, predicted ${className(names, predicted)}`;
  return actual === predicted ? `${what} (correct)` : what;
}

/** The next page appended to what is shown (a page of another cell replaces it). */
export function appendPage(shown: CellImages | null, page: CellImages): CellImages {
  if (!shown || shown.run !== page.run || shown.actual !== page.actual || shown.predicted !== page.predicted) return page;
  return { ...page, indices: [...shown.indices, ...page.indices], images: [...shown.images, ...page.images] };
}

/** How many the next "show more" fetches, 0 once everything is shown. */
export function nextPageSize(cell: CellImages): number {
  return Math.max(0, Math.min(CELL_PAGE, cell.total - cell.images.length));
}
