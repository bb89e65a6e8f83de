// A study's plan as pure functions: which runs (cells) a study of methods x seeds x grid needs,
// with the teachers its distillation methods need first. Planning the same spec twice gives the
// same cells, which is what makes `dive study run` idempotent: only cells without a run are queued.
//
// Decisions (the issue's, and where it was silent, what a W&B / MLflow sweep user expects):
// - `seeds: 3` means student seeds 1, 2, 3; a list gives them explicitly.
// - Teachers are Balanced-Softmax runs (`teacher.method`), one per student seed with seed
//   seed + teacher.seedOffset (default 100), or one shared teacher (seed teacher.seed, default 100).
//   A teacher's seed is never a student's seed: a student that starts from its teacher's initial
//   weights and batch order re-learns the teacher.
// - A grid value applies only to methods that use it (tau, alpha: kd and dive; power: dive); the
//   other methods get one cell. A grid naming no chosen method's parameter is refused.
// - The methods that start from a stage-1 run (crt, lws, tau-norm, logit-adjust) get a plain
//   cross-entropy run per seed with the study's recipe, on the same seed (so the paired comparison
//   against ce is of one backbone, and the run keeps its stage-1 seed and holdout: fromSource): the
//   study's own ce run of that seed when ce is among its methods, else a `stage1` run of its own.
//   They keep their own training recipe (classifier-balancing's for crt and lws: METHOD_RUN_DEFAULTS)
//   rather than the study's, which is the stage-1 run's; augmentation, backend and the like are shared.
import { z } from 'zod';
import { issueProblems, UserError, withPathPrefix } from './errors';
import { MODELS, parseRunConfig } from './run-config';
import { METHODS, SOURCE_METHODS, TEACHER_METHODS, type Method } from './method';

/** What a stage-2 cell does not take from the study's shared config: the stage-1 run's recipe and what it inherits from it. */
const STAGE_ONE_KEYS = ['model', 'epochs', 'batchSize', 'lr', 'weightDecay', 'schedule', 'warmupEpochs', 'warmupForm', 'milestones', 'gamma', 'valFraction', 'normHead'];

const Name = z.string().trim().min(1, 'must not be empty');
const positive = z.number().refine(Number.isFinite, 'must be a finite number').gt(0);
const Seed = z.number().int().min(0).max(0x7fffffff);

export const GRID_KEYS = ['tau', 'power', 'alpha'] as const;
export type GridKey = (typeof GRID_KEYS)[number];
/** the methods whose loss reads each grid parameter */
export const GRID_METHODS: Record<GridKey, readonly Method[]> = { tau: ['kd', 'dive'], power: ['dive'], alpha: ['kd', 'dive'] };

export const StudyRequestSchema = z.strictObject({
  name: Name.max(64).regex(/^[\w.-]+$/, 'use letters, digits, ".", "_" or "-" (it prefixes run names)'),
  split: Name,
  methods: z.array(z.enum(METHODS)).min(1, 'name at least one method').refine((m) => new Set(m).size === m.length, 'a method is listed twice'),
  /** a count N (seeds 1..N) or the seeds themselves */
  seeds: z.union([z.number().int().min(1).max(100), z.array(Seed).min(1).max(100)]).default(3),
  grid: z.strictObject({ tau: z.array(positive).min(1).optional(), power: z.array(positive.max(1)).min(1).optional(), alpha: z.array(positive.max(1)).min(1).optional() }).default({}),
  /** RunConfig input shared by every run (method and seed are set per cell) */
  config: z.record(z.string(), z.unknown()).default({}),
  teacher: z
    .strictObject({
      method: z.enum(METHODS).default('bsce'),
      shared: z.boolean().default(false),
      /** the shared teacher's seed */
      seed: Seed.default(100),
      /** a per-seed teacher's seed is the student's seed plus this */
      seedOffset: z.number().int().min(1).default(100),
      /** the teacher's own recipe: longer or larger than the students' is the common case */
      epochs: z.number().int().min(1).optional(),
      model: z.enum(MODELS).optional(),
    })
    .prefault({}),
});
export type StudyRequest = z.input<typeof StudyRequestSchema>;

/** A study's spec as stored: defaults filled in, seeds as a list. */
export interface StudySpec {
  split: string;
  methods: Method[];
  seeds: number[];
  grid: Partial<Record<GridKey, number[]>>;
  config: Record<string, unknown>;
  teacher: { method: Method; shared: boolean; seed: number; seedOffset: number; epochs?: number; model?: (typeof MODELS)[number] };
}

export interface PlannedRun {
  /** stable key of this cell within the study */
  cell: string;
  role: 'teacher' | 'student';
  name: string;
  method: Method;
  seed: number;
  /** grid values of this cell (empty for methods without a grid) */
  params: Partial<Record<GridKey, number>>;
  /** RunConfig input of the run */
  config: Record<string, unknown>;
  /** cell of its teacher (kd, dive) */
  teacherCell: string | null;
}

/** A study's stored spec (the JSON createStudy wrote), validated again on the way in. */
export function parseStoredSpec(name: string, json: string): StudySpec {
  return parseStudyRequest({ ...(JSON.parse(json) as object), name }).spec;
}

