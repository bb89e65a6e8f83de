// The training run's configuration: one zod schema for every front door, defaults filled in once
// so the stored JSON is the whole recipe (re-parsing a parsed config returns it unchanged).
//
// Defaults follow the paper's CIFAR-LT recipe (../shared/docs/dive-method.md): ResNet-32, batch 128,
// lr 0.1, SGD momentum 0.9, weight decay 2e-4, 200 epochs, 5 warm-up epochs, lr x0.01 at epochs
// 120 and 160. Decision on epoch-based settings for runs shorter than 200 epochs: a setting the
// caller leaves out scales with `epochs` (milestones at 60% and 80% of the run, LDAM-DRW's drwEpoch
// at 80%, warm-up min(5, floor(epochs / 10)) but at least 1); one the caller gives explicitly must fit inside
// the run, otherwise the parse fails naming the field. So `epochs: 200` alone reproduces the
// paper exactly, and `epochs: 20` alone is a faithful miniature of it.
import { z } from 'zod';
import { parseWith, UserError } from './errors';
import { METHOD_RUN_DEFAULTS, methodPreset, METHODS, POSTHOC_METHODS, SOURCE_METHODS, type Method, type MethodParams } from './method';

export const MODELS = ['mlp', 'cnn', 'resnet8', 'resnet20', 'resnet32'] as const;
export type ModelKind = (typeof MODELS)[number];

