// Command-line values of the training bench (train-bench.ts and its child process).
import os from 'node:os';
import { UserError } from '../../src-main/core/domain/errors';
import type { ImageShape } from '../../src-main/core/domain/run-config';

export const BENCH_MODELS = ['cnn', 'resnet8', 'resnet20', 'resnet32'] as const;
export type BenchModel = (typeof BENCH_MODELS)[number];

export function parseShape(s: string): ImageShape {
  const m = /^(\d+)x(\d+)x(\d+)$/i.exec(s.trim());
  if (!m || [m[1], m[2], m[3]].some((d) => Number(d) < 1)) throw new UserError(`--shape: expected HxWxC such as 32x32x3, got '${s}'`);
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

export function positiveInt(name: string, v: string | undefined, min = 1): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new UserError(`--${name}: must be a whole number >= ${min}, got '${v}'`);
  return n;
}

/** --threads: a comma list of counts or 'all' (the logical cores), deduplicated, in order. */
export function parseThreads(v: string): number[] {
  const all = os.availableParallelism();
  const list = v.split(',').map((t) => (t.trim() === 'all' ? all : positiveInt('threads', t.trim())!));
  return [...new Set(list)];
}
