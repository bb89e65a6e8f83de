import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { RunInfo, TrainEvent } from '../api/types';
import { getRun, markEnded, requestCancel, runRow } from '../store/runs';
import type { Store } from '../store/store';

export const WORKER_ENTRY = fileURLToPath(new URL('./worker-entry.mjs', import.meta.url));

/** What the parent tells a worker; the worker opens its own connection to the same database. */
export interface WorkerJob {
  dbPath: string;
  dataDir: string;
  runId: number;
}

export interface RunningWorker {
  pid: number;
  done: Promise<RunInfo>;
  /** asks the worker to stop after the current batch; the run ends "cancelled" and can be resumed */
  cancel(): void;
}

/**
 * Trains run `runId` in a child process so that TF.js never blocks the caller's event loop.
 * Events arrive through `onEvent`; the returned promise settles when the worker has exited and
 * resolves to the run as stored. A worker that dies leaves its run "interrupted", never "running".
 */
export function startWorker(store: Store, runId: number, onEvent: (e: TrainEvent) => void = () => {}): RunningWorker {
  const job: WorkerJob = { dbPath: store.dbPath, dataDir: store.dataDir, runId };
  const child = fork(WORKER_ENTRY, [], {
    env: { ...process.env, DIVE_WORKER_JOB: JSON.stringify(job) },
    // the worker's stdout goes to our stderr: a CLI's stdout is reserved for its one JSON document
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    serialization: 'advanced',
  });
  child.stdout?.pipe(process.stderr);
  let lastError: string | undefined;
  child.on('message', (m: TrainEvent) => {
    if (m.type === 'finished' && m.error) lastError = m.error;
    onEvent(m);
  });
  const done = new Promise<RunInfo>((resolveDone, reject) => {
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      try {
        const status = runRow(store, runId).status;
        if (status === 'running' || status === 'queued') {
          markEnded(store, runId, 'interrupted', lastError ?? `the training worker exited (${signal ?? `code ${code}`}) before the run finished`);
        }
        resolveDone(getRun(store, runId));
      } catch (e) {
        reject(e);
      }
    });
  });
  return {
    pid: child.pid ?? -1,
    done,
    cancel: () => {
      const r = runRow(store, runId);
      if (r.status === 'running' || r.status === 'queued') requestCancel(store, r.name);
    },
  };
}
