// Requests about runs: train, list, virtual examples, export, the paper's recipe. One schema per
// request, so a front door validates once and the handler receives the parsed, typed value.
import { z } from 'zod';
import { Name, NewName } from './fields';
import { BACKENDS, MODELS, RUN_DEFAULTS, RunConfigSchema, type ImageShape, type ModelKind } from './run-config';
import type { StudyRequest } from './study-plan';
import { RUN_STATUSES } from './types';
import { METHODS } from './method';

/**
 * A run's config as the caller gave it, validated whole against RunConfigSchema but handed on
 * unparsed: what the caller left out of batchSize and lr is chosen with the split in view (the
 * short-run rule, domain/short-run.ts), then app/runs-service.ts parses it.
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
  /** a safetensors file (PyTorch state_dict names, docs/pytorch/models.py) the run starts from */
  initWeights: z.string().min(1, 'must not be empty').optional(),
  /** a completed run on the same dataset whose weights the run starts from */
  initFrom: Name.optional(),
  /** with initWeights: a classifier of another class count is left fresh (trained from the seeded init) */
  resetHead: z.boolean().optional(),
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

/**
 * How a trained model leaves the workbench: `tfjs` a folder (model.json manifest, weights.bin,
 * run.json), `onnx` one .onnx file (normalisation inside the graph, softmax output), `safetensors`
 * the PyTorch state_dict of docs/pytorch/models.py.
 */
export const EXPORT_FORMATS = ['tfjs', 'onnx', 'safetensors'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];
/** the file name ending of each one-file format */
export const EXPORT_EXTENSIONS: Record<Exclude<ExportFormat, 'tfjs'>, string> = { onnx: '.onnx', safetensors: '.safetensors' };

export const ExportRequestSchema = z
  .strictObject({
    run: Name,
    format: z.enum(EXPORT_FORMATS).default('tfjs'),
    /** tfjs: a new or empty folder (the older name of `out`) */
    dir: z.string().min(1, 'must not be empty').optional(),
    /** tfjs: a new or empty folder; onnx, safetensors: a file that does not exist yet */
    out: z.string().min(1, 'must not be empty').optional(),
  })
  .superRefine((r, ctx) => {
    if (r.dir !== undefined && r.out !== undefined) ctx.addIssue({ code: 'custom', path: ['dir'], message: 'give the folder once: dir or out' });
    else if (r.dir === undefined && r.out === undefined) ctx.addIssue({ code: 'custom', path: ['dir'], message: 'say where to write the export: dir (a folder) or out (a folder for tfjs, a file for onnx and safetensors)' });
    else if (r.dir !== undefined && r.format !== 'tfjs') ctx.addIssue({ code: 'custom', path: ['dir'], message: `a ${r.format} export is one file: give out` });
  });

/** dive import-run: a run trained elsewhere, registered on a split and evaluated on its test set. */
export const ImportRunRequestSchema = z.strictObject({
  /** a safetensors file on the core's machine (PyTorch state_dict names, docs/pytorch/models.py) */
  file: z.string().min(1, 'must not be empty'),
  split: Name,
  name: NewName,
  /** the loss it was trained with (a DiVE teacher should be bsce) */
  method: z.enum(METHODS).default('bsce'),
});
export type ImportRunRequest = z.output<typeof ImportRunRequestSchema>;

/** The most images one predict call sends (the run page sends one per call) and the largest, decoded from base64. */
export const PREDICT_LIMITS = { images: 16, bytes: 2 * 1024 * 1024 };

export const PredictRequestSchema = z
  .strictObject({
    run: Name,
    /** image files or folders of them on the core's machine (dive predict) */
    files: z.array(z.string().min(1, 'must not be empty')).min(1).max(100_000).optional(),
    /** images sent with the call (the run page's "Try it"), their bytes in base64 */
    images: z
      .array(z.strictObject({
        name: z.string().min(1).max(255),
        data: z.string().max(Math.ceil(PREDICT_LIMITS.bytes / 3) * 4, `an image over ${PREDICT_LIMITS.bytes / 1024 / 1024} MiB: shrink it first`),
      }))
      .min(1)
      .max(PREDICT_LIMITS.images, `at most ${PREDICT_LIMITS.images} images a call`)
      .optional(),
    /** classes per image, most probable first */
    top: z.number().int().min(1).max(1000).default(5),
  })
  .superRefine((r, ctx) => {
    if (!r.files === !r.images) ctx.addIssue({ code: 'custom', path: ['files'], message: 'give image files or images, one of the two' });
  });

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
