// The dispatcher behind every front door (Electron IPC, `dive serve`, the `dive` CLI): validates
// each call's argument once against the call table (domain/contract.ts), runs it on the Service,
// and owns the worker processes it starts. Training always runs in a worker. Imports, virtual
// examples and backend probes run in a worker under the window or the server, so their event loop
// stays responsive; the CLI has nothing else to serve and runs them in-process ('in-process' tasks).
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { z } from 'zod';
import { findFashionMnist } from '../data/fashion-mnist';
import { defaultReadRoots } from '../data/read-roots';
import { downloadOffers } from '../data/download-offers';
import { CALLS, type ApiEvent, type AppInfo, type Args, type CallName, type FrontDoor, type ParsedArgs, type Results } from '../domain/contract';
import { UserError } from '../domain/errors';
import { RUN_DEFAULTS } from '../domain/run-config';
import { PAPER_RECIPE, paperWarmupForm, studentSeed, type RecipeRequest } from '../domain/run-requests';
import type { BackendsProbe, CompareRow, DatasetInfo, RunInfo, TrainEvent, VeSweep, VirtualExamplesInfo } from '../domain/types';
import { getRun } from '../store/runs';
import { asUserError } from '../store/db';
import { runDoctor } from '../store/doctor';
import { datasetSamples } from '../store/samples';
import type { Store } from '../store/store';
import { forkSpawner, runTask, type RunningTask, type RunningWorker, type WorkerSpawner } from './runner';
import { createService } from './service';

/** the folders web-mode imports may read by default (`dive serve --data-root` replaces them) */
export { defaultReadRoots };

export interface DispatcherOptions {
  frontDoor: FrontDoor;
  /** where imports, virtual examples and backend probes run: a worker process (default) or this process (the CLI) */
  tasks?: 'worker' | 'in-process';
  /** how worker processes start (default child_process.fork; Electron passes utilityProcess) */
  spawn?: WorkerSpawner;
  /** how long close() waits for a cancelled run to stop after its batch before killing its worker */
  closeGraceMs?: number;
  /** imports may read only below these folders (web mode's --data-root); default: anywhere */
  readRoots?: string[];
}

export interface Dispatcher {
  /** a typed call from code in this process; validated like any other */
  call<K extends CallName>(name: K, args: Args<K>): Promise<Results[K]>;
  /** validates `rawArgs` against CALLS[name] and runs the call; rejects with UserError / ZodError for bad input */
  callRaw(name: string, rawArgs: unknown): Promise<unknown>;
  /** the run once its worker has exited (at once when none is running) */
  runEnded(name: string): Promise<RunInfo>;
  subscribe(fn: (e: ApiEvent) => void): () => void;
  /** cancels running runs (each stops after its batch, "cancelled"), ends other workers, refuses new calls */
  close(): Promise<void>;
}

type Handlers = { [K in CallName]: (args: ParsedArgs<K>) => Promise<Results[K]> | Results[K] };

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

