// The run half of the API: create, train (in a worker process), resume, cancel, compare, export.
import { z } from 'zod';
import { UserError } from '../errors';
import { getSplit } from '../store/splits';
import { deleteRun, getRun, insertRun, listRuns, requestCancel, requeueForResume, runRow } from '../store/runs';
import type { Store } from '../store/store';
import { storedVirtualExamples } from '../store/virtual-examples';
import { assertNameFree } from '../store/datasets';
import { parseRunConfig, type RunConfig } from '../train/config';
import { TEACHER_METHODS } from '../train/method';
import { teacherWarnings } from '../train/run-warnings';
import { withShortRunDefaults } from '../train/short-run';
import { startWorker, type RunningWorker, type WorkerSpawner } from '../train/runner';
import type { RunInfo, RunStatus, TeacherInfo, TrainEvent, VirtualExamplesInfo } from './types';

const Name = z.string().trim().min(1, 'must not be empty');

export const TrainRequestSchema = z.strictObject({
  split: Name,
  /** default: method-model-split-N */
  name: Name.optional(),
  /** a completed run on the same dataset (kd, dive) */
  teacher: Name.optional(),
  /** RunConfig input: method is required, everything else has the paper's defaults */
  config: z.record(z.string(), z.unknown()),
});
export type TrainRequest = z.input<typeof TrainRequestSchema>;

export const RunFilterSchema = z.strictObject({
  split: Name.optional(),
  status: z.enum(['queued', 'running', 'completed', 'failed', 'cancelled', 'interrupted']).optional(),
});

/** One row of the paper-style comparison table. */
export interface CompareRow {
  run: string;
  method: string;
  model: string;
  /** the hyper-parameters that define the method, e.g. "T=3 p=0.5 alpha=0.5" */
  params: string;
  epochs: number;
  status: RunStatus;
  top1: number | null;
  many: number | null;
  medium: number | null;
  few: number | null;
  ece: number | null;
}

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

function uniqueRunName(store: Store, base: string): string {
  const taken = (n: string) => store.db.prepare('SELECT 1 FROM runs WHERE name = ?').get(n) !== undefined;
  if (!taken(base)) return base;
  for (let i = 2; ; i++) if (!taken(`${base}-${i}`)) return `${base}-${i}`;
}

export function createRunService(store: Store) {
  const createRun = (req: unknown): RunInfo => {
    const r = TrainRequestSchema.parse(req);
    const split = getSplit(store, r.split);
    // short runs on small splits get a smaller batch (and lr) unless the caller chose them: train/short-run.ts
    const cfg = parseRunConfig(withShortRunDefaults(r.config, split.total));
    let teacherId: number | null = null;
    let teacherInfo: TeacherInfo | null = null;
    let warnings: string[] = [];
    if (TEACHER_METHODS.includes(cfg.method)) {
      if (!r.teacher) throw new UserError(`method ${cfg.method} distils from a teacher: give --teacher RUN (a completed run, e.g. a bsce run on this split)`);
      const t = getRun(store, r.teacher);
      if (t.status !== 'completed') throw new UserError(`teacher "${t.name}" is ${t.status}; a teacher must be a completed run`);
      const tSplit = getSplit(store, t.splitId);
      if (tSplit.datasetId !== split.datasetId) {
        throw new UserError(`teacher "${t.name}" was trained on dataset "${tSplit.dataset}", not "${split.dataset}": its classes differ`);
      }
      teacherId = t.id;
      const tCfg = parseRunConfig(t.config);
      teacherInfo = { name: t.name, method: t.method, model: t.model, split: t.split, top1: t.metrics?.top1 ?? null, normHead: tCfg.normHead, tau: cfg.params.tau, power: cfg.params.power, alpha: cfg.params.alpha };
      warnings = teacherWarnings(
        { name: t.name, method: t.method, splitId: t.splitId, splitName: t.split, normHead: tCfg.normHead, top1: teacherInfo.top1, numClasses: split.counts.length },
        { method: cfg.method, splitId: split.id, splitName: split.name },
      );
    } else if (r.teacher) {
      throw new UserError(`method ${cfg.method} does not use a teacher; drop --teacher or use kd / dive`);
    }
    const name = r.name ?? uniqueRunName(store, `${cfg.method}-${cfg.model}-${split.name}`);
    assertNameFree(store, 'runs', name);
    const id = insertRun(store, { name, splitId: split.id, teacherId, method: cfg.method, model: cfg.model, config: cfg, teacherInfo, warnings });
    return getRun(store, id);
  };

  return {
    createRun,
    /** Starts the worker of a queued run; `done` resolves when it has exited. */
    startRun: (name: unknown, onEvent?: (e: TrainEvent) => void, spawn?: WorkerSpawner): RunningWorker => {
      const r = runRow(store, Name.parse(name));
      if (r.status !== 'queued') throw new UserError(`run "${r.name}" is ${r.status}, not queued`);
      return startWorker(store, r.id, onEvent, spawn);
    },
    /** An interrupted or cancelled run continues from its last checkpoint. */
    resumeRun: (name: unknown, onEvent?: (e: TrainEvent) => void, spawn?: WorkerSpawner): RunningWorker =>
      startWorker(store, requeueForResume(store, Name.parse(name)), onEvent, spawn),
    cancelRun: (name: unknown): RunInfo => requestCancel(store, Name.parse(name)),
    listRuns: (filter: unknown = {}): RunInfo[] => listRuns(store, RunFilterSchema.parse(filter)),
    getRun: (name: unknown): RunInfo => getRun(store, Name.parse(name)),
    deleteRun: (name: unknown): RunInfo => deleteRun(store, Name.parse(name)),
    storedVirtualExamples: (name: unknown): VirtualExamplesInfo[] => {
      const run = getRun(store, Name.parse(name));
      const split = getSplit(store, run.splitId);
      return storedVirtualExamples(store, run.id).map((v) => ({ run: run.name, counts: split.counts, ...v }));
    },
    compareRuns: (names: unknown): CompareRow[] =>
      z
        .array(Name)
        .min(1, 'name at least one run')
        .parse(names)
        .map((n) => {
          const run = getRun(store, n);
          const cfg = parseRunConfig(run.config);
          const m = run.metrics;
          return {
            run: run.name, method: run.method, model: run.model, params: keyParams(cfg), epochs: run.epochsDone, status: run.status,
            top1: m?.top1 ?? null, many: m?.many ?? null, medium: m?.medium ?? null, few: m?.few ?? null, ece: m?.ece ?? null,
          };
        }),
  };
}
