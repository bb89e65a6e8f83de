// Series colours for runs (Tableau 10, readable on light and dark) and chart chrome per theme.

export const SERIES = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];

export function seriesColour(i: number): string {
  return SERIES[i % SERIES.length];
}

export function chrome(dark: boolean): { text: string; grid: string; muted: string } {
  return dark ? { text: '#d6d9e0', grid: 'rgba(255,255,255,0.08)', muted: '#8b90a0' } : { text: '#2b2f38', grid: 'rgba(0,0,0,0.07)', muted: '#6b7080' };
}

/** `#rrggbb` with alpha, for fills. */
export function alpha(hex: string, a: number): string {
  const n = parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${a})`;
}
