// The train form: method presets with the paper's defaults, the fields' validation, and the
// request it sends. Validation mirrors the core's RunConfig schema so mistakes show beside the
// field; the core still validates everything and its message is shown if it disagrees.
import type { RunInfo } from '../../src-main/core/api/types';

export const METHOD_CHOICES = [
  { id: 'ce', label: 'Cross-entropy', blurb: 'Plain softmax cross-entropy: the baseline.' },
  { id: 'focal', label: 'Focal loss', blurb: 'Down-weights easy examples (gamma = 1).' },
  { id: 'cb', label: 'Class-balanced', blurb: 'Weights by the effective number of samples (beta = 0.9999).' },
  { id: 'ldam-drw', label: 'LDAM-DRW', blurb: 'Label-distribution-aware margins, re-weighting deferred to 80% of training.' },
  { id: 'bsce', label: 'Balanced softmax', blurb: 'Adds log n to the logits during training: the recommended teacher.' },
  { id: 'kd', label: 'Knowledge distillation', blurb: 'Hinton KD from a teacher run (T = 3, alpha = 0.5).' },
  { id: 'dive', label: 'DiVE', blurb: 'Distils virtual examples: T = 3, power p = 0.5, alpha = 0.5, BSCE on labels.' },
] as const;

export type MethodId = (typeof METHOD_CHOICES)[number]['id'];

export const MODEL_CHOICES = [
  { id: 'mlp', label: 'MLP', blurb: 'two hidden layers; seconds per epoch' },
  { id: 'cnn', label: 'Small CNN', blurb: 'a few conv layers; fast on CPU' },
  { id: 'resnet8', label: 'ResNet-8', blurb: 'CIFAR ResNet, 3 stages of 1 block' },
  { id: 'resnet20', label: 'ResNet-20', blurb: 'CIFAR ResNet, 3 x 3 blocks' },
  { id: 'resnet32', label: 'ResNet-32', blurb: "the paper's CIFAR-LT backbone" },
] as const;

export const TEACHER_METHODS: readonly string[] = ['kd', 'dive'];

export interface MethodFields {
  focalGamma: number;
  cbBeta: number;
  tau: number;
  power: number;
  alpha: number;
  ldamScale: number;
  ldamMaxMargin: number;
}

/** The paper's presets (src-main/core/train/method.ts); KD has no power normalisation. */
export function presetFor(method: string): MethodFields {
  const base: MethodFields = { focalGamma: 1, cbBeta: 0.9999, tau: 3, power: 0.5, alpha: 0.5, ldamScale: 30, ldamMaxMargin: 0.5 };
  return method === 'kd' ? { ...base, power: 1 } : base;
}

/** Which method fields the form shows for a method. */
export function methodFieldKeys(method: string): (keyof MethodFields)[] {
  switch (method) {
    case 'focal': return ['focalGamma'];
    case 'cb': return ['cbBeta'];
    case 'ldam-drw': return ['ldamScale', 'ldamMaxMargin'];
    case 'kd': return ['tau', 'alpha'];
    case 'dive': return ['tau', 'power', 'alpha'];
    default: return [];
  }
}

export interface TrainForm {
  split: string;
  name: string;
  teacher: string;
  method: string;
  model: string;
  epochs: number;
  /** blank (undefined): 128, or smaller for a short run on a small split (core train/short-run.ts) */
  batchSize: number | undefined;
  /** blank (undefined): 0.1 per 128 images of the batch */
  lr: number | undefined;
  momentum: number;
  weightDecay: number;
  /** blank: min(5, floor(epochs / 10)), at least 1 */
  warmupEpochs: string;
  /** 'step': the warm-up rises every batch; 'epoch': once per epoch (the reference code) */
  warmupForm: 'step' | 'epoch';
  /** blank: chosen from the data sizes (evaluation a small share of the run) */
  evalEvery: string;
  /** share of each class held out as a validation set; 0: none */
  valFraction: number;
  /** comma separated 0-based epochs; blank: 60% and 80% of the run */
  milestones: string;
  gamma: number;
  seed: number;
  crop: boolean;
  flip: boolean;
  /** '' for the best available */
  backend: string;
  params: MethodFields;
}