export function createDispatcher(store: Store, opts: DispatcherOptions): Dispatcher {
  const svc = createService(store);
  const inProcess = opts.tasks === 'in-process';
  const spawn = opts.spawn ?? forkSpawner;
  const listeners = new Set<(e: ApiEvent) => void>();
  const runs = new Map<string, RunningWorker>();
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

  /** Follows a worker: its events go to every subscriber; the run list changes when it ends. */
  const track = (name: string, start: (onEvent: (e: TrainEvent) => void) => RunningWorker): RunInfo => {
    const worker = start(emit);
    runs.set(name, worker);
    worker.done
      .catch(() => undefined)
      .finally(() => {
        runs.delete(name);
        changed('runs');
      });
    changed('runs');
    return getRun(store, name);
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
      const progress = (p: { phase: string; done: number; total: number }) => emit({ type: 'progress', job, ...p });
      const out = inProcess
        ? await svc.importDataset(a.request, progress, { readRoots: opts.readRoots })
        : await task(runTask<DatasetInfo>(store, { kind: 'import', request: a.request, readRoots: opts.readRoots }, progress, spawn));
      changed('datasets');
      return out;
    },
    deleteDataset: (a) => {
      const out = svc.deleteDataset(a.name, { cascade: a.cascade });
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
      const out = svc.deleteSplit(a.name, { cascade: a.cascade });
      changed('splits', 'runs');
      return out;
    },
    train: (a) => {
      const run = svc.createRun(a);
      // what the run was created with a warning about (its teacher) goes out like the worker's warnings
      for (const warning of run.warnings) emit({ type: 'warning', run: run.name, warning });
      return track(run.name, (onEvent) => svc.startRun(run.name, onEvent, spawn));
    },
    resumeRun: (a) => track(a.name, (onEvent) => svc.resumeRun(a.name, onEvent, spawn)),
    cancelRun: (a) => {
      const out = svc.cancelRun(a.name);
      changed('runs');
      return out;
    },
    listRuns: (a) => svc.listRuns(a ?? {}),
    getRun: (a) => svc.getRun(a.name),
    deleteRun: (a) => {
      const out = svc.deleteRun(a.name, { cascade: a.cascade });
      changed('runs');
      return out;
    },
    compareRuns: (a) => svc.compareRuns(a.names),
    virtualExamples: async (a) => {
      const out = inProcess ? await svc.virtualExamples(a) : await task(runTask<VirtualExamplesInfo>(store, { kind: 've', ...a }, undefined, spawn));
      changed('runs');
      return out;
    },
    storedVirtualExamples: (a) => svc.storedVirtualExamples(a.name),
    virtualExampleSweep: async (a) => (inProcess ? await svc.virtualExampleSweep(a) : await task(runTask<VeSweep>(store, { kind: 've-sweep', ...a }, undefined, spawn))),
    exportRun: (a) => svc.exportRun(a),
    recipe: (a) => recipe(a),
    // a worker loads the backends, so the window's or server's process never holds one
    probeBackends: async (a) => (inProcess ? (await import('../train/probe')).probeBackends(a) : task(runTask<BackendsProbe>(store, { kind: 'backends', options: a }, undefined, spawn))),
    doctor: (a) => runDoctor(store, { fix: a?.fix }),
    downloads: () => downloadOffers(store.dataDir),
  };

  const runEnded = async (name: string): Promise<RunInfo> => {
    const w = runs.get(name);
    return w ? await w.done.catch(() => getRun(store, name)) : getRun(store, name);
  };

  /** Trains the recipe's runs one after another; a run that does not complete stops the recipe. */
  const recipe = async (r: RecipeRequest): Promise<CompareRow[]> => {
    const prefix = r.prefix ?? r.split;
    const seed = r.seed ?? RUN_DEFAULTS.seed;
    // the teacher on the seed given, the students on the next one (none starts from the teacher's init)
    const config = (method: string, s: number) =>
      CALLS.train.shape.config.parse({ method, model: r.model, epochs: r.epochs, batchSize: r.batchSize, lr: r.lr, seed: s, backend: r.backend, warmupForm: paperWarmupForm(r.epochs) });
    const trainOne = async (method: string, name: string, s: number, teacher?: string): Promise<string> => {
      const run = await handlers.train({ split: r.split, name, teacher, config: config(method, s) });
      const done = await runEnded(run.name);
      if (done.status !== 'completed') throw new UserError(`run "${done.name}" ended ${done.status}${done.error ? `: ${done.error}` : ''}`);
      return done.name;
    };
    const teacher = await trainOne(PAPER_RECIPE.teacher, `${prefix}-teacher-${PAPER_RECIPE.teacher}`, seed);
    const names = [teacher];
    for (const method of PAPER_RECIPE.students) names.push(await trainOne(method, `${prefix}-${method}`, studentSeed(seed), method === 'kd' || method === 'dive' ? teacher : undefined));
    return svc.compareRuns(names);
  };

  const run = async <K extends CallName>(name: K, rawArgs: unknown): Promise<Results[K]> => {
    if (closing) throw new UserError('the workbench is shutting down');
    // indexing CALLS with a generic K loses the pairing of name and schema; this restores it
    const schema = CALLS[name] as unknown as z.ZodType<ParsedArgs<K>>;
    const args = schema.parse(rawArgs);
    try {
      return await handlers[name](args);
    } catch (e) {
      // a busy, full or damaged database, a missing or unreadable file: one line naming it
      throw asUserError(e, store.dbPath);
    }
  };
  const isCall = (name: string): name is CallName => Object.hasOwn(CALLS, name);

  return {
    call: (name, args) => run(name, args),
    async callRaw(name, rawArgs) {
      if (typeof name !== 'string' || !isCall(name)) throw new UserError(`unknown call "${String(name)}"`);
      return run(name, rawArgs);
    },
    runEnded,
    subscribe(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    async close() {
      if (closing) return;
      closing = true;
      for (const t of tasks) t.kill();
      const pending = [...runs.values()];
      for (const w of pending) {
        try {
          w.cancel();
        } catch {
          // the run already ended between the check and the cancel
        }
      }
      const grace = opts.closeGraceMs ?? 15_000;
      await Promise.all(
        pending.map(async (w) => {
          let timer: NodeJS.Timeout | undefined;
          const late = new Promise<'late'>((r) => (timer = setTimeout(() => r('late'), grace)));
          const how = await Promise.race([w.done.then(() => 'done' as const, () => 'done' as const), late]);
          clearTimeout(timer);
          // a worker that ignores the cancel is killed; the runner then marks its run interrupted
          if (how === 'late') {
            w.kill();
            await w.done.catch(() => undefined);
          }
        }),
      );
      listeners.clear();
    },
  };
}
