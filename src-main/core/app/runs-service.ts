// The run half of the API: create, train (in a worker process), resume, cancel, compare.
import { UserError } from '../domain/errors';
import type { RunConfig } from '../domain/run-config';
import { TEACHER_METHODS } from '../domain/method';
import type { ParsedTrainRequest, RunFilterSchema } from '../domain/run-requests';
import type { CompareRow, RunInfo, RunSummary, TrainEvent, VirtualExamplesInfo } from '../domain/types';
import { assertNameFree } from '../store/datasets';
import { deleteRun, getRun, insertRun, listRuns, requestCancel, requeueForResume, runRow, uniqueRunName } from '../store/runs';
import { getSplit } from '../store/splits';
import type { Store } from '../store/store';
import { storedVirtualExamples } from '../store/virtual-examples';
import { startWorker, type RunningWorker, type WorkerSpawner } from './runner';
import type { z } from 'zod';

export function keyParams(cfg: RunConfig): string {
  const p = cfg.params;
  switch (cfg.method) {
    case 'focal':
      return `gamma=${p.focalGamma}`;
    case 'cb':
      return `beta=${p.cbBeta}`;
    case 'ldam-drw':
      return `s=${p.ldamScale} m=${p.ldamMaxMargin} drw@${p.drwEpoch}`;
    case 'kd':
      return `T=${p.tau} alpha=${p.alpha}`;
    case 'dive':
      return `T=${p.tau} p=${p.power} alpha=${p.alpha}`;
    default:
      return '';
  }
}

export function createRunService(store: Store) {
  const createRun = (r: ParsedTrainRequest): RunInfo => {
    const split = getSplit(store, r.split);
    const cfg = r.config;
    let teacherId: number | null = null;
    if (TEACHER_METHODS.includes(cfg.method)) {
      if (!r.teacher) throw new UserError(`method ${cfg.method} distils from a teacher: give --teacher RUN (a completed run, e.g. a bsce run on this split)`);
      const t = getRun(store, r.teacher);
      if (t.status !== 'completed') throw new UserError(`teacher "${t.name}" is ${t.status}; a teacher must be a completed run`);
      const tSplit = getSplit(store, t.splitId);
      if (tSplit.datasetId !== split.datasetId) {
        throw new UserError(`teacher "${t.name}" was trained on dataset "${tSplit.dataset}", not "${split.dataset}": its classes differ`);
      }
      teacherId = t.id;
    } else if (r.teacher) {
      throw new UserError(`method ${cfg.method} does not use a teacher; drop --teacher or use kd / dive`);
    }
    const name = r.name ?? uniqueRunName(store, `${cfg.method}-${cfg.model}-${split.name}`);
    assertNameFree(store, 'runs', name);
    const id = insertRun(store, { name, splitId: split.id, teacherId, method: cfg.method, model: cfg.model, config: cfg });
    return getRun(store, id);
  };

  return {
    createRun,
    /** Starts the worker of a queued run; `done` resolves when it has exited. */
    startRun: (name: string, onEvent?: (e: TrainEvent) => void, spawn?: WorkerSpawner): RunningWorker => {
      const r = runRow(store, name);
      if (r.status !== 'queued') throw new UserError(`run "${r.name}" is ${r.status}, not queued`);
      return startWorker(store, r.id, onEvent, spawn);
    },
    /** An interrupted or cancelled run continues from its last checkpoint. */
    resumeRun: (name: string, onEvent?: (e: TrainEvent) => void, spawn?: WorkerSpawner): RunningWorker =>
      startWorker(store, requeueForResume(store, name), onEvent, spawn),
    cancelRun: (name: string): RunInfo => requestCancel(store, name),
    listRuns: (filter: z.output<typeof RunFilterSchema> = {}): RunSummary[] => listRuns(store, filter),
    getRun: (name: string): RunInfo => getRun(store, name),
    deleteRun: (name: string): RunInfo => deleteRun(store, name),
    storedVirtualExamples: (name: string): VirtualExamplesInfo[] => {
      const run = getRun(store, name);
      const split = getSplit(store, run.splitId);
      return storedVirtualExamples(store, run.id).map((v) => ({ run: run.name, counts: split.counts, ...v }));
    },
    compareRuns: (names: string[]): CompareRow[] =>
      names.map((n) => {
        const run = getRun(store, n);
        const m = run.metrics;
        return {
          run: run.name, method: run.method, model: run.model, params: keyParams(run.config), epochs: run.epochsDone, status: run.status,
          top1: m?.top1 ?? null, many: m?.many ?? null, medium: m?.medium ?? null, few: m?.few ?? null, ece: m?.ece ?? null,
        };
      }),
  };
}
