// What a reader of a study's table must know before believing it: intervals from fewer than three
// seeds (t with 1 degree of freedom is 12.7 standard errors wide), groups with runs not completed,
// and runs that carry warnings of their own. Pure: the statistics and the runs in, lines out.
import type { Comparison, SummaryRow } from '../domain/study-types';
import { tQuantile } from './seed-stats';

export interface WarnedRun {
  name: string;
  warnings: readonly string[];
}

export function studyWarnings(summary: readonly SummaryRow[], comparisons: readonly Comparison[], runs: readonly WarnedRun[] = []): string[] {
  const out: string[] = [];
  const fewPairs = comparisons.filter((c) => c.seeds.length < 3);
  if (fewPairs.length) {
    const least = Math.min(...fewPairs.map((c) => c.seeds.length));
    const width = least >= 2 ? `: a 95% interval from ${least} seeds is ±${tQuantile(0.975, least - 1).toFixed(1)} standard errors wide` : ': one seed gives no interval and no p-value';
    out.push(`n < 3: ${fewPairs.map((c) => `${c.group} - ${c.baseline} pairs ${c.seeds.length} seed${c.seeds.length === 1 ? '' : 's'}`).join(', ')}${width}; run 3 or more seeds (5 is better) before reading a difference`);
  } else {
    const small = summary.filter((g) => g.completed > 0 && g.completed < 3);
    if (small.length) out.push(`n < 3: ${small.map((g) => `${g.group} has ${g.completed} completed seed${g.completed === 1 ? '' : 's'}`).join(', ')}; its mean ± std is not yet a spread`);
  }
  const partial = summary.filter((g) => g.completed < g.runs);
  if (partial.length) out.push(`not complete: ${partial.map((g) => `${g.group} ${g.completed} of ${g.runs} runs`).join(', ')}; the figures use the completed runs only`);
  const warned = runs.filter((r) => r.warnings.length);
  if (warned.length) out.push(`${warned.length} run${warned.length === 1 ? ' carries a warning' : 's carry warnings'}: ${warned.map((r) => `${r.name} (${r.warnings[0]}${r.warnings.length > 1 ? `; +${r.warnings.length - 1}` : ''})`).join('; ')}`);
  return out;
}
