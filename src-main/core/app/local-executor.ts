// The local executor: each launched run trains in its own worker process on this machine
// (child_process.fork for the CLI and `dive serve`, Electron's utilityProcess in the desktop app).
import type { Store } from '../store/store';
import { forkSpawner, startWorker, type WorkerSpawner } from './worker-process';
import { defaultSlots, type Executor } from './executor';

export function localExecutor(store: Store, opts: { slots?: number; spawn?: WorkerSpawner } = {}): Executor {
  const spawn = opts.spawn ?? forkSpawner;
  return {
    kind: 'local',
    slots: opts.slots ?? defaultSlots(),
    launch(runId, onEvent) {
      const w = startWorker(store, runId, onEvent, spawn);
      return { runId, done: w.done, cancel: w.cancel, kill: w.kill };
    },
  };
}
