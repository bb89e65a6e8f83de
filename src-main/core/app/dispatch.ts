// The dispatcher behind every front door (Electron IPC, `dive serve`, the `dive` CLI): validates
// each call's argument once against the call table (domain/contract.ts), runs it on the Service,
// and owns the worker processes it starts. Training goes through the persistent queue: the
// dispatcher's queue runner launches queued runs in workers (store/queue.ts). Imports, virtual
// examples and backend probes run in a worker under the window or the server, so their event loop
// stays responsive; the CLI has nothing else to serve and runs them in-process ('in-process' tasks).
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { z } from 'zod';
import { findFashionMnist } from '../data/fashion-mnist';
import { defaultReadRoots, ReadRoots } from '../data/read-roots';
import { downloadOffers } from '../data/download-offers';
import { CALLS, type ApiEvent, type AppInfo, type Args, type CallName, type ChangedWhat, type FrontDoor, type ParsedArgs, type PredictResult, type Results } from '../domain/contract';
import { UserError, withPathPrefix } from '../domain/errors';
import { paperStudyRequest, type RecipeRequest } from '../domain/run-requests';
import type { StudyDetail } from '../domain/study-types';
import type { BackendsProbe, DatasetInfo, RunInfo, VeSweep, VirtualExamplesInfo } from '../domain/types';
import { annotate, listNotes } from '../store/notes';
import { queueView, setPriority } from '../store/queue';
import { createWorkerToken, listWorkerTokens, revokeWorkerToken } from '../store/worker-tokens';
import { getRun } from '../store/runs';
import { asUserError } from '../store/db';
import { retryBusy } from '../store/busy';
import { runDoctor } from '../store/doctor';
import { datasetSamples } from '../store/samples';
import type { Store } from '../store/store';
import { appVersion } from './app-version';
import { cellImages } from './cell-images';
import { exportTickets } from './export-tickets';
import { prepareModelArchive, type PreparedFile } from './model-export';
import { localExecutor } from './local-executor';
import { startQueueRunner } from './queue-runner';
import { forkSpawner, runTask, type RunningTask, type WorkerSpawner } from './worker-process';
import { createService } from './service';
import { runStatistics } from './study-service';
import { exportSplit } from './split-export';

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
  /** where prepareExport builds its files (default the OS's temporary folder) */
  exportTmp?: string;
  /** imports may read, and folder exports write, only below these folders (web mode's --data-root); default: anywhere */
  readRoots?: string[];
  /**
   * which queued runs this dispatcher's executor trains: 'all' (default; the desktop app, `dive
   * serve`, `dive worker`) trains the whole queue and first puts interrupted runs back in it;
   * 'own' (the CLI's train, resume, study run, recipe) only the runs queued through this dispatcher
   */
  queue?: 'all' | 'own';
  /** runs in training at once, across processes (default $DIVE_CONCURRENCY or 1) */
  slots?: number;
}

export interface Dispatcher {
  /** a typed call from code in this process; validated like any other */
  call<K extends CallName>(name: K, args: Args<K>): Promise<Results[K]>;
  /** validates `rawArgs` against CALLS[name] and runs the call; rejects with UserError / ZodError for bad input */
  callRaw(name: string, rawArgs: unknown): Promise<unknown>;
  /** the run once its training has ended; a queued run that cannot start (its teacher failed) at once */
  runEnded(name: string): Promise<RunInfo>;
  /** resolves once no run this dispatcher's executor may train is queued or running */
  idle(): Promise<void>;
  subscribe(fn: (e: ApiEvent) => void): () => void;
  /** the file of a prepareExport ticket, once (null: unknown, used or expired); the caller streams it, then disposes it */
  takeExport(id: string): PreparedFile | null;
  /** cancels running runs (each stops after its batch, "cancelled"), ends other workers, refuses new calls */
  close(): Promise<void>;
}

type Handlers = { [K in CallName]: (args: ParsedArgs<K>) => Promise<Results[K]> | Results[K] };

