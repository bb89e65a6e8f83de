import type { ProgressFn } from '../domain/types';

/**
 * A progress callback for one phase that fires about every 1% of `total` (and always at the end),
 * so a 60k-image import sends ~100 events instead of 60k.
 */
export function phaseReporter(progress: ProgressFn | undefined, phase: string, total: number): (done: number) => void {
  if (!progress) return () => {};
  const step = Math.max(1, Math.ceil(total / 100));
  let last = -1;
  return (done: number) => {
    if (done === last) return;
    if (done === total || last < 0 || done - last >= step) {
      last = done;
      progress({ phase, done, total });
    }
  };
}