/** TF.js backends, best first: `backend` in a run config names one (null: the best available). */
export const BACKENDS = ['tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKENDS)[number];

export const SCHEDULES = ['step', 'cosine'] as const;
export type ScheduleKind = (typeof SCHEDULES)[number];

/** How the linear warm-up rises: every step (default) or once per epoch (the reference code). */
export const WARMUP_FORMS = ['step', 'epoch'] as const;
export type WarmupForm = (typeof WARMUP_FORMS)[number];

/** Largest validation share a run may hold out of its training split. */
export const MAX_VAL_FRACTION = 0.5;

/** [height, width, channels] */
export type ImageShape = [number, number, number];

export interface RunConfig {
  method: Method;
  model: ModelKind;
  epochs: number;
  batchSize: number;
  /** base learning rate (after warm-up, before decay) */
  lr: number;
  momentum: number;
  /** L2 weight decay, applied to every trainable tensor (conv, linear, bias, batch-norm), as the reference code does */
  weightDecay: number;
  /** linear warm-up epochs: lr * (e + 1) / warmupEpochs for 0-based epoch e < warmupEpochs */
  warmupEpochs: number;
  /** 'step': the warm-up factor rises every batch; 'epoch': once per epoch (see schedule.ts) */
  warmupForm: WarmupForm;
  schedule: ScheduleKind;
  /** 0-based epochs at which a step schedule multiplies the lr by gamma (cumulative) */
  milestones: number[];
  gamma: number;
  seed: number;
  augment: { crop: boolean; flip: boolean };
  /** zero padding (pixels) before the random crop; null: round(min(H, W) / 8), i.e. 4 for 32x32 */
  padding: number | null;
  /**
   * Cosine classifier (LDAM-DRW's NormedLinear: logits are cosines between the normalised
   * feature and class weight). Default: on for ldam-drw, whose scale s = 30 assumes it.
   */
  normHead: boolean;
  params: MethodParams;
  /** preferred TF.js backend name; null: the best available */
  backend: BackendName | null;
  /** wasm compute threads; null: one per logical core */
  threads: number | null;
  /** let the webgpu rung use a software adapter (SwiftShader and the like; for tests) */
  allowSoftwareAdapter: boolean;
  /**
   * Evaluate on the test set every K epochs (the last epoch always); null: chosen from the data
   * sizes so that evaluation stays under a quarter of the training time (holdout.ts `autoEvalEvery`).
   */
  evalEvery: number | null;
  /**
   * Share of each class's training images held out (stratified, seeded by `seed`) as a validation
   * set: never trained on, evaluated with the test set. 0: no holdout.
   */
  valFraction: number;
}

const finite = () => z.number().refine(Number.isFinite, 'must be a finite number');

const ParamsInput = z.strictObject({
  focalGamma: finite().min(0).optional(),
  cbBeta: finite().min(0).max(1).optional(),
  drwEpoch: z.number().int().min(0).optional(),
  ldamScale: finite().gt(0).optional(),
  ldamMaxMargin: finite().gt(0).optional(),
  tau: finite().gt(0).optional(),
  // DiVE's power normalisation flattens the teacher's distribution: p in (0, 1], as `dive ve` checks
  power: finite().gt(0).max(1, 'must be <= 1').optional(),
  alpha: finite().min(0).max(1).optional(),
  laTau: finite().min(0).max(100).optional(),
  tauNorm: finite().min(0).max(100).optional(),
});

/**
 * The value of every field a caller may leave out: the paper's CIFAR-LT recipe. The schema below,
 * the CLI's help and the renderer's form all read them from here when they run, so a default
 * changed here is changed at every door (test/unit/defaults-follow.test.ts changes one and looks).
 */
export const RUN_DEFAULTS: {
  model: ModelKind; epochs: number; batchSize: number; lr: number; momentum: number; weightDecay: number;
  schedule: ScheduleKind; gamma: number; seed: number;
  /** the paper's milestones, 120 and 160 of 200 epochs, as fractions of the run */
  milestoneFractions: number[];
  /** LDAM-DRW's re-weighting starts at this fraction of the run (160 of 200) */
  drwFraction: number;
  /** warm-up is min(warmupMax, floor(epochs / 10)) epochs, at least 1 in runs of 2 or more */
  warmupMax: number;
  warmupForm: WarmupForm;
  /** null: chosen from the data sizes (holdout.ts `autoEvalEvery`) */
  evalEvery: number | null;
  valFraction: number;
  /** wasm compute threads; null: one per logical core */
  threads: number | null;
  /** whether the webgpu rung may use a software adapter (SwiftShader and the like) */
  allowSoftwareAdapter: boolean;
} = {
  model: 'resnet32', epochs: 200, batchSize: 128, lr: 0.1, momentum: 0.9, weightDecay: 2e-4,
  schedule: 'step', gamma: 0.01, seed: 0, milestoneFractions: [0.6, 0.8], drwFraction: 0.8, warmupMax: 5,
  warmupForm: 'step', evalEvery: null, valFraction: 0, threads: null, allowSoftwareAdapter: false,
};

const RunConfigInput = z.strictObject({
  method: z.enum(METHODS),
  model: z.enum(MODELS).default(() => RUN_DEFAULTS.model),
  // epochs, batch, lr, weight decay and schedule default per method (methodDefaults)
  epochs: z.number().int().min(0).max(100_000).optional(),
  batchSize: z.number().int().min(1).max(65_536).optional(),
  lr: finite().gt(0).optional(),
  momentum: finite().min(0).lt(1).default(() => RUN_DEFAULTS.momentum),
  weightDecay: finite().min(0).optional(),
  warmupEpochs: z.number().int().min(0).optional(),
  warmupForm: z.enum(WARMUP_FORMS).default(() => RUN_DEFAULTS.warmupForm),
  schedule: z.enum(SCHEDULES).optional(),
  milestones: z.array(z.number().int().min(1)).optional(),
  gamma: finite().gt(0).max(1).default(() => RUN_DEFAULTS.gamma),
  seed: z.number().int().min(-0x80000000).max(0x7fffffff).default(() => RUN_DEFAULTS.seed),
  augment: z
    .strictObject({ crop: z.boolean().default(true), flip: z.boolean().default(true) })
    .prefault({}),
  padding: z.number().int().min(0).max(1024).nullable().default(null),
  normHead: z.boolean().optional(),
  params: ParamsInput.prefault({}),
  backend: z.enum(BACKENDS, { message: `must be one of ${BACKENDS.join(', ')}` }).nullable().default(null),
  threads: z.number().int().min(1).max(1024).nullable().default(() => RUN_DEFAULTS.threads),
  allowSoftwareAdapter: z.boolean().default(() => RUN_DEFAULTS.allowSoftwareAdapter),
  evalEvery: z.number().int().min(1).nullable().default(() => RUN_DEFAULTS.evalEvery),
  valFraction: finite().min(0).max(MAX_VAL_FRACTION).default(() => RUN_DEFAULTS.valFraction),
}).refine((c) => c.epochs === undefined || c.epochs >= 1 || POSTHOC_METHODS.includes(c.method), {
  path: ['epochs'],
  message: 'must be at least 1',
  // checked with the other fields' problems, so that every problem of a config is listed at once
  when: (p) => {
    const v = p.value as { epochs?: unknown; method?: unknown } | null;
    return typeof v === 'object' && v !== null && typeof v.epochs === 'number' && typeof v.method === 'string';
  },
});

/**
 * The defaults a method's run takes for what the caller leaves out: the paper's recipe
 * (RUN_DEFAULTS), with the decoupled methods' own (classifier-balancing's configs) and the
 * post-hoc methods' 0 epochs (METHOD_RUN_DEFAULTS).
 */
export function methodDefaults(method: Method): { epochs: number; batchSize: number; lr: number; weightDecay: number; schedule: ScheduleKind; warmupEpochs?: number } {
  const d = RUN_DEFAULTS;
  const m = METHOD_RUN_DEFAULTS[method];
  return { epochs: m?.epochs ?? d.epochs, batchSize: m?.batchSize ?? d.batchSize, lr: m?.lr ?? d.lr, weightDecay: m?.weightDecay ?? d.weightDecay, schedule: m?.schedule ?? d.schedule, warmupEpochs: m?.warmupEpochs };
}

export function defaultMilestones(epochs: number): number[] {
  const ms = RUN_DEFAULTS.milestoneFractions.map((f) => Math.round(epochs * f)).filter((m) => m >= 1 && m < epochs);
  return [...new Set(ms)];
}

/**
 * The paper's 5 warm-up epochs of 200, scaled: min(5, floor(epochs / 10)), but at least one epoch
 * in any run of 2 or more epochs, since with the per-step form a one-epoch warm-up is what keeps a
 * short run's first batches from diverging at the full learning rate.
 */
export function defaultWarmupEpochs(epochs: number): number {
  return epochs < 2 ? 0 : Math.max(1, Math.min(RUN_DEFAULTS.warmupMax, Math.floor(epochs / 10)));
}

export const RunConfigSchema = RunConfigInput.transform((c, ctx): RunConfig => {
  const fail = (path: (string | number)[], message: string): never => {
    ctx.issues.push({ code: 'custom', path, message, input: c });
    return z.NEVER;
  };
  const md = methodDefaults(c.method);
  const epochs = c.epochs ?? md.epochs;
  const posthoc = POSTHOC_METHODS.includes(c.method);
  if (posthoc && epochs !== 0) fail(['epochs'], `${c.method} adjusts a trained model and trains nothing: leave epochs out (0)`);
  if (SOURCE_METHODS.includes(c.method) && c.normHead) fail(['normHead'], `${c.method} keeps or trains a linear classifier: leave normHead out`);
  const milestones = c.milestones ?? defaultMilestones(epochs);
  milestones.forEach((m, i) => {
    if (m >= epochs) fail(['milestones', i], `milestone ${m} is not below epochs (${epochs}); leave milestones out to scale them with epochs`);
    if (i > 0 && m <= milestones[i - 1]) fail(['milestones', i], 'milestones must be strictly increasing');
  });
  const warmupEpochs = c.warmupEpochs ?? md.warmupEpochs ?? defaultWarmupEpochs(epochs);
  if (warmupEpochs > epochs) fail(['warmupEpochs'], `warm-up (${warmupEpochs} epochs) is longer than the run (${epochs} epochs)`);
  const given = c.params;
  if (c.method === 'ldam-drw' && given.drwEpoch !== undefined && given.drwEpoch >= epochs) {
    fail(['params', 'drwEpoch'], `DRW epoch ${given.drwEpoch} is not below epochs (${epochs}); leave it out to use 80% of the run`);
  }
  const defined = Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined)) as Partial<MethodParams>;
  const params: MethodParams = {
    ...methodPreset(c.method),
    // below the last epoch in any run, so the stored config validates again (1 or 2 epochs: from the start or the 2nd)
    drwEpoch: Math.max(0, Math.min(Math.round(epochs * RUN_DEFAULTS.drwFraction), epochs - 1)),
    ...defined,
  };
  return {
    method: c.method,
    model: c.model,
    epochs,
    batchSize: c.batchSize ?? md.batchSize,
    lr: c.lr ?? md.lr,
    momentum: c.momentum,
    weightDecay: c.weightDecay ?? md.weightDecay,
    warmupEpochs,
    warmupForm: c.warmupForm,
    schedule: c.schedule ?? md.schedule,
    milestones,
    gamma: c.gamma,
    seed: c.seed,
    augment: { crop: c.augment.crop, flip: c.augment.flip },
    padding: c.padding,
    normHead: c.normHead ?? c.method === 'ldam-drw',
    params,
    backend: c.backend,
    threads: c.threads,
    allowSoftwareAdapter: c.allowSoftwareAdapter,
    evalEvery: c.evalEvery,
    valFraction: c.valFraction,
  };
});

