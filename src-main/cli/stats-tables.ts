// The statistics tables `dive study show`, `dive recipe paper` and `dive compare --stats` print.
import type { PairedDifference, Spread, StudyStatistics } from '../core/domain/study-types';
import { fmt, table } from './output';

const ms = (s: Spread, scale = 100, digits = 2) =>
  s.mean == null ? '-' : `${(scale * s.mean).toFixed(digits)}${s.std == null ? '' : ` ± ${(scale * s.std).toFixed(digits)}`}`;
const signed = (x: number | null) => (x == null ? '-' : `${x >= 0 ? '+' : ''}${(100 * x).toFixed(2)}`);
const diffCell = (d: PairedDifference) => (d.mean == null ? '-' : `${signed(d.mean)}${d.lo == null ? '' : ` [${signed(d.lo)}, ${signed(d.hi)}]`}`);

/** The summary, the paired comparisons and the per-class deltas as text tables (accuracies in points). */
export function statisticsTables(s: StudyStatistics, classNames?: string[]): string {
  const out = [
    table(
      s.summary.map((r) => [r.group, `${r.completed}/${r.runs}`, ms(r.metrics.top1), ms(r.metrics.many), ms(r.metrics.medium), ms(r.metrics.few), ms(r.metrics.ece, 1, 3)]),
      ['group', 'n', 'top-1', 'many', 'medium', 'few', 'ECE'],
    ),
  ];
  if (s.comparisons.length) {
    out.push(
      '',
      `paired by seed: mean difference [95% paired t interval], two-sided p of top-1, and p Holm-adjusted across the ${s.comparisons.length} comparison${s.comparisons.length === 1 ? '' : 's'}`,
      table(
        s.comparisons.map((c) => [`${c.group} - ${c.baseline}`, c.seeds.length, diffCell(c.diff.top1), c.diff.top1.p == null ? '-' : fmt(c.diff.top1.p, 3), c.diff.top1.pHolm == null ? '-' : fmt(c.diff.top1.pHolm, 3), diffCell(c.diff.many), diffCell(c.diff.medium), diffCell(c.diff.few)]),
        ['comparison', 'pairs', 'top-1', 'p', 'p (Holm)', 'many', 'medium', 'few'],
      ),
    );
  }
  const deltas = s.perClass.filter((d) => d.classes.some((c) => c.delta != null));
  if (deltas.length) {
    const first = deltas[0].classes;
    out.push(
      '',
      'per-class accuracy deltas (points), classes by training count',
      table(
        first.map((c, i) => [classNames?.[c.class] ?? c.class, c.count, ...deltas.map((d) => signed(d.classes[i].delta))]),
        ['class', 'n train', ...deltas.map((d) => `${d.group} - ${d.against}`)],
      ),
    );
  }
  if (s.warnings.length) out.push('', ...s.warnings.map((w) => `warning: ${w}`));
  return out.join('\n');
}
