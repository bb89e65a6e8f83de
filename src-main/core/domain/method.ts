// The training methods and their hyper-parameters: one place for names and the paper's defaults.
// See ../shared/docs/dive-method.md and docs/methods.md (the decoupled and post-hoc baselines) for
// the formulas; losses.ts, decoupled.ts and eval/posthoc.ts implement them.

export const METHODS = ['ce', 'focal', 'cb', 'ldam-drw', 'bsce', 'la-loss', 'kd', 'dive', 'crt', 'lws', 'tau-norm', 'logit-adjust'] as const;
export type Method = (typeof METHODS)[number];

/** Methods whose loss needs a frozen teacher's logits on the same augmented batch. */
export const TEACHER_METHODS: readonly Method[] = ['kd', 'dive'];

/**
 * Methods that start from a completed run of the same split (`--from RUN`, its "stage 1": Kang et
 * al. 2020's decoupling, Menon et al. 2021's post-hoc adjustment): they keep its backbone.
 */
export const SOURCE_METHODS: readonly Method[] = ['crt', 'lws', 'tau-norm', 'logit-adjust'];

/** Source methods that train nothing: the run's model is the stage-1 model with its classifier or logits adjusted. */
export const POSTHOC_METHODS: readonly Method[] = ['tau-norm', 'logit-adjust'];

/** Source methods that read the stage-1 model's linear classifier (weight norms, bias): a cosine head is refused. */
export const LINEAR_HEAD_METHODS: readonly Method[] = ['lws', 'tau-norm', 'logit-adjust'];

/**
 * What decoupled classifier training does differently from the paper's recipe when the caller
 * leaves it out: facebookresearch/classifier-balancing's configs (ImageNet-LT cls_crt.yaml and
 * cls_lws.yaml): SGD lr 0.2, momentum 0.9, weight decay 5e-4, batch 512, cosine decay to 0, no
 * warm-up; 10 epochs for cRT, 5 for LWS. Post-hoc methods train 0 epochs.
 */
export const METHOD_RUN_DEFAULTS: Partial<Record<Method, { epochs: number; lr?: number; batchSize?: number; weightDecay?: number; schedule?: 'step' | 'cosine'; warmupEpochs?: number }>> = {
  crt: { epochs: 10, lr: 0.2, batchSize: 512, weightDecay: 5e-4, schedule: 'cosine', warmupEpochs: 0 },
  lws: { epochs: 5, lr: 0.2, batchSize: 512, weightDecay: 5e-4, schedule: 'cosine', warmupEpochs: 0 },
  'tau-norm': { epochs: 0 },
  'logit-adjust': { epochs: 0 },
};

export interface MethodParams {
  /** focal loss exponent gamma */
  focalGamma: number;
  /** class-balanced "effective number" beta (cb, and LDAM-DRW's deferred weights) */
  cbBeta: number;
  /** LDAM-DRW: first epoch (0-based) with class-balanced weights */
  drwEpoch: number;
  /** LDAM scale s */
  ldamScale: number;
  /** LDAM: margin of the rarest class */
  ldamMaxMargin: number;
  /** distillation temperature T (kd, dive) */
  tau: number;
  /** DiVE power normalisation p (1 = none) */
  power: number;
  /** weight of the distillation term */
  alpha: number;
  /** logit adjustment tau (Menon et al.): la-loss trains on z + tau log pi, logit-adjust predicts with z - tau log pi */
  laTau: number;
  /** tau-normalisation (Kang et al.): class weight w_j divided by ||w_j||^tauNorm */
  tauNorm: number;
}

export const DEFAULT_METHOD_PARAMS: MethodParams = {
  focalGamma: 1,
  cbBeta: 0.9999,
  drwEpoch: 160,
  ldamScale: 30,
  ldamMaxMargin: 0.5,
  tau: 3,
  power: 0.5,
  alpha: 0.5,
  laTau: 1,
  tauNorm: 1,
};

/** Per-method overrides of the defaults above (the paper's presets): KD has no power normalisation. */
export const METHOD_PRESETS: Record<Method, Partial<MethodParams>> = {
  ce: {},
  focal: {},
  cb: {},
  'ldam-drw': {},
  bsce: {},
  'la-loss': {},
  kd: { power: 1 },
  dive: {},
  crt: {},
  lws: {},
  'tau-norm': {},
  'logit-adjust': {},
};

/** The hyper-parameters each method's loss reads (what a form shows, what a comparison names). */
export const METHOD_PARAM_KEYS: Record<Method, readonly (keyof MethodParams)[]> = {
  ce: [],
  focal: ['focalGamma'],
  cb: ['cbBeta'],
  'ldam-drw': ['ldamScale', 'ldamMaxMargin'],
  bsce: [],
  'la-loss': ['laTau'],
  kd: ['tau', 'alpha'],
  dive: ['tau', 'power', 'alpha'],
  crt: [],
  lws: [],
  'tau-norm': ['tauNorm'],
  'logit-adjust': ['laTau'],
};

/** A method's parameters before `drwEpoch` is scaled to the run: the defaults with its preset. */
export function methodPreset(method: Method): MethodParams {
  return { ...DEFAULT_METHOD_PARAMS, ...METHOD_PRESETS[method] };
}
