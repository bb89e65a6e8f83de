// Requests about runs: train, list, virtual examples, export, the paper's recipe. One schema per
// request, so a front door validates once and the handler receives the parsed, typed value.
import { z } from 'zod';
import { Name, NewName } from './fields';
import { BACKENDS, MODELS, RUN_DEFAULTS, RunConfigSchema, type ImageShape, type ModelKind } from './run-config';
import type { StudyRequest } from './study-plan';
import { RUN_STATUSES } from './types';

/**
 * A run's config as the caller gave it, validated whole against RunConfigSchema but handed on
 * unparsed: what the caller left out of batchSize and lr is chosen with the split in view (the
 * short-run rule, train/short-run.ts), then app/runs-service.ts parses it.
 */
const TrainConfig = z.record(z.string(), z.unknown()).superRefine((v, ctx) => {
  const r = RunConfigSchema.safeParse(v);
  // each issue as it is (code, bounds, message), so a form can word it (domain/errors.ts issueWords)
  if (!r.success) for (const i of r.error.issues) ctx.addIssue({ ...i });
}) as unknown as z.ZodType<z.input<typeof RunConfigSchema>, z.input<typeof RunConfigSchema>>;

export const TrainRequestSchema = z.strictObject({
  split: Name,
  /** default: method-model-split-N */
  name: NewName.optional(),
  /** a completed run on the same dataset (kd, dive) */
  teacher: Name.optional(),
  /** the completed stage-1 run of the same split a crt, lws, tau-norm or logit-adjust run starts from */
  from: Name.optional(),
  /** method is required, everything else has the paper's defaults */
  config: TrainConfig,
});
export type TrainRequest = z.input<typeof TrainRequestSchema>;
export type ParsedTrainRequest = z.output<typeof TrainRequestSchema>;

export const RunFilterSchema = z.strictObject({
  split: Name.optional(),
  status: z.enum(RUN_STATUSES).optional(),
});

/** The paper's settings for the virtual-example distribution (Fig. 5): T = 3, p = 0.5. */
export const VirtualExamplesRequestSchema = z.strictObject({
  run: Name,
  tau: z.number().gt(0, 'must be > 0').default(3),
  power: z.number().gt(0, 'must be > 0').max(1, 'must be <= 1').default(0.5),
});

export const VeSweepRequestSchema = z.strictObject({
  run: Name,
  power: z.number().gt(0, 'must be > 0').max(1, 'must be <= 1').default(0.5),
  /** T values to try; default SWEEP_TAUS */
  taus: z.array(z.number().gt(0, 'must be > 0')).min(1).max(100).optional(),
});

export const ExportRequestSchema = z.strictObject({ run: Name, dir: z.string().min(1, 'must not be empty') });

export const RECIPES = ['paper'] as const;

/** The paper's Table 1 on one split: a BSCE teacher, then CE, BSCE, LDAM-DRW, KD and DiVE students. */
export const RecipeRequestSchema = z.strictObject({
  recipe: z.enum(RECIPES),
  split: Name,
  /** the study's name (its runs' name prefix); default SPLIT-paper; an existing one is continued */
  prefix: Name.optional(),
  /** student seeds (a count N: 1..N, or a list), each with its own teacher on seed + 100; default: one student seed, seed + 1 */
  seeds: z.union([z.number().int().min(1).max(100), z.array(z.number().int().min(0)).min(1).max(100)]).optional(),
  model: z.enum(MODELS).optional(),
  epochs: z.number().int().min(1).optional(),
  batchSize: z.number().int().min(1).optional(),
  lr: z.number().gt(0).optional(),
  seed: z.number().int().optional(),
  backend: z.enum(BACKENDS).optional(),
});
export type RecipeRequest = z.output<typeof RecipeRequestSchema>;

/**
 * The recipe's warm-up form: the reference code's per-epoch form at the paper's scale (100 epochs
 * or more, 200 by default), where it is the paper exactly; per step in shorter runs, where a
 * per-epoch warm-up of one epoch would be no warm-up at all.
 */
export function paperWarmupForm(epochs: number | undefined): 'step' | 'epoch' {
  return (epochs ?? RUN_DEFAULTS.epochs) >= 100 ? 'epoch' : 'step';
}

/** The students' seed: one seed for all of them (a paired comparison), never the teacher's. */
export function studentSeed(teacherSeed: number): number {
  return teacherSeed === 0x7fffffff ? 0 : teacherSeed + 1;
}

/** The runs of the paper recipe, teacher first; students of kd and dive distil from it. */
export const PAPER_RECIPE = { teacher: 'bsce', students: ['ce', 'bsce', 'ldam-drw', 'kd', 'dive'] } as const;

/**
 * The paper recipe as a study: BSCE teachers, then the students. Without `seeds`, one teacher on
 * `seed` and the students on the next seed (none starts from its teacher's init); with `seeds`,
 * per-seed teachers on seed + 100 (or one shared teacher on `seed` when it is given too).
 */
export function paperStudyRequest(r: RecipeRequest, name: string): StudyRequest {
  const given = { model: r.model, epochs: r.epochs, batchSize: r.batchSize, lr: r.lr, backend: r.backend, warmupForm: paperWarmupForm(r.epochs) };
  const config = Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined));
  const seed = r.seed ?? RUN_DEFAULTS.seed;
  const shared = r.seeds === undefined || r.seed !== undefined;
  return {
    name, split: r.split, methods: [...PAPER_RECIPE.students], seeds: r.seeds ?? [studentSeed(seed)], config,
    teacher: shared ? { method: PAPER_RECIPE.teacher, shared: true, seed } : { method: PAPER_RECIPE.teacher },
  };
}

/** What `dive backends` / probeBackends time on each rung when the caller says nothing. */
export const PROBE_DEFAULTS: { model: ModelKind; imageShape: ImageShape; batchSize: number; steps: number; budgetSeconds: number } = {
  model: 'cnn', imageShape: [32, 32, 3], batchSize: 32, steps: 3, budgetSeconds: 5,
};

/** Every compute rung probed now (available or why not), with a few timed training steps of `model`. */
export const ProbeBackendsRequestSchema = z.strictObject({
  model: z.enum(MODELS).default(() => PROBE_DEFAULTS.model),
  /** [height, width, channels] of the synthetic images timed */
  imageShape: z.tuple([z.number().int().min(1).max(4096), z.number().int().min(1).max(4096), z.number().int().min(1).max(64)]).default(() => PROBE_DEFAULTS.imageShape),
  batchSize: z.number().int().min(1).max(65_536).default(() => PROBE_DEFAULTS.batchSize),
  /** timed steps per rung, after one untimed warm-up step */
  steps: z.number().int().min(1).max(10_000).default(() => PROBE_DEFAULTS.steps),
  /** stop timing a rung after this long (it reports the steps it did) */
  budgetSeconds: z.number().gt(0).default(() => PROBE_DEFAULTS.budgetSeconds),
  /** wasm compute threads; default: one per logical core */
  threads: z.number().int().min(1).max(1024).optional(),
  /** let webgpu use a software adapter (SwiftShader and the like) */
  allowSoftwareAdapter: z.boolean().optional(),
  /** only say what is available, time nothing */
  noTiming: z.boolean().optional(),
});
export type ProbeBackendsRequest = z.input<typeof ProbeBackendsRequestSchema>;
export type ProbeOptions = z.output<typeof ProbeBackendsRequestSchema>;
