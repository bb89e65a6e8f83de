// Grouped comparison, as W&B's run grouping does it: runs grouped by method, study or any config
// key; per group and epoch the mean of the runs that logged a value there, with a band of either
// the min and max or the mean ± one sample standard deviation (n - 1). Pure, pinned to
// hand-computed numbers in test/unit/renderer-grouping.test.ts.
import type { RunInfo } from '../../src-main/core/domain/types';
import { flatten } from './config-diff';

/** '' (no grouping), 'method', 'study', or 'config.KEY' with a flattened config key ("params.tau") */
export type GroupBy = string;
export type BandKind = 'minmax' | 'std';

export const BAND_LABEL: Record<BandKind, string> = { minmax: 'min–max', std: '± 1 std' };

export interface RunGroup<R> {
  /** the group's value of the key ("dive", "seeds", "0.05"); '(none)' where a run lacks it */
  value: string;
  runs: R[];
}

/** A run's value of the grouping key. */
export function groupValue(run: Pick<RunInfo, 'method' | 'study' | 'config'>, by: GroupBy): string {
  if (by === 'method') return run.method;
  if (by === 'study') return run.study ?? '(no study)';
  if (by.startsWith('config.')) {
    const v = flatten(run.config)[by.slice('config.'.length)];
    return v === undefined || v === '' ? '(none)' : v;
  }
  return '';
}

/** Groups in order of first appearance; each run in exactly one group. No key: one group per run. */
export function groupRuns<R extends Pick<RunInfo, 'name' | 'method' | 'study' | 'config'>>(runs: readonly R[], by: GroupBy): RunGroup<R>[] {
  if (!by) return runs.map((r) => ({ value: r.name, runs: [r] }));
  const groups = new Map<string, R[]>();
  for (const r of runs) {
    const v = groupValue(r, by);
    groups.set(v, [...(groups.get(v) ?? []), r]);
  }
  return [...groups].map(([value, rs]) => ({ value, runs: rs }));
}

export interface Spread {
  n: number;
  mean: number;
  /** sample standard deviation (n - 1); null for one value */
  std: number | null;
  min: number;
  max: number;
}

/** Mean, sample std, min and max of the finite values; null when there are none. */
export function spread(values: readonly (number | null | undefined)[]): Spread | null {
  const xs = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  if (!xs.length) return null;
  const n = xs.length;
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  const std = n > 1 ? Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1)) : null;
  return { n, mean, std, min: Math.min(...xs), max: Math.max(...xs) };
}

/** The band's low and high edge: min and max, or mean ∓ std (a single value: no width). */
export function bandEdges(s: Spread, kind: BandKind): { lo: number; hi: number } {
  if (kind === 'minmax') return { lo: s.min, hi: s.max };
  const d = s.std ?? 0;
  return { lo: s.mean - d, hi: s.mean + d };
}

export interface BandPoint {
  x: number;
  mean: number;
  lo: number;
  hi: number;
  /** runs with a value at this x */
  n: number;
}

/**
 * One group's curve: at every x where at least one run has a point, the mean over the runs that
 * have one there (so a run still training, or evaluated at other epochs, leaves the others'
 * mean as it is) and the band; `n` says how many runs each point averages.
 */
export function groupBand(curves: readonly (readonly { x: number; y: number }[])[], kind: BandKind): BandPoint[] {
  const byX = new Map<number, number[]>();
  for (const c of curves) for (const p of c) byX.set(p.x, [...(byX.get(p.x) ?? []), p.y]);
  return [...byX.keys()]
    .sort((a, b) => a - b)
    .map((x) => {
      const s = spread(byX.get(x)!)!;
      return { x, mean: s.mean, ...bandEdges(s, kind), n: s.n };
    });
}

/** Config keys worth grouping by: those whose value differs between the runs. */
export function groupableKeys(runs: readonly Pick<RunInfo, 'config'>[]): string[] {
  const flat = runs.map((r) => flatten(r.config));
  const keys = [...new Set(flat.flatMap((f) => Object.keys(f)))].sort();
  return keys.filter((k) => flat.some((f) => (f[k] ?? '') !== (flat[0][k] ?? '')));
}

export const SUMMARY_KEYS = ['top1', 'many', 'medium', 'few', 'ece'] as const;
export type SummaryKey = (typeof SUMMARY_KEYS)[number];

/** Per group: its runs' final top-1, many, medium, few and ECE as spreads (null where no run has the value). */
export function groupSummary(groups: readonly RunGroup<{ name: string }>[], rows: readonly ({ run: string } & Record<SummaryKey, number | null>)[]): { value: string; runs: string[]; stats: Record<SummaryKey, Spread | null> }[] {
  const byRun = new Map(rows.map((r) => [r.run, r]));
  return groups.map((g) => {
    const rs = g.runs.map((r) => byRun.get(r.name));
    const stats = Object.fromEntries(SUMMARY_KEYS.map((k) => [k, spread(rs.map((r) => r?.[k]))])) as Record<SummaryKey, Spread | null>;
    return { value: g.value, runs: g.runs.map((r) => r.name), stats };
  });
}