/**
 * A run that starts from a stage-1 run (`--from`) keeps what defines that run's backbone and data:
 * its model, and its seed and validation share, so that its validation holdout is the images the
 * backbone never trained on. A caller who gives one of them otherwise is refused, naming the field.
 * Its augmentation (and crop padding) is the stage-1 run's unless the caller gives one: the
 * reference re-trains the classifier with the stage-1 transforms, and features of images augmented
 * otherwise are not the ones the backbone learnt.
 */
export function fromSource(given: Record<string, unknown>, cfg: RunConfig, source: Pick<RunConfig, 'model' | 'seed' | 'valFraction' | 'augment' | 'padding'>, sourceName: string): RunConfig {
  for (const k of ['model', 'seed', 'valFraction'] as const) {
    if (given[k] !== undefined && given[k] !== source[k]) {
      throw new UserError(`invalid run config: ${k}: ${cfg.method} keeps its stage-1 run's ${k} (${source[k]} in ${sourceName}); leave it out`, [{ path: [k], message: `${cfg.method} keeps the stage-1 run's ${k} (${source[k]})` }]);
    }
  }
  return {
    ...cfg, model: source.model, seed: source.seed, valFraction: source.valFraction,
    augment: given.augment === undefined ? { ...source.augment } : cfg.augment,
    padding: given.padding === undefined ? source.padding : cfg.padding,
  };
}

/** What a caller sends (anything but `method` may be left out). */
export type RunConfigInput = z.input<typeof RunConfigSchema>;

/** Validates a run configuration; every problem is named by its field in one UserError line. */
export function parseRunConfig(input: unknown): RunConfig {
  return parseWith(RunConfigSchema, input, 'run config');
}

/** The crop padding for an image size: explicit, or round(min(H, W) / 8) (4 for CIFAR's 32x32). */
export function resolvePadding(cfg: Pick<RunConfig, 'padding'>, shape: ImageShape): number {
  return cfg.padding ?? Math.round(Math.min(shape[0], shape[1]) / 8);
}