export function defaultForm(split = ''): TrainForm {
  return {
    split, name: '', teacher: '', method: 'bsce', model: 'resnet32', epochs: 200, batchSize: undefined, lr: undefined, momentum: 0.9,
    weightDecay: 2e-4, warmupEpochs: '', warmupForm: 'step', evalEvery: '', valFraction: 0, milestones: '', gamma: 0.01, seed: 0, crop: true, flip: true, backend: '',
    params: presetFor('bsce'),
  };
}

/** What the core fills in for a blank field, shown as the field's placeholder. */
export function defaultMilestones(epochs: number): number[] {
  return [...new Set([0.6, 0.8].map((f) => Math.round(epochs * f)).filter((m) => m >= 1 && m < epochs))];
}
export function defaultWarmup(epochs: number): number {
  return epochs < 2 ? 0 : Math.max(1, Math.min(5, Math.floor(epochs / 10)));
}

export function parseMilestones(s: string): number[] | null {
  const t = s.trim();
  if (!t) return [];
  const parts = t.split(/[\s,]+/).filter(Boolean);
  const out = parts.map(Number);
  return out.every((n) => Number.isInteger(n)) ? out : null;
}

const isNum = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

/** field → message, empty when the form can be sent. */
export function validate(f: TrainForm): Record<string, string> {
  const e: Record<string, string> = {};
  if (!f.split) e.split = 'choose a split';
  if (TEACHER_METHODS.includes(f.method) && !f.teacher) e.teacher = 'choose a completed teacher run';
  if (!Number.isInteger(f.epochs) || f.epochs < 1) e.epochs = 'a whole number ≥ 1';
  if (f.batchSize != null && (!Number.isInteger(f.batchSize) || f.batchSize < 1)) e.batchSize = 'a whole number ≥ 1';
  if (f.lr != null && (!isNum(f.lr) || f.lr <= 0)) e.lr = 'must be > 0';
  if (!isNum(f.momentum) || f.momentum < 0 || f.momentum >= 1) e.momentum = 'in [0, 1)';
  if (!isNum(f.weightDecay) || f.weightDecay < 0) e.weightDecay = 'must be ≥ 0';
  if (!isNum(f.gamma) || f.gamma <= 0 || f.gamma > 1) e.gamma = 'in (0, 1]';
  if (!Number.isInteger(f.seed)) e.seed = 'a whole number';
  if (f.warmupEpochs.trim()) {
    const w = Number(f.warmupEpochs);
    if (!Number.isInteger(w) || w < 0) e.warmupEpochs = 'a whole number ≥ 0';
    else if (w > f.epochs) e.warmupEpochs = `longer than the run (${f.epochs} epochs)`;
  }
  if (f.evalEvery.trim()) {
    const k = Number(f.evalEvery);
    if (!Number.isInteger(k) || k < 1) e.evalEvery = 'a whole number ≥ 1';
  }
  if (!isNum(f.valFraction) || f.valFraction < 0 || f.valFraction > 0.5) e.valFraction = 'in [0, 0.5]';
  const ms = parseMilestones(f.milestones);
  if (ms === null) e.milestones = 'whole numbers separated by commas';
  else if (ms.some((m) => m < 1 || m >= f.epochs)) e.milestones = `each between 1 and ${f.epochs - 1}`;
  else if (ms.some((m, i) => i > 0 && m <= ms[i - 1])) e.milestones = 'strictly increasing';
  for (const k of methodFieldKeys(f.method)) {
    const v = f.params[k];
    if (!isNum(v)) e[`params.${k}`] = 'a number';
    else if ((k === 'alpha' || k === 'cbBeta') && (v < 0 || v > 1)) e[`params.${k}`] = 'in [0, 1]';
    else if (k === 'power' && (v <= 0 || v > 1)) e[`params.${k}`] = 'in (0, 1]';
    else if (k !== 'alpha' && k !== 'cbBeta' && k !== 'focalGamma' && v <= 0) e[`params.${k}`] = 'must be > 0';
    else if (k === 'focalGamma' && v < 0) e[`params.${k}`] = 'must be ≥ 0';
  }
  return e;
}

