// A table of thousands of rows (a per-class table at 1,000 or 8,142 classes): rows filtered by a
// search, sorted by a column, and only the rows in view rendered (a fixed row height makes the
// window a pure function of the scroll position). Pure, pinned in a unit test.

export interface LargeColumn<R> {
  key: string;
  label: string;
  numeric: boolean;
  value(r: R): number | string | null;
  /** how a cell shows its value */
  show(r: R): string;
}

/** Rows whose search text contains every word of the query (case-insensitive); all rows for an empty query. */
export function filterRows<R>(rows: readonly R[], query: string, text: (r: R) => string): R[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (!words.length) return [...rows];
  return rows.filter((r) => {
    const t = text(r).toLowerCase();
    return words.every((w) => t.includes(w));
  });
}

/** A sorted copy: by the column's value, missing values (null) last whichever the direction, ties by `tie`. */
export function sortRows<R>(rows: readonly R[], col: LargeColumn<R>, dir: 'asc' | 'desc', tie: (r: R) => number): R[] {
  const sign = dir === 'asc' ? 1 : -1;
  return [...rows].sort((a, b) => {
    const x = col.value(a);
    const y = col.value(b);
    if (x === null || y === null) return x === y ? tie(a) - tie(b) : x === null ? 1 : -1;
    const d = typeof x === 'string' || typeof y === 'string' ? String(x).localeCompare(String(y)) : x - y;
    return d !== 0 ? sign * d : tie(a) - tie(b);
  });
}

export interface RowWindow {
  /** first row rendered */
  start: number;
  /** one past the last row rendered */
  end: number;
  /** heights of the empty space above and below the rendered rows, in pixels */
  top: number;
  bottom: number;
}

/** The rows to render for a scroll position: those in the viewport, with `overscan` more on each side. */
export function rowWindow(scrollTop: number, rowHeight: number, viewport: number, total: number, overscan = 8): RowWindow {
  const first = Math.floor(Math.max(0, scrollTop) / rowHeight);
  const start = Math.max(0, Math.min(total, first - overscan));
  const end = Math.min(total, first + Math.ceil(viewport / rowHeight) + overscan);
  return { start, end: Math.max(start, end), top: start * rowHeight, bottom: Math.max(0, total - Math.max(start, end)) * rowHeight };
}
