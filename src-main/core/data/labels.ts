import { UserError } from '../domain/errors';

/** Throws on the first label outside 0..numClasses-1, naming `source` and the record (0-based). */
export function checkLabelRange(labels: ArrayLike<number>, numClasses: number, source: string, why = ''): void {
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i];
    if (!(l >= 0 && l < numClasses)) {
      throw new UserError(`${source}: record ${i}: label ${l} is outside 0..${numClasses - 1}${why}`);
    }
  }
}

export function maxLabel(...parts: ArrayLike<number>[]): number {
  let m = -1;
  for (const p of parts) for (let i = 0; i < p.length; i++) if (p[i] > m) m = p[i];
  return m;
}
