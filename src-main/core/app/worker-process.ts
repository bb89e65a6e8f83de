// The training worker as a process: the job it is given, the messages it sends back, and how it is
// spawned (a fork of the worker entry, or the desktop shell's utility process through a WorkerSpawner).
// startWorker runs one claimed run in it; runTask runs a one-shot task (import, probe, virtual examples, predict) off the main loop.
import { fork } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Progress, RunInfo, TrainEvent } from '../domain/types';
import { getRun, markEnded, requestCancel, runRow } from '../store/runs';
import type { Store } from '../store/store';
import type { StorePaths } from '../paths';
import { UserError, type Problem } from '../domain/errors';
import type { ImportRequest } from '../domain/import-schema';
import type { ImportRunRequest, ProbeOptions } from '../domain/run-requests';
import type { Prediction } from '../domain/contract';

/**
 * The worker process's entry. Run from a build, this module is part of a file one folder below out/
 * (import.meta.filename names that file; the build rewrites only import.meta.url), and the compiled
 * worker is out/worker/index.mjs; run from its TypeScript source (tsx: the tests), it is
 * worker-entry.mjs, which runs worker.ts through tsx.
 */
export const WORKER_ENTRY = import.meta.filename.endsWith('.ts')
  ? fileURLToPath(new URL('./worker-entry.mjs', import.meta.url))
  : join(import.meta.dirname, '..', 'worker', 'index.mjs');

/** One job of a worker process: train a run, or a one-shot task that needs TF.js or heavy I/O. */
export type WorkerTask =
  | { kind: 'train'; runId: number }
  /** the virtual-example distribution of a completed run (stored with it) */
  | { kind: 've'; run: string; tau: number; power: number }
  /** the temperature sweep of a completed run's virtual examples */
  | { kind: 've-sweep'; run: string; power: number; taus?: number[] }
  /** a completed run's prediction for every test image, stored with it (store/predictions.ts) */
  | { kind: 'predictions'; run: string }
  /** a dataset import (validated at the dispatcher; the importer parses it again, which is idempotent) */
  | { kind: 'import'; request: ImportRequest; readRoots?: string[] }
  /** `dive backends` / probeBackends: every compute rung probed and timed (validated at the dispatcher) */
  | { kind: 'backends'; options: ProbeOptions }
  /** a completed run's predictions for image files (uploads written to a temporary folder first) */
  | { kind: 'predict'; run: string; inputs: { path: string; name?: string }[]; errors: Prediction[]; top: number }
  /** dive import-run (validated at the dispatcher) */
  | { kind: 'import-run'; request: ImportRunRequest; readRoots?: string[] };

/** What the parent tells a worker; the worker opens its own connection to the same database. */
export type WorkerJob = StorePaths & WorkerTask;

/** Messages a worker sends its parent besides training events. */
export type WorkerMessage =
  | TrainEvent
  | { type: 'progress'; progress: Progress }
  | { type: 'result'; result: unknown }
  | { type: 'error'; error: string; problems?: Problem[] };

/** A worker process as the runner sees it, whichever API started it. */
export interface WorkerChild {
  pid: number | undefined;
  onMessage(fn: (m: WorkerMessage) => void): void;
  /** once, when the process has exited (signal: its name, or null) */
  onExit(fn: (code: number | null, signal: string | null) => void): void;
  onError(fn: (e: Error) => void): void;
  kill(): void;
}

/** Starts a worker process for a job: child_process.fork for the CLI and `dive serve`, utilityProcess in Electron. */
export type WorkerSpawner = (job: WorkerJob) => WorkerChild;

export const forkSpawner: WorkerSpawner = (job) => {
  const child = fork(WORKER_ENTRY, [], {
    env: { ...process.env, DIVE_WORKER_JOB: JSON.stringify(job) },
    // the worker's stdout goes to our stderr: a CLI's stdout is reserved for its one JSON document
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    serialization: 'advanced',
  });
  child.stdout?.pipe(process.stderr);
  return {
    pid: child.pid,
    onMessage: (fn) => child.on('message', (m) => fn(m as WorkerMessage)),
    onExit: (fn) => child.once('exit', (code, signal) => fn(code, signal)),
    onError: (fn) => child.on('error', fn),
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
};

export interface RunningWorker {
  pid: number;
  done: Promise<RunInfo>;
  /** asks the worker to stop after the current batch; the run ends "cancelled" and can be resumed */
  cancel(): void;
  /** ends the process at once; the run is left "interrupted" and can be resumed from its last checkpoint */
  kill(): void;
}

/**
 * Trains run `runId` in a worker process so that TF.js never blocks the caller's event loop.
 * Events arrive through `onEvent`; the returned promise settles when the worker has exited and
 * resolves to the run as stored. A worker that dies leaves its run "interrupted", never "running".
 */
export function startWorker(store: Store, runId: number, onEvent: (e: TrainEvent) => void = () => {}, spawn: WorkerSpawner = forkSpawner): RunningWorker {
  const child = spawn({ dbPath: store.dbPath, dataDir: store.dataDir, kind: 'train', runId });
  let lastError: string | undefined;
  child.onMessage((m) => {
    if (m.type === 'progress' || m.type === 'result' || m.type === 'error') return;
    if (m.type === 'finished' && m.error) lastError = m.error;
    onEvent(m);
  });
  const done = new Promise<RunInfo>((resolveDone, reject) => {
    child.onError(reject);
    child.onExit((code, signal) => {
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
    kill: () => child.kill(),
  };
}

export interface RunningTask<T> {
  done: Promise<T>;
  kill(): void;
}

/**
 * Runs a one-shot task in a worker process: `done` resolves to the worker's result, or rejects with
 * an Error whose message is the worker's one-line description of what went wrong.
 */
export function runTask<T>(paths: StorePaths, task: Exclude<WorkerTask, { kind: 'train' }>, onProgress: (p: Progress) => void = () => {}, spawn: WorkerSpawner = forkSpawner): RunningTask<T> {
  const child = spawn({ dbPath: paths.dbPath, dataDir: paths.dataDir, ...task });
  let outcome: { ok: true; result: T } | { ok: false; error: string; problems?: Problem[] } | undefined;
  child.onMessage((m) => {
    if (m.type === 'progress') onProgress(m.progress);
    else if (m.type === 'result') outcome = { ok: true, result: m.result as T };
    else if (m.type === 'error') outcome = { ok: false, error: m.error, problems: m.problems };
  });
  const done = new Promise<T>((resolveDone, reject) => {
    child.onError(reject);
    child.onExit((code, signal) => {
      if (outcome?.ok) resolveDone(outcome.result);
      else if (outcome) reject(new TaskError(outcome.error, outcome.problems ?? []));
      else reject(new TaskError(`the worker exited (${signal ?? `code ${code}`}) before finishing its ${task.kind} task`));
    });
  });
  return { done, kill: () => child.kill() };
}

/** A task's failure as the worker described it (already the one line a user sees). */
export class TaskError extends UserError {}
