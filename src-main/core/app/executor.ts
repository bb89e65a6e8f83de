// Where a queued run's training happens on this machine. The queue (store/queue.ts) decides what
// runs next; an Executor only launches one claimed run and reports how it ended. Its one
// implementation is local worker processes (local-executor); runs on Slurm or on remote workers
// are not launched through it: they claim leases over the worker API (remote-worker.ts,
// slurm-executor.ts's driveSlurmStudy; docs/scale-out.md).
import type { RunInfo, TrainEvent } from '../domain/types';

export interface LaunchedRun {
  runId: number;
  /** resolves to the run as stored once its training has ended (completed, failed, cancelled, interrupted) */
  done: Promise<RunInfo>;
  /** asks the run to stop after its current batch; it ends "cancelled" and can be resumed */
  cancel(): void;
  /** ends it at once; it is left "interrupted" and is resumed from its checkpoint by the next executor start */
  kill(): void;
}

export interface Executor {
  /** 'local' */
  readonly kind: string;
  /** runs it may have in flight at once (the device's concurrency limit) */
  readonly slots: number;
  launch(runId: number, onEvent: (e: TrainEvent) => void): LaunchedRun;
}

/**
 * Default concurrency: DIVE_CONCURRENCY when set, else 1. One run per device is the default on a
 * CPU-only machine (two TF.js runs on the same cores only share them); a GPU box may allow more.
 */
export function defaultSlots(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.DIVE_CONCURRENCY;
  if (raw === undefined || raw === '') return 1;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`DIVE_CONCURRENCY: must be a whole number >= 1, got "${raw}"`);
  return n;
}
