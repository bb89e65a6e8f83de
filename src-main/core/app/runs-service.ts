// The run half of the API: create (queued; the queue runner trains it in a worker), resume, cancel, compare.
import { fieldError, isUserError, UserError, withPathPrefix } from '../domain/errors';
import { BACKENDS, fromSource, parseRunConfig, type RunConfig } from '../domain/run-config';
import { LINEAR_HEAD_METHODS, SOURCE_METHODS, TEACHER_METHODS, type Method } from '../domain/method';
import type { ParsedTrainRequest, RunFilterSchema } from '../domain/run-requests';
import type { CompareRow, RunInfo, RunSummary, SplitInfo, TeacherInfo, VirtualExamplesInfo } from '../domain/types';
import { assertNameFree, getDataset } from '../store/datasets';
import type { ReadRoots } from '../data/read-roots';
import { resolveInitWeights, storeInitWeights } from './weights-in';
import { getRun, insertRun, listRuns, requestCancel, requeueForResume, uniqueRunName } from '../store/runs';
import { getSplit } from '../store/splits';
import type { Store } from '../store/store';
import { storedVirtualExamples } from '../store/virtual-examples';
import { teacherWarnings } from '../train/run-warnings';
import { withShortRunDefaults } from '../domain/short-run';
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
    case 'la-loss':
    case 'logit-adjust':
      return `tau=${p.laTau}`;
    case 'tau-norm':
      return `tau=${p.tauNorm}`;
    default:
      return '';
  }
}

/** What a student records of its teacher, and the warnings its teacher earns it (a queued teacher has no top-1 yet). */
export function teacherRecord(t: RunInfo, cfg: RunConfig, split: SplitInfo): { teacherInfo: TeacherInfo; warnings: string[] } {
  const tCfg = t.config;
  const teacherInfo: TeacherInfo = { name: t.name, method: t.method, model: t.model, split: t.split, top1: t.metrics?.top1 ?? null, normHead: tCfg.normHead, tau: cfg.params.tau, power: cfg.params.power, alpha: cfg.params.alpha };
  const warnings = teacherWarnings(
    { name: t.name, method: t.method, splitId: t.splitId, splitName: t.split, normHead: tCfg.normHead, top1: teacherInfo.top1, numClasses: split.counts.length, seed: tCfg.seed },
    { method: cfg.method, splitId: split.id, splitName: split.name, seed: cfg.seed },
  );
  return { teacherInfo, warnings };
}

/** The run named `ref`; a missing one is a problem of the request's field at `path`. */
function runAt(store: Store, ref: string, path: string[]): RunInfo {
  try {
    return getRun(store, ref);
  } catch (e) {
    throw isUserError(e) ? fieldError(e.message, path, `no run named "${ref}"`) : e;
  }
}

/** What a decoupled or post-hoc run records of its stage-1 run (shown as its lineage). */
export function sourceRecord(s: RunInfo, cfg: RunConfig): TeacherInfo {
  return { name: s.name, method: s.method, model: s.model, split: s.split, top1: s.metrics?.top1 ?? null, normHead: s.config.normHead, tau: cfg.params.tau, power: cfg.params.power, alpha: cfg.params.alpha };
}

/** Kang et al.'s stage 1 and Menon et al.'s base model are plain (instance-balanced) cross-entropy. */
export function stageOneWarnings(s: Pick<RunInfo, 'name' | 'method'>, method: Method): string[] {
  if (s.method === 'ce') return [];
  const twice = method === 'logit-adjust' && (s.method === 'bsce' || s.method === 'la-loss' || s.method === 'dive');
  return [`stage 1 ${s.name} was trained with ${s.method}, not plain cross-entropy as in the literature's ${method}${twice ? `; ${s.method} already corrects the prior, so logit adjustment corrects it twice` : ''}`];
}

/**
 * The stage-1 run `from` names, refused in one line when a method cannot start from it: missing,
 * not completed, of another split (the method keeps the split's training images and priors), or
 * with a cosine classifier where the method reads a linear one.
 */
export function stageOne(store: Store, from: string | undefined, method: Method, split: SplitInfo): RunInfo {
  if (!from) throw fieldError(`method ${method} starts from a completed run of split ${split.name}: give --from RUN (e.g. a ce run on it)`, ['from'], 'choose a completed stage-1 run');
  const s = runAt(store, from, ['from']);
  if (s.status !== 'completed') throw fieldError(`--from ${s.name}: the run is ${s.status}; ${method} starts from a completed run`, ['from'], `${s.name} is ${s.status}; choose a completed run`);
  if (s.splitId !== split.id) {
    throw fieldError(`--from ${s.name}: it was trained on split "${s.split}", not "${split.name}"; ${method} keeps its stage-1 run's split (the same training images and class priors)`, ['from'], `${s.name} was trained on ${s.split}, not ${split.name}`);
  }
  if (LINEAR_HEAD_METHODS.includes(method) && s.config.normHead) {
    throw fieldError(`--from ${s.name}: it has a cosine classifier (normHead, as ${s.method} trains); ${method} needs a linear classifier (train the stage-1 run with ce, or use crt, which trains a new one)`, ['from'], `${s.name} has a cosine classifier; ${method} needs a linear one`);
  }
  return s;
}