export function parseStudyRequest(input: unknown): { name: string; spec: StudySpec } {
  const r = StudyRequestSchema.safeParse(input);
  if (!r.success) {
    const problems = r.error.issues.map((i) => `${i.path.length ? i.path.map(String).join('.') : 'study'}: ${i.message}`);
    throw new UserError(`invalid study: ${problems.join('; ')}`, issueProblems(r.error.issues));
  }
  const q = r.data;
  const seeds = typeof q.seeds === 'number' ? Array.from({ length: q.seeds }, (_, i) => i + 1) : q.seeds;
  if (new Set(seeds).size !== seeds.length) throw new UserError('seeds: a seed is listed twice', [{ path: ['seeds'], message: 'a seed is listed twice' }]);
  for (const k of ['method', 'seed'] as const) if (k in q.config) throw new UserError(`config.${k}: set per run by the study; use methods / seeds`, [{ path: ['config', k], message: 'set per run by the study' }]);
  const grid: Partial<Record<GridKey, number[]>> = {};
  for (const k of GRID_KEYS) {
    const values = q.grid[k];
    if (!values) continue;
    if (!q.methods.some((m) => GRID_METHODS[k].includes(m))) {
      throw new UserError(`grid ${k}: applies to ${GRID_METHODS[k].join(' and ')}, and the study has neither`, [{ path: ['grid', k], message: `applies to ${GRID_METHODS[k].join(' and ')}, and the study has neither` }]);
    }
    grid[k] = [...new Set(values)];
  }
  const spec: StudySpec = { split: q.split, methods: q.methods, seeds, grid, config: q.config, teacher: q.teacher };
  planStudy(q.name, spec); // every run's config is validated now, not when it reaches the queue
  return { name: q.name, spec };
}

const paramTag = (p: Partial<Record<GridKey, number>>) => GRID_KEYS.filter((k) => p[k] !== undefined).map((k) => `${k}=${p[k]}`).join(':');

/** Every combination of the grid values that apply to `method`. */
export function gridCells(method: Method, grid: StudySpec['grid']): Partial<Record<GridKey, number>>[] {
  let cells: Partial<Record<GridKey, number>>[] = [{}];
  for (const k of GRID_KEYS) {
    const values = grid[k];
    if (!values || !GRID_METHODS[k].includes(method)) continue;
    cells = cells.flatMap((c) => values.map((v) => ({ ...c, [k]: v })));
  }
  return cells;
}

/** The runs a study needs, teachers first. Throws a UserError naming the field when a run's config is invalid. */
export function planStudy(study: string, spec: StudySpec): PlannedRun[] {
  const needsTeacher = spec.methods.some((m) => TEACHER_METHODS.includes(m));
  const t = spec.teacher;
  const teacherSeedOf = (seed: number) => (t.shared ? t.seed : seed + t.seedOffset);
  const out: PlannedRun[] = [];
  if (needsTeacher) {
    const teacherSeeds = [...new Set(spec.seeds.map(teacherSeedOf))];
    const clash = teacherSeeds.find((s) => spec.seeds.includes(s));
    if (clash !== undefined) throw new UserError(`teacher seed ${clash} is also a student seed; choose another teacher seed (offset) so students do not re-learn their teacher`);
    for (const seed of teacherSeeds) {
      const config = { ...spec.config, method: t.method, seed, ...(t.epochs ? { epochs: t.epochs } : {}), ...(t.model ? { model: t.model } : {}) };
      out.push({ cell: `teacher:${t.method}:s${seed}`, role: 'teacher', name: `${study}-teacher-s${seed}`, method: t.method, seed, params: {}, config, teacherCell: null });
    }
  }
  const fromSource = spec.methods.filter((m) => SOURCE_METHODS.includes(m));
  const stageOneCell = (seed: number) => (spec.methods.includes('ce') ? `student:ce:s${seed}` : `stage1:ce:s${seed}`);
  if (fromSource.length && !spec.methods.includes('ce')) {
    for (const seed of spec.seeds) out.push({ cell: stageOneCell(seed), role: 'teacher', name: `${study}-stage1-ce-s${seed}`, method: 'ce', seed, params: {}, config: { ...spec.config, method: 'ce', seed }, teacherCell: null });
  }
  const given = (spec.config.params ?? {}) as Record<string, unknown>;
  const ownRecipe = Object.fromEntries(Object.entries(spec.config).filter(([k]) => !STAGE_ONE_KEYS.includes(k)));
  // stage-2 methods last, so a stage-1 ce cell is planned (and queued) before them
  for (const method of [...spec.methods.filter((m) => !SOURCE_METHODS.includes(m)), ...fromSource]) {
    for (const params of gridCells(method, spec.grid)) {
      for (const seed of spec.seeds) {
        const tag = paramTag(params);
        const stage2 = SOURCE_METHODS.includes(method);
        const teacherCell = TEACHER_METHODS.includes(method) ? `teacher:${t.method}:s${teacherSeedOf(seed)}` : stage2 ? stageOneCell(seed) : null;
        const config = stage2 ? { ...ownRecipe, method, params: { ...given, ...params } } : { ...spec.config, method, seed, params: { ...given, ...params } };
        out.push({
          cell: `student:${method}${tag ? `:${tag}` : ''}:s${seed}`,
          role: 'student',
          name: `${study}-${method}${tag ? `-${tag.replace(/[=:]/g, '')}` : ''}-s${seed}`,
          method, seed, params, config, teacherCell,
        });
      }
    }
  }
  for (const p of out) {
    try {
      parseRunConfig(p.config);
    } catch (e) {
      // the shared config is the study request's `config`: its problems belong to that field
      const inner = withPathPrefix(e, ['config']);
      throw new UserError(`run ${p.name}: ${e instanceof Error ? e.message : String(e)}`, inner instanceof UserError ? inner.problems : []);
    }
  }
  return out;
}
