// How the study view writes its statistics: accuracies in points, mean ± std over seeds, and a
// paired difference as "dive - bsce: +0.4 [-0.8, +1.6], n = 3" (95% paired t interval).
import type { PairedDifference, Spread } from '../../src-main/core/domain/study-types';

const pts = (x: number, digits: number) => (100 * x).toFixed(digits);
const signed = (x: number, digits: number) => `${x >= 0 ? '+' : '-'}${Math.abs(100 * x).toFixed(digits)}`;

/** "71.2 ± 0.4" (points); "71.2" for one seed; "—" without values. */
export function meanStd(s: Spread, digits = 1): string {
  if (s.mean == null) return '—';
  return s.std == null ? pts(s.mean, digits) : `${pts(s.mean, digits)} ± ${pts(s.std, digits)}`;
}

/** The parts of a paired difference: "+0.4", "[-0.8, +1.6]" ('' below two pairs), "n = 3". */
export function pairedParts(d: PairedDifference, digits = 1): { mean: string; interval: string; n: string } {
  return {
    mean: d.mean == null ? '—' : signed(d.mean, digits),
    interval: d.mean != null && d.lo != null && d.hi != null ? `[${signed(d.lo, digits)}, ${signed(d.hi, digits)}]` : '',
    n: `n = ${d.n}`,
  };
}

/** "+0.4 [-0.8, +1.6], n = 3"; the interval is left out below two pairs. */
export function pairedText(d: PairedDifference, digits = 1): string {
  const p = pairedParts(d, digits);
  return `${p.mean}${p.interval ? ` ${p.interval}` : ''}, ${p.n}`;
}

/** Whether the interval excludes zero (a difference the seeds support). */
export function intervalExcludesZero(d: PairedDifference): boolean {
  return d.lo != null && d.hi != null && (d.lo > 0 || d.hi < 0);
}