/** The app's version (app-version.ts; exported here as before). */
export { appVersion };

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
  const tasks = new Set<RunningTask<unknown>>();
  const tickets = exportTickets();
  const writeRoots = opts.readRoots ? new ReadRoots(opts.readRoots) : null;
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
  const changed = (...what: ChangedWhat[]) => what.forEach((w) => emit({ type: 'changed', what: w }));

  // wakes runEnded whenever a run of this executor ends (and at close)
  let ended: (() => void)[] = [];
  const nextEnd = () => new Promise<void>((resolve) => ended.push(resolve));
  const wake = () => {
    const waiting = ended;
    ended = [];
    for (const w of waiting) w();
  };

  // the executor of this front door: its worker events go to every subscriber
  const own = new Set<number>();
  const runner = startQueueRunner({
    store,
    executor: localExecutor(store, { spawn, slots: opts.slots }),
    only: opts.queue === 'own' ? () => [...own] : undefined,
    resumeInterrupted: opts.queue !== 'own',
    onEvent: emit,
    onRunEnded: () => {
      changed('runs');
      wake();
    },
  });
  /** A run was queued (created, resumed, re-prioritised): the runner looks for work now. */
  const queued = <T>(out: T, ids: number[] = []): T => {
    for (const id of ids) own.add(id);
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
      const progress = (p: { phase: string; done: number; total: number }) => emit({ type: 'progress', job, ...p });
      let out: DatasetInfo;
      try {
        out = inProcess
          ? await svc.importDataset(a.request, progress, { readRoots: opts.readRoots })
          : await task(runTask<DatasetInfo>(store, { kind: 'import', request: a.request, readRoots: opts.readRoots }, progress, spawn));
      } catch (e) {
        // the importer names the request's fields; the call's argument holds the request under `request`
        throw withPathPrefix(e, ['request']);
      }
      changed('datasets');
      return out;
    },
    planDelete: (a) => svc.planDelete(a.kind, a.name),
    deleteDataset: (a) => {
      const out = svc.deleteDataset(a.name, { cascade: a.cascade });
      changed('datasets', 'splits', 'runs', 'trash');
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
    exportSplit: (a) => exportSplit(store, a.name, a.format),
    deleteSplit: (a) => {
      const out = svc.deleteSplit(a.name, { cascade: a.cascade });
      changed('splits', 'runs', 'trash');
      return out;
    },
    train: (a) => {
      const run = svc.createRun(a, { readRoots: opts.readRoots ? new ReadRoots(opts.readRoots) : undefined });
      // what the run was created with a warning about (its teacher) goes out like the worker's warnings
      for (const warning of run.warnings) emit({ type: 'warning', run: run.name, warning });
      return queued(run, [run.id]);
    },
    resumeRun: (a) => {
      const run = svc.resumeRun(a.name);
      return queued(run, [run.id]);
    },
    cancelRun: (a) => queued(svc.cancelRun(a.name)),
    listRuns: (a) => svc.listRuns(a ?? {}),
    getRun: (a) => svc.getRun(a.name, { cells: a.cells }),
    deleteRun: (a) => {
      const out = svc.deleteRun(a.name, { cascade: a.cascade });
      changed('runs', 'trash');
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
    exportRun: (a) => {
      // web mode: a folder export writes only below --data-root, and its refusal is the same line
      // whether the folder outside exists, is empty or not (the download is the web page's export)
      // (exactly one of dir and out is given: the schema says so)
      const target = a.out ?? a.dir ?? '';
      if (writeRoots && !writeRoots.contains(target)) {
        const field = a.out !== undefined ? 'out' : 'dir';
        const ui = 'outside the folders this server may write; download the export instead';
        throw new UserError(`export ${a.format === 'tfjs' ? 'folder' : 'file'} ${resolve(target)} is outside the folders this server may write (${writeRoots.roots.join(', ')}); download the export instead (prepareExport: the run page's Export button), or restart \`dive serve\` with --data-root DIR`, [{ path: [field], message: ui }]);
      }
      return svc.exportRun(a);
    },
    prepareExport: async (a) => tickets.add(await prepareModelArchive(store, a.run, opts.exportTmp, a.format)),
    recipe: (a) => recipe(a),
    // a worker loads the backends, so the window's or server's process never holds one
    probeBackends: async (a) => (inProcess ? (await import('../train/probe')).probeBackends(a) : task(runTask<BackendsProbe>(store, { kind: 'backends', options: a }, undefined, spawn))),
    doctor: (a) => runDoctor(store, { fix: a?.fix }),
    downloads: () => downloadOffers(store.dataDir),
    listQueue: () => queueView(store),
    setPriority: (a) => {
      setPriority(store, a.name, a.priority);
      return queued(queueView(store));
    },
    createStudy: (a) => svc.createStudy(a),
    runStudy: (a) => {
      const ids = svc.queueStudy(a.name);
      return queued(svc.getStudy(a.name), ids);
    },
    getStudy: (a) => svc.getStudy(a.name),
    createWorkerToken: (a) => createWorkerToken(store, a.name),
    listWorkerTokens: () => listWorkerTokens(store),
    revokeWorkerToken: (a) => revokeWorkerToken(store, a.name),
    listStudies: () => svc.listStudies(),
    deleteStudy: (a) => {
      const out = svc.deleteStudy(a.name, { cascade: a.cascade });
      changed('runs', 'trash');
      return out;
    },
    listTrash: () => svc.listTrash(),
    restoreTrash: (a) => {
      const out = svc.restoreTrash(a.id, a.rename);
      changed('datasets', 'splits', 'runs', 'trash');
      return out;
    },
    emptyTrash: (a) => {
      const out = svc.emptyTrash(a?.ids);
      changed('trash');
      return out;
    },
    runStatistics: (a) => runStatistics(store, a.names),
    // the run's test predictions are computed (once, then stored) where TF.js may run
    cellImages: (a) => cellImages(store, a, (run) => (inProcess ? svc.testPredictions(run) : task(runTask(store, { kind: 'predictions', run }, undefined, spawn)))),
    annotate: (a) => {
      const out = annotate(store, a);
      changed('runs');
      return out;
    },
    listNotes: () => listNotes(store),
    predict: async (a) => {
      const roots = opts.readRoots ? new ReadRoots(opts.readRoots) : undefined;
      const { expandInputs, predictImages, uploadedInputs } = await import('./predict-service');
      const { inputs, errors } = a.files ? expandInputs(a.files, roots) : { inputs: uploadedInputs(a.images ?? []), errors: [] };
      if (inProcess) return predictImages(store, a.run, inputs, a.top, errors);
      // a worker takes its job in an environment variable: uploaded bytes go through a private temporary folder
      const dir = mkdtempSync(join(opts.exportTmp ?? tmpdir(), 'dive-predict-'));
      try {
        const files = inputs.map((input, i) => {
          if (!('bytes' in input)) return input;
          const path = join(dir, `image-${i}`);
          writeFileSync(path, input.bytes, { mode: 0o600 });
          return { path, name: input.name };
        });
        return await task(runTask<PredictResult>(store, { kind: 'predict', run: a.run, inputs: files, errors, top: a.top }, undefined, spawn));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    importRun: async (a) => {
      const out = inProcess
        ? await (await import('./run-import')).importRun(store, a, opts.readRoots ? new ReadRoots(opts.readRoots) : undefined)
        : await task(runTask<RunInfo>(store, { kind: 'import-run', request: a, readRoots: opts.readRoots }, undefined, spawn));
      changed('runs');
      return out;
    },
  };

  const runEnded = async (ref: string | number): Promise<RunInfo> => {
    for (;;) {
      const r = getRun(store, ref);
      if ((r.status !== 'queued' && r.status !== 'running') || closing) return r;
      const w = runner.inFlight().find((x) => x.runId === r.id);
      if (w) {
        await w.done.catch(() => undefined);
        continue;
      }
      // queued here, or training under another executor: wait for a run to end, or for nothing to be left to start
      const why = await Promise.race([runner.idle().then(() => 'idle' as const), nextEnd().then(() => 'ended' as const)]);
      if (why === 'idle' && !runner.inFlight().some((x) => x.runId === r.id)) return getRun(store, ref);
    }
  };

  /** The paper recipe as a study (an existing one is continued): queues its runs, waits for them, answers the study. */
  const recipe = async (r: RecipeRequest): Promise<StudyDetail> => {
    const name = r.prefix ?? `${r.split}-paper`;
    if (!svc.listStudies().some((s) => s.name === name)) svc.createStudy(paperStudyRequest(r, name));
    const ids = svc.queueStudy(name);
    queued(null, ids);
    for (const id of ids) await runEnded(id);
    return svc.getStudy(name);
  };

  const run = async <K extends CallName>(name: K, rawArgs: unknown): Promise<Results[K]> => {
    if (closing) throw new UserError('the workbench is shutting down');
    // indexing CALLS with a generic K loses the pairing of name and schema; this restores it
    const schema = CALLS[name] as unknown as z.ZodType<ParsedArgs<K>>;
    const args = schema.parse(rawArgs);
    try {
      // a busy database (another process holds the write lock past the busy timeout) is waited for:
      // a failed immediate transaction changed nothing, so the call is simply made again
      return await retryBusy(() => handlers[name](args));
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
    idle: () => runner.idle(),
    subscribe(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    takeExport: (id) => tickets.take(id),
    async close() {
      if (closing) return;
      closing = true;
      tickets.clear();
      for (const t of tasks) t.kill();
      // running runs are cancelled (each stops after its batch); one that ignores it is killed
      await runner.stop({ cancel: true, graceMs: opts.closeGraceMs ?? 15_000 });
      wake();
      listeners.clear();
    },
  };
}