/** The train call's argument (TrainRequest); blank optional fields are left for the core's defaults. */
export function toRequest(f: TrainForm): { split: string; name?: string; teacher?: string; config: Record<string, unknown> } {
  const config: Record<string, unknown> = {
    method: f.method, model: f.model, epochs: f.epochs, momentum: f.momentum,
    weightDecay: f.weightDecay, gamma: f.gamma, seed: f.seed, augment: { crop: f.crop, flip: f.flip },
    backend: f.backend || null, warmupForm: f.warmupForm, valFraction: f.valFraction,
  };
  if (f.batchSize != null) config.batchSize = f.batchSize;
  if (f.lr != null) config.lr = f.lr;
  if (f.warmupEpochs.trim()) config.warmupEpochs = Number(f.warmupEpochs);
  if (f.evalEvery.trim()) config.evalEvery = Number(f.evalEvery);
  const ms = parseMilestones(f.milestones);
  if (ms && ms.length) config.milestones = ms;
  const keys = methodFieldKeys(f.method);
  if (keys.length) config.params = Object.fromEntries(keys.map((k) => [k, f.params[k]]));
  const req: { split: string; name?: string; teacher?: string; config: Record<string, unknown> } = { split: f.split, config };
  if (f.name.trim()) req.name = f.name.trim();
  if (TEACHER_METHODS.includes(f.method) && f.teacher) req.teacher = f.teacher;
  return req;
}

/** "Duplicate as new config": a stored run's configuration back in the form (name left blank). */
export function formFromRun(run: RunInfo): TrainForm {
  const c = run.config as Record<string, unknown>;
  const get = <T>(k: string, d: T): T => (c[k] === undefined || c[k] === null ? d : (c[k] as T));
  const aug = (c.augment ?? {}) as { crop?: boolean; flip?: boolean };
  const p = (c.params ?? {}) as Partial<MethodFields>;
  const base = defaultForm(run.split);
  return {
    ...base,
    teacher: run.teacher ?? '',
    method: run.method,
    model: run.model,
    epochs: get('epochs', base.epochs),
    batchSize: get<number | undefined>('batchSize', base.batchSize),
    lr: get<number | undefined>('lr', base.lr),
    momentum: get('momentum', base.momentum),
    weightDecay: get('weightDecay', base.weightDecay),
    warmupEpochs: String(get('warmupEpochs', '')),
    warmupForm: get<'step' | 'epoch'>('warmupForm', base.warmupForm),
    evalEvery: String(get('evalEvery', '')),
    valFraction: get('valFraction', base.valFraction),
    milestones: get<number[]>('milestones', []).join(', '),
    gamma: get('gamma', base.gamma),
    seed: get('seed', base.seed),
    crop: aug.crop ?? true,
    flip: aug.flip ?? true,
    backend: get('backend', ''),
    params: { ...presetFor(run.method), ...Object.fromEntries(Object.entries(p).filter(([, v]) => typeof v === 'number')) },
  };
}

/**
 * The teacher the form preselects for kd / dive: a Balanced-Softmax run on the same split without
 * warnings (the paper's teacher), else any run without warnings, best top-1 first; never a run
 * with warnings (at chance, diverged, ...), which the user may still pick by hand.
 */
export function defaultTeacher(candidates: readonly RunInfo[], split: string): string {
  const ok = candidates.filter((r) => r.status === 'completed' && r.warnings.length === 0);
  const byTop1 = (a: RunInfo, b: RunInfo) => (b.metrics?.top1 ?? 0) - (a.metrics?.top1 ?? 0);
  const best = ok.filter((r) => r.method === 'bsce' && r.split === split).sort(byTop1)[0] ?? [...ok].sort(byTop1)[0];
  return best?.name ?? '';
}
