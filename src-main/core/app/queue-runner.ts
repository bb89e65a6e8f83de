// Drives the persistent queue in one process: claims startable runs while the machine has a free
// slot, launches them on an Executor, and wakes up when a run ends, when something is queued
// (kick), and on a slow poll (a run that ended in another process frees a slot or completes a
// teacher). One per front door: `dive worker`, `dive serve`, the desktop app, and a narrow one
// inside `dive train` / `dive study run` that launches only their own runs.
import type { RunInfo, TrainEvent } from '../domain/types';
import { claimNext, pendingCount, releaseDeadClaims, requeueInterrupted } from '../store/queue';
import type { Store } from '../store/store';
import { guardRound } from '../store/busy';
import { markEnded } from '../store/runs';
import { describeError } from '../domain/describe-error';
import type { Executor, LaunchedRun } from './executor';

export interface QueueRunnerOptions {
  store: Store;
  executor: Executor;
  /** launch only these runs (default: the whole queue) */
  only?: () => readonly number[] | undefined;
  /** put runs left interrupted by a dead process back in the queue at start (resumed from their checkpoints) */
  resumeInterrupted?: boolean;
  onEvent?: (e: TrainEvent) => void;
  /** a launched run ended (any status) */
  onRunEnded?: (run: RunInfo) => void;
  pollMs?: number;
}

export interface QueueRunner {
  /** look for work now (something was queued, re-prioritised or cancelled) */
  kick(): void;
  /** runs this runner has in flight */
  inFlight(): LaunchedRun[];
  /** resolves once no run that can still start is queued or running (within `only`); false from `stop` */
  idle(): Promise<void>;
  /** stops claiming; `cancel` asks in-flight runs to stop after their batch, then waits (killing after graceMs) */
  stop(how: { cancel: boolean; graceMs?: number }): Promise<void>;
}

export function startQueueRunner(o: QueueRunnerOptions): QueueRunner {
  const { store, executor } = o;
  const flying = new Map<number, LaunchedRun>();
  const idleWaiters: (() => void)[] = [];
  let stopped = false;
  let ticking = false;

  // the slow poll does not keep a front door's process alive on its own
  const timer = setInterval(() => tick(), o.pollMs ?? 1000);
  timer.unref();

  const checkIdle = () => {
    if (flying.size > 0 || idleWaiters.length === 0) return;
    if (pendingCount(store, o.only?.()) > 0) return;
    for (const w of idleWaiters.splice(0)) w();
    timer.unref();
  };

  // a round that finds the database busy (held by another process past the busy timeout) is
  // skipped, and the poll backs off; any other failure is one line, never an uncaught exception
  const round = guardRound('queue');
  let busyRounds = 0;
  let waitUntil = 0;

  const launch = (id: number): LaunchedRun | null => {
    try {
      return executor.launch(id, (e) => o.onEvent?.(e));
    } catch (e) {
      // claimed but not started (e.g. the worker could not be forked): it must not stay claimed
      markEnded(store, id, 'failed', `its worker could not start: ${describeError(e)}`);
      return null;
    }
  };

  const claimAndLaunch = () => {
    releaseDeadClaims(store);
    for (;;) {
      const id = claimNext(store, process.pid, executor.slots, o.only?.());
      if (id === null) break;
      const run = launch(id);
      if (!run) continue;
      flying.set(id, run);
      run.done
        // a rejection: the worker could not start, or its run was deleted before the worker exited
        .then((r) => o.onRunEnded?.(r), () => undefined)
        .catch(() => undefined)
        .finally(() => {
          flying.delete(id);
          tick();
        });
    }
    checkIdle();
  };

  const tick = () => {
    if (stopped || ticking || Date.now() < waitUntil) return;
    ticking = true;
    try {
      // each busy round has already waited the busy timeout: the next tries come 1, 2, 4 ... 30 s later
      if (round(claimAndLaunch) === 'busy') waitUntil = Date.now() + Math.min(30_000, 1000 * 2 ** busyRounds++);
      else busyRounds = 0;
    } finally {
      ticking = false;
    }
  };

  if (o.resumeInterrupted) round(() => requeueInterrupted(store));
  queueMicrotask(tick);

  return {
    kick: () => queueMicrotask(tick),
    inFlight: () => [...flying.values()],
    idle: () =>
      new Promise<void>((resolve) => {
        idleWaiters.push(resolve);
        // someone waits on the queue: keep the process alive while the slot is busy elsewhere
        timer.ref();
        queueMicrotask(tick);
      }),
    async stop({ cancel, graceMs = 15_000 }) {
      stopped = true;
      clearInterval(timer);
      const pending = [...flying.values()];
      if (cancel) {
        for (const r of pending) {
          try {
            r.cancel();
          } catch {
            // the run ended between the check and the cancel
          }
        }
      }
      await Promise.all(
        pending.map(async (r) => {
          let t: NodeJS.Timeout | undefined;
          const late = new Promise<'late'>((res) => (t = setTimeout(() => res('late'), graceMs)));
          const how = await Promise.race([r.done.then(() => 'done' as const, () => 'done' as const), late]);
          clearTimeout(t);
          // a worker that ignores the cancel is killed; the runner then marks its run interrupted
          if (how === 'late') {
            r.kill();
            await r.done.catch(() => undefined);
          }
        }),
      );
      for (const w of idleWaiters.splice(0)) w();
    },
  };
}
