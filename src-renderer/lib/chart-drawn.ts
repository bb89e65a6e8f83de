// The range a chart's line was drawn through (Chart.svelte's data-drawn), from the y values of its
// vertices and control points in data units: what a test reads to check a curve shows no value
// that was not logged.

export interface DrawnRange {
  min: number | null;
  max: number | null;
  /** vertices and control points counted */
  points: number;
}

export function drawnRange(values: readonly number[]): DrawnRange {
  const ok = values.filter((v) => Number.isFinite(v));
  if (!ok.length) return { min: null, max: null, points: 0 };
  return { min: Math.min(...ok), max: Math.max(...ok), points: ok.length };
}
