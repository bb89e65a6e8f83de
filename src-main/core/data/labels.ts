import { UserError } from '../domain/errors';
import { MAX_CLASSES } from '../domain/fields';

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

export { MAX_CLASSES };

/** The class count implied by the largest label (labels 0..C-1), refused above MAX_CLASSES. */
export function classCountOf(max: number, source: string): number {
  if (max + 1 > MAX_CLASSES) {
    throw new UserError(`${source}: label ${max} would make ${max + 1} classes; at most ${MAX_CLASSES} are supported (labels run 0..C-1): check the labels`);
  }
  return max + 1;
}
