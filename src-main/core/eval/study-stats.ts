// Summaries and paired comparisons of runs grouped by method (and grid values) over seeds: what
// `dive study show` and `dive compare --stats` print. Pure: runs in, numbers out.
import { COMPARED_METRICS, SUMMARY_METRICS, type ClassDelta, type ComparedMetric, type PairedDifference, type Spread, type SummaryMetric, type PerClassDeltas, type StudyStatistics, type SummaryRow, type Comparison } from '../domain/study-types';
import { holm } from './holm';
import { pairedT, spread } from './seed-stats';
import { studyWarnings } from './study-warnings';

export type { StudyStatistics };


/** Methods a study compares every other method against, when present. */
export const BASELINE_METHODS: readonly string[] = ['ce', 'focal', 'cb', 'ldam-drw', 'bsce', 'la-loss', 'crt', 'lws', 'tau-norm', 'logit-adjust'];

export interface RunResult {
  name: string;
  role: 'teacher' | 'student';
  method: string;
  /** the grid values that define its group, e.g. { tau: 3 } */
  params: Record<string, number>;
  seed: number;
  /** the run name of its teacher, if any */
  teacher: string | null;
  /** what the run itself was warned about (chance level, a teacher off the recipe) */
  warnings?: readonly string[];
  /** null while it has not completed */
  metrics: { top1: number; many: number | null; medium: number | null; few: number | null; ece: number; perClass: (number | null)[] } | null;
}

/** "dive tau=6", "bsce", "teacher bsce" */
export function groupLabel(r: Pick<RunResult, 'role' | 'method' | 'params'>): string {
  const tag = Object.keys(r.params).sort().map((k) => `${k}=${r.params[k]}`).join(' ');
  return `${r.role === 'teacher' ? 'teacher ' : ''}${r.method}${tag ? ` ${tag}` : ''}`;
}






function groups(runs: readonly RunResult[]): Map<string, RunResult[]> {
  const m = new Map<string, RunResult[]>();
  for (const r of runs) {
    const k = groupLabel(r);
    m.set(k, [...(m.get(k) ?? []), r]);
  }
  return m;
}

/** Completed runs of a group by seed (the first one when a seed repeats). */
const bySeed = (rs: readonly RunResult[]) => {
  const m = new Map<number, RunResult>();
  for (const r of rs) if (r.metrics && !m.has(r.seed)) m.set(r.seed, r);
  return m;
};

function classDeltas(pairs: [RunResult, RunResult][], counts: readonly number[]): ClassDelta[] {
  const out = counts.map((count, k) => {
    const d: number[] = [];
    for (const [a, b] of pairs) {
      const x = a.metrics?.perClass[k];
      const y = b.metrics?.perClass[k];
      if (x != null && y != null) d.push(x - y);
    }
    return { class: k, count, delta: d.length ? d.reduce((s, v) => s + v, 0) / d.length : null, n: d.length };
  });
  // stable: ties keep class order
  return out.sort((a, b) => b.count - a.count || a.class - b.class);
}

/**
 * Summary per group; every student group against every baseline group (paired by seed); per-class
 * deltas of each such pair and of each distilled student against its own teacher. `counts` are the
 * split's per-class training counts.
 */
export function studyStatistics(runs: readonly RunResult[], counts: readonly number[]): StudyStatistics {
  const g = groups(runs);
  const summary: SummaryRow[] = [...g.entries()].map(([group, rs]) => {
    const done = rs.filter((r) => r.metrics);
    const metrics = Object.fromEntries(SUMMARY_METRICS.map((m) => [m, spread(done.map((r) => r.metrics![m]))])) as Record<SummaryMetric, Spread>;
    return { group, role: rs[0].role, method: rs[0].method, params: rs[0].params, runs: rs.length, completed: done.length, seeds: [...new Set(rs.map((r) => r.seed))].sort((a, b) => a - b), metrics };
  });
  const students = [...g.entries()].filter(([, rs]) => rs[0].role === 'student');
  const baselines = students.filter(([, rs]) => BASELINE_METHODS.includes(rs[0].method));
  const comparisons: Comparison[] = [];
  const perClass: PerClassDeltas[] = [];
  for (const [group, rs] of students) {
    const mine = bySeed(rs);
    const at = students.findIndex(([k]) => k === group);
    for (const [baseline, bs] of baselines) {
      // two baselines are compared once: the later-listed against the earlier (bsce - ce, not also ce - bsce)
      if (baseline === group || (BASELINE_METHODS.includes(rs[0].method) && students.findIndex(([k]) => k === baseline) > at)) continue;
      const theirs = bySeed(bs);
      const seeds = [...mine.keys()].filter((s) => theirs.has(s)).sort((a, b) => a - b);
      const pairs = seeds.map((s): [RunResult, RunResult] => [mine.get(s)!, theirs.get(s)!]);
      const diff = Object.fromEntries(
        COMPARED_METRICS.map((m) => [m, pairedT(pairs.map(([a]) => a.metrics![m]), pairs.map(([, b]) => b.metrics![m]))]),
      ) as Record<ComparedMetric, PairedDifference>;
      comparisons.push({ group, baseline, seeds, diff });
      perClass.push({ group, against: baseline, classes: classDeltas(pairs, counts) });
    }
    if (rs.some((r) => r.teacher)) {
      const byName = new Map(runs.map((r) => [r.name, r]));
      const pairs = rs.flatMap((r): [RunResult, RunResult][] => {
        const t = r.teacher ? byName.get(r.teacher) : undefined;
        return r.metrics && t?.metrics ? [[r, t]] : [];
      });
      perClass.push({ group, against: 'teacher', classes: classDeltas(pairs, counts) });
    }
  }
  // each metric's p-values are one family: Holm across the comparisons shown together
  for (const m of COMPARED_METRICS) {
    const adjusted = holm(comparisons.map((c) => c.diff[m].p));
    comparisons.forEach((c, i) => (c.diff[m].pHolm = adjusted[i]));
  }
  return { summary, comparisons, perClass, warnings: studyWarnings(summary, comparisons, runs.map((r) => ({ name: r.name, warnings: r.warnings ?? [] }))) };
}