export function createRunService(store: Store) {
  // one immediate transaction: the split and teacher checked are still there when the row goes in
  // (a concurrent delete waits, or is refused because this run is queued)
  const createRun = (r: ParsedTrainRequest, opts: { readRoots?: ReadRoots } = {}): RunInfo => store.db.transaction((): RunInfo => {
    const split = getSplit(store, r.split);
    // short runs on small splits get a smaller batch (and lr) unless the caller chose them: domain/short-run.ts
    let cfg: RunConfig;
    try {
      cfg = parseRunConfig(withShortRunDefaults(r.config, split.total));
    } catch (e) {
      throw withPathPrefix(e, ['config']);
    }
    const env = process.env.DIVE_BACKEND;
    // the worker reads DIVE_BACKEND too: a bad value must fail here, before the run row exists
    if (cfg.backend === null && env && !(BACKENDS as readonly string[]).includes(env)) {
      throw new UserError(`DIVE_BACKEND=${env.slice(0, 40)} is not a backend; use one of ${BACKENDS.join(', ')} or unset it`);
    }
    let teacherId: number | null = null;
    let teacherInfo: TeacherInfo | null = null;
    let warnings: string[] = [];
    if (TEACHER_METHODS.includes(cfg.method)) {
      if (!r.teacher) throw fieldError(`method ${cfg.method} distils from a teacher: give --teacher RUN (a completed run, e.g. a bsce run on this split)`, ['teacher'], 'choose a completed teacher run');
      const t = runAt(store, r.teacher, ['teacher']);
      if (t.status !== 'completed') throw fieldError(`teacher "${t.name}" is ${t.status}; a teacher must be a completed run`, ['teacher'], `${t.name} is ${t.status}; a teacher must be a completed run`);
      const tSplit = getSplit(store, t.splitId);
      if (tSplit.datasetId !== split.datasetId) {
        throw fieldError(`teacher "${t.name}" was trained on dataset "${tSplit.dataset}", not "${split.dataset}": its classes differ`, ['teacher'], `${t.name} was trained on ${tSplit.dataset}, whose classes differ from ${split.dataset}'s`);
      }
      teacherId = t.id;
      ({ teacherInfo, warnings } = teacherRecord(t, cfg, split));
    } else if (r.teacher) {
      throw fieldError(`method ${cfg.method} does not use a teacher; drop --teacher or use kd / dive`, ['teacher'], `${cfg.method} does not use a teacher`);
    }
    if (SOURCE_METHODS.includes(cfg.method)) {
      const s = stageOne(store, r.from, cfg.method, split);
      try {
        cfg = fromSource(r.config, cfg, s.config, s.name);
      } catch (e) {
        throw withPathPrefix(e, ['config']);
      }
      teacherId = s.id;
      teacherInfo = sourceRecord(s, cfg);
      warnings = stageOneWarnings(s, cfg.method);
    } else if (r.from) {
      throw fieldError(`method ${cfg.method} does not start from a run; drop --from (${SOURCE_METHODS.join(', ')} do)`, ['from'], `${cfg.method} does not start from a run`);
    }
    if ((r.initWeights || r.initFrom) && SOURCE_METHODS.includes(cfg.method)) {
      throw fieldError(`method ${cfg.method} keeps its stage-1 run's weights (--from); drop --init-weights / --init-from`, [r.initWeights ? 'initWeights' : 'initFrom'], `${cfg.method} starts from its stage-1 run`);
    }
    if (r.resetHead && !r.initWeights) throw fieldError('--reset-head goes with --init-weights FILE', ['resetHead'], 'only with a weights file');
    const init = r.initWeights || r.initFrom
      ? resolveInitWeights(store, { file: r.initWeights, run: r.initFrom, resetHead: r.resetHead }, cfg, split.datasetId, split.counts.length, opts.readRoots)
      : null;
    const name = r.name ?? uniqueRunName(store, `${cfg.method}-${cfg.model}-${split.name}`);
    assertNameFree(store, 'runs', name);
    const id = insertRun(store, { name, splitId: split.id, teacherId, method: cfg.method, model: cfg.model, config: cfg, teacherInfo, warnings, origin: init?.origin });
    if (init) storeInitWeights(store, id, cfg, getDataset(store, split.datasetId).imageShape, split.counts.length, init);
    return getRun(store, id);
  }).immediate();

  return {
    createRun,
    /** An interrupted or cancelled run goes back to the queue; its worker continues from the last checkpoint. */
    resumeRun: (name: string): RunInfo => getRun(store, requeueForResume(store, name)),
    cancelRun: (name: string): RunInfo => requestCancel(store, name),
    listRuns: (filter: z.output<typeof RunFilterSchema> = {}): RunSummary[] => listRuns(store, filter),
    getRun: (name: string, opts: { cells?: boolean } = {}): RunInfo => getRun(store, name, opts),
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
