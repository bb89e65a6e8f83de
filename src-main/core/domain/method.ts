// The training methods and their hyper-parameters: one place for names and the paper's defaults.
// See ../shared/docs/dive-method.md for the formulas; losses.ts implements them.

export const METHODS = ['ce', 'focal', 'cb', 'ldam-drw', 'bsce', 'kd', 'dive'] as const;
export type Method = (typeof METHODS)[number];

/** Methods whose loss needs a frozen teacher's logits on the same augmented batch. */
export const TEACHER_METHODS: readonly Method[] = ['kd', 'dive'];

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
};

/** Per-method overrides of the defaults above (the paper's presets): KD has no power normalisation. */
export const METHOD_PRESETS: Record<Method, Partial<MethodParams>> = {
  ce: {},
  focal: {},
  cb: {},
  'ldam-drw': {},
  bsce: {},
  kd: { power: 1 },
  dive: {},
};

/** The hyper-parameters each method's loss reads (what a form shows, what a comparison names). */
export const METHOD_PARAM_KEYS: Record<Method, readonly (keyof MethodParams)[]> = {
  ce: [],
  focal: ['focalGamma'],
  cb: ['cbBeta'],
  'ldam-drw': ['ldamScale', 'ldamMaxMargin'],
  bsce: [],
  kd: ['tau', 'alpha'],
  dive: ['tau', 'power', 'alpha'],
};

/** A method's parameters before `drwEpoch` is scaled to the run: the defaults with its preset. */
export function methodPreset(method: Method): MethodParams {
  return { ...DEFAULT_METHOD_PARAMS, ...METHOD_PRESETS[method] };
}
