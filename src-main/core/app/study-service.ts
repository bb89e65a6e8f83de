// Studies: create one from a spec, queue what its plan still lacks (idempotently), show it with
// its statistics, list and delete them. Execution is the queue's (queue-runner.ts).
import { UserError } from '../domain/errors';
import type { Deleted } from '../domain/trash-types';
import { assertNameFree, getDataset } from '../store/datasets';
import { getRun, insertRun, requeueRuns } from '../store/runs';
import { trashObject, type DeleteOptions } from '../store/deletes';
import { getSplit } from '../store/splits';
import type { Store } from '../store/store';
import { insertStudy, insertStudyCell, listStudyRows, studyCells, studyRow, type StudyCellRow } from '../store/studies';
import { studyStatistics, type RunResult } from '../eval/study-stats';
import type { StudyDetail, StudyInfo, StudyListRow, RunStatistics } from '../domain/study-types';
import { fromSource, parseRunConfig } from '../domain/run-config';
import { SOURCE_METHODS } from '../domain/method';
import { withShortRunDefaults } from '../domain/short-run';
import { sourceRecord, stageOneWarnings, teacherRecord } from './runs-service';
import type { RunInfo, TeacherInfo } from '../domain/types';
import { parseStoredSpec, parseStudyRequest, planStudy, type PlannedRun, type StudySpec } from '../domain/study-plan';




function info(store: Store, name: string): { row: ReturnType<typeof studyRow>; spec: StudySpec; plan: PlannedRun[]; cells: StudyCellRow[] } {
  const row = studyRow(store, name);
  const spec = parseStoredSpec(row.name, row.spec);
  return { row, spec, plan: planStudy(row.name, spec), cells: studyCells(store, row.id) };
}

function describe(store: Store, name: string): StudyInfo {
  const { row, spec, plan, cells } = info(store, name);
  const byCell = new Map(cells.map((c) => [c.cell, c]));
  return {
    name: row.name, split: row.split, spec, createdAt: row.createdAt, planned: plan.length,
    runs: plan.flatMap((p) => {
      const c = byCell.get(p.cell);
      return c ? [{ cell: p.cell, run: c.run, role: p.role, method: p.method, seed: p.seed, status: c.status, epochsDone: c.epochsDone }] : [];
    }),
  };
}

/** Run results for the statistics: from a study's plan, or from named runs grouped by method. */
export function runResult(run: RunInfo, role: 'teacher' | 'student', params: Record<string, number>): RunResult {
  const m = run.status === 'completed' ? run.metrics : null;
  return {
    name: run.name, role, method: run.method, params, seed: Number(run.config.seed ?? 0), teacher: run.teacher, warnings: run.warnings,
    metrics: m ? { top1: m.top1, many: m.many, medium: m.medium, few: m.few, ece: m.ece, perClass: m.perClass } : null,
  };
}

export function createStudyService(store: Store) {
  return {
    createStudy(req: unknown): StudyInfo {
      const { name, spec } = parseStudyRequest(req);
      const split = getSplit(store, spec.split);
      store.db.transaction(() => insertStudy(store, name, split.id, spec)).immediate();
      return describe(store, name);
    },

    /**
     * Queues every planned run that has none yet, and puts the study's interrupted or cancelled
     * runs back in the queue (they resume from their checkpoints). One transaction; returns the ids
     * of the study's runs that are not completed yet (what an executor still has to do).
     */
    queueStudy(name: string): number[] {
      const { row, plan, cells } = info(store, name);
      const byCell = new Map(cells.map((c) => [c.cell, c]));
      const split = getSplit(store, row.splitId);
      return store.db.transaction(() => {
        const ids = new Map<string, number>(cells.map((c) => [c.cell, c.runId]));
        for (const p of plan) {
          if (byCell.has(p.cell)) continue;
          assertNameFree(store, 'runs', p.name);
          // the short-run rule of `dive train` (a smaller batch and lr unless the study sets them)
          let cfg = parseRunConfig(withShortRunDefaults(p.config, split.total));
          const teacherId = p.teacherCell ? ids.get(p.teacherCell) ?? null : null;
          if (p.teacherCell && teacherId === null) throw new Error(`study ${row.name}: teacher cell ${p.teacherCell} has no run`);
          let teacher: { teacherInfo: TeacherInfo; warnings: string[] } | null = null;
          if (teacherId !== null && SOURCE_METHODS.includes(cfg.method)) {
            // its stage-1 ce run (queued or done): the run keeps its model, seed and holdout
            const s = getRun(store, teacherId);
            cfg = fromSource(p.config, cfg, s.config, s.name);
            teacher = { teacherInfo: sourceRecord(s, cfg), warnings: stageOneWarnings(s, cfg.method) };
          } else if (teacherId !== null) teacher = teacherRecord(getRun(store, teacherId), cfg, split);
          const id = insertRun(store, { name: p.name, splitId: row.splitId, teacherId, method: cfg.method, model: cfg.model, config: cfg, teacherInfo: teacher?.teacherInfo ?? null, warnings: teacher?.warnings ?? [] });
          insertStudyCell(store, row.id, p.cell, id);
          ids.set(p.cell, id);
        }
        // the store's one requeue: no lease or claim of an earlier owner survives it
        requeueRuns(store, cells.map((c) => c.runId), { from: ['interrupted', 'cancelled'] });
        return studyCells(store, row.id).filter((c) => c.status !== 'completed').map((c) => c.runId);
      }).immediate();
    },

    getStudy(name: string): StudyDetail {
      const base = describe(store, name);
      const split = getSplit(store, base.split);
      const { plan } = info(store, name);
      const planByCell = new Map(plan.map((p) => [p.cell, p]));
      const results = base.runs.map((r) => {
        const p = planByCell.get(r.cell)!;
        return runResult(getRun(store, r.run), p.role, p.params);
      });
      return { ...base, ...studyStatistics(results, split.counts), classNames: getDataset(store, split.datasetId).classNames, counts: split.counts };
    },

    listStudies(): StudyListRow[] {
      return listStudyRows(store).map((r) => {
        const spec = parseStoredSpec(r.name, r.spec);
        return { name: r.name, split: r.split, methods: spec.methods, seeds: spec.seeds, planned: planStudy(r.name, spec).length, runs: r.runs, completed: r.completed, createdAt: r.createdAt };
      });
    },

    /** Moves the study to the trash; with its runs (and students distilled from them) only with cascade (store/deletes.ts). */
    deleteStudy(name: string, opts: DeleteOptions = {}): StudyInfo & Deleted {
      return { ...describe(store, name), ...trashObject(store, 'study', name, opts) };
    },
  };
}

export type { StudyDetail, StudyInfo, StudyListRow };

/** Groups named runs by method and the hyper-parameters that define it, paired by seed: `dive compare --stats`. */
export function runStatistics(store: Store, names: readonly string[]): RunStatistics {
  const runs = names.map((n) => getRun(store, n));
  const splits = new Set(runs.map((r) => r.split));
  if (splits.size > 1) throw new UserError(`runs are on different splits (${[...splits].join(', ')}); statistics pair runs of one split`);
  const split = getSplit(store, runs[0].splitId);
  const results = runs.map((r) => {
    const cfg = parseRunConfig(r.config);
    const keys = cfg.method === 'dive' ? (['tau', 'power', 'alpha'] as const) : cfg.method === 'kd' ? (['tau', 'alpha'] as const) : [];
    const params = Object.fromEntries(keys.map((k) => [k, cfg.params[k]]));
    return runResult(r, 'student', params);
  });
  return { ...studyStatistics(results, split.counts), classNames: getDataset(store, split.datasetId).classNames };
}
