// The dispatcher behind both front doors (Electron IPC, `dive serve`): validates each call's
// argument against the contract, runs it on the Service, and owns the worker processes it starts.
// Anything that needs TF.js or heavy decoding (training, virtual examples, imports) runs in a
// worker, never on this process's event loop, so the window or the server stays responsive.
import { randomUUID } from 'node:crypto';
import { closeSync, existsSync, openSync, readFileSync, readSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { z } from 'zod';
import { UserError } from '../errors';
import { findFashionMnist } from '../data/fashion-mnist';
import { datasetPart, getDataset } from '../store/datasets';
import { getRun, requeueForResume } from '../store/runs';
import { queueView, setPriority } from '../store/queue';
import { listRunRows } from '../store/run-list';
import { localExecutor } from '../app/local-executor';
import { startQueueRunner } from '../app/queue-runner';
import { runStatistics } from '../app/study-service';
import type { Store } from '../store/store';
import { forkSpawner, runTask, type RunningTask, type WorkerSpawner } from '../train/runner';
import { CALLS, SAMPLE_CLASSES_DEFAULT, type ApiEvent, type AppInfo, type CallName, type DatasetSamples, type Results } from './contract';
import { createService } from './service';
import type { DatasetInfo, RunInfo, TrainEvent, VirtualExamplesInfo } from './types';

export interface DispatcherOptions {
  frontDoor: 'electron' | 'web';
  /** how worker processes start (default child_process.fork; Electron passes utilityProcess) */
  spawn?: WorkerSpawner;
  /** how long close() waits for a cancelled run to stop after its batch before killing its worker */
  closeGraceMs?: number;
}

export interface Dispatcher {
  /** validates `rawArgs` against CALLS[name] and runs the call; rejects with UserError / ZodError for bad input */
  call(name: string, rawArgs: unknown): Promise<unknown>;
  subscribe(fn: (e: ApiEvent) => void): () => void;
  /** cancels running runs (each stops after its batch, "cancelled"), ends other workers, refuses new calls */
  close(): Promise<void>;
}

type Handlers = { [K in CallName]: (args: z.output<(typeof CALLS)[K]>) => Promise<Results[K]> | Results[K] };

/** The app's package.json, found upwards from this module (also from a bundle in out/main/). */
export function appVersion(from: string = dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const p = join(dir, 'package.json');
    if (existsSync(p)) {
      const pkg = JSON.parse(readFileSync(p, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'dive-workbench' && pkg.version) return pkg.version;
    }
    if (dirname(dir) === dir) return 'unknown';
  }
}

function fashionMnistPresent(): boolean {
  try {
    findFashionMnist();
    return true;
  } catch {
    return false;
  }
}

/**
 * The first `perClass` training images of each class asked for (default: the first
 * SAMPLE_CLASSES_DEFAULT classes), read straight from the dataset's pixel file.
 */
export function datasetSamples(store: Store, name: string, perClass: number, only?: number[]): DatasetSamples {
  const d: DatasetInfo = getDataset(store, name);
  const bad = only?.find((k) => k >= d.numClasses);
  if (bad !== undefined) throw new UserError(`classes: ${bad} is not a class of "${d.name}" (0..${d.numClasses - 1})`);
  const wanted = [...new Set(only ?? d.classNames.slice(0, SAMPLE_CLASSES_DEFAULT).map((_, k) => k))];
  const part = datasetPart(store, d.id, 'train');
  const [h, w, c] = d.imageShape;
  const size = h * w * c;
  const picked: (number[] | null)[] = d.classNames.map(() => null);
  for (const k of wanted) picked[k] = [];
  for (let i = 0; i < part.labels.length; i++) {
    const list = picked[part.labels[i]];
    if (list && list.length < perClass) list.push(i);
  }
  if (!existsSync(part.pixelsPath)) throw new UserError(`data file ${part.pixelsPath} is missing; re-import the dataset`);
  const fd = openSync(part.pixelsPath, 'r');
  try {
    const buf = Buffer.alloc(size);
    const classes = wanted.map((k) => ({
      index: k,
      name: d.classNames[k],
      images: picked[k]!.map((i) => {
        const got = readSync(fd, buf, 0, size, i * size);
        if (got !== size) throw new UserError(`data file ${part.pixelsPath} is truncated at image ${i}; re-import the dataset`);
        return Array.from(buf);
      }),
    }));
    return { imageShape: d.imageShape, numClasses: d.numClasses, classes };
  } finally {
    closeSync(fd);
  }
}

export function createDispatcher(store: Store, opts: DispatcherOptions): Dispatcher {
  const svc = createService(store);
  const spawn = opts.spawn ?? forkSpawner;
  const listeners = new Set<(e: ApiEvent) => void>();
  const tasks = new Set<RunningTask<unknown>>();
  let closing = false;

  const emit = (e: ApiEvent) => {
    for (const fn of [...listeners]) {
      try {
        fn(e);
      } catch {
        // a broken subscriber must not stop the others (or the worker relaying to them)
      }
    }
  };
  const changed = (...what: ('datasets' | 'splits' | 'runs')[]) => what.forEach((w) => emit({ type: 'changed', what: w }));

  // the in-process executor of this front door: trains queued runs, resumes interrupted ones at start
  const runner = startQueueRunner({
    store,
    executor: localExecutor(store, { spawn }),
    resumeInterrupted: true,
    onEvent: emit,
    onRunEnded: () => changed('runs'),
  });
  const queued = <T>(out: T): T => {
    runner.kick();
    changed('runs');
    return out;
  };

  const task = async <T>(t: RunningTask<T>): Promise<T> => {
    tasks.add(t as RunningTask<unknown>);
    try {
      return await t.done;
    } finally {
      tasks.delete(t as RunningTask<unknown>);
    }
  };

  const handlers: Handlers = {
    info: (): AppInfo => ({
      version: appVersion(),
      dbPath: store.dbPath,
      dataDir: store.dataDir,
      fashionMnistAvailable: fashionMnistPresent(),
      frontDoor: opts.frontDoor,
    }),
    listDatasets: () => svc.listDatasets(),
    getDataset: (a) => svc.getDataset(a.name),
    importDataset: async (a) => {
      const job = a.job ?? randomUUID();
      const out = await task(runTask<DatasetInfo>(store, { kind: 'import', request: a.request }, (p) => emit({ type: 'progress', job, ...p }), spawn));
      changed('datasets');
      return out;
    },
    deleteDataset: (a) => {
      const out = svc.deleteDataset(a.name);
      changed('datasets', 'splits', 'runs');
      return out;
    },
    datasetSamples: (a) => datasetSamples(store, a.name, a.perClass, a.classes),
    previewSplit: (a) => svc.previewSplit(a),
    createSplit: (a) => {
      const out = svc.createSplit(a);
      changed('splits');
      return out;
    },
    listSplits: (a) => svc.listSplits(a?.dataset),
    getSplit: (a) => svc.getSplit(a.name),
    deleteSplit: (a) => {
      const out = svc.deleteSplit(a.name);
      changed('splits', 'runs');
      return out;
    },
    train: (a) => queued(svc.createRun(a)),
    resumeRun: (a) => queued(getRun(store, requeueForResume(store, a.name))),
    cancelRun: (a) => {
      const out = svc.cancelRun(a.name);
      changed('runs');
      return out;
    },
    listRuns: (a) => svc.listRuns(a ?? {}),
    getRun: (a) => svc.getRun(a.name),
    deleteRun: (a) => {
      const out = svc.deleteRun(a.name);
      changed('runs');
      return out;
    },
    compareRuns: (a) => svc.compareRuns(a.names),
    virtualExamples: async (a) => {
      const out = await task(runTask<VirtualExamplesInfo>(store, { kind: 've', run: a.run, tau: a.tau, power: a.power }, undefined, spawn));
      changed('runs');
      return out;
    },
    storedVirtualExamples: (a) => svc.storedVirtualExamples(a.name),
    listQueue: () => queueView(store),
    listRunRows: (a) => listRunRows(store, a ?? {}),
    setPriority: (a) => {
      setPriority(store, a.name, a.priority);
      return queued(queueView(store));
    },
    createStudy: (a) => svc.createStudy(a),
    runStudy: (a) => {
      svc.queueStudy(a.name);
      return queued(svc.getStudy(a.name));
    },
    getStudy: (a) => svc.getStudy(a.name),
    listStudies: () => svc.listStudies(),
    deleteStudy: (a) => {
      const out = svc.deleteStudy(a.name);
      changed('runs');
      return out;
    },
    runStatistics: (a) => runStatistics(store, a.names),
  };

  return {
    async call(name, rawArgs) {
      if (closing) throw new UserError('the workbench is shutting down');
      if (typeof name !== 'string' || !Object.hasOwn(CALLS, name)) throw new UserError(`unknown call "${String(name)}"`);
      const call = name as CallName;
      const args = CALLS[call].parse(rawArgs);
      return (handlers[call] as (a: unknown) => unknown)(args);
    },
    subscribe(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    async close() {
      if (closing) return;
      closing = true;
      for (const t of tasks) t.kill();
      await runner.stop({ cancel: true, graceMs: opts.closeGraceMs ?? 15_000 });
      listeners.clear();
    },
  };
}
