// The train form: method presets, the fields' validation and the request it sends. Lists,
// defaults and rules come from the core's domain package (the run-config schema itself validates
// the form), so a mistake shows beside its field with the message the core would give.
import type { Args } from '../../src-main/core/domain/contract';
import { issueProblems } from '../../src-main/core/domain/errors';
import { pathKey } from './path-key';
import { LINEAR_HEAD_METHODS, METHOD_PARAM_KEYS, METHOD_RUN_DEFAULTS, methodPreset, METHODS, POSTHOC_METHODS, SOURCE_METHODS, TEACHER_METHODS, type Method, type MethodParams } from '../../src-main/core/domain/method';
import {
  BACKENDS, defaultMilestones, defaultWarmupEpochs, MODELS, RUN_DEFAULTS, RunConfigSchema, type BackendName, type ModelKind, type WarmupForm,
} from '../../src-main/core/domain/run-config';
import type { RunInfo, RunSummary } from '../../src-main/core/domain/types';
import { compareCandidates, type TeacherChoice } from '../../src-main/core/domain/teacher-choice';
import { FORM_START } from '../../src-main/core/domain/form-start';

export { defaultMilestones, POSTHOC_METHODS, SOURCE_METHODS, TEACHER_METHODS };
export const defaultWarmup = defaultWarmupEpochs;

/** The numbers a method's blurb quotes are its preset's. */
const P = (m: Method) => methodPreset(m);

const METHOD_TEXT: Record<Method, { label: string; blurb: string }> = {
  ce: { label: 'Cross-entropy', blurb: 'Plain softmax cross-entropy: the baseline.' },
  focal: { label: 'Focal loss', blurb: `Down-weights easy examples (gamma = ${P('focal').focalGamma}).` },
  cb: { label: 'Class-balanced', blurb: `Weights by the effective number of samples (beta = ${P('cb').cbBeta}).` },
  'ldam-drw': { label: 'LDAM-DRW', blurb: `Label-distribution-aware margins, re-weighting deferred to ${RUN_DEFAULTS.drwFraction * 100}% of training.` },
  bsce: { label: 'Balanced softmax', blurb: 'Adds log n to the logits during training: the recommended teacher.' },
  'la-loss': { label: 'Logit-adjusted loss', blurb: `Menon et al.: trains on z + τ log π (τ = ${P('la-loss').laTau}; τ = 1 is Balanced Softmax).` },
  kd: { label: 'Knowledge distillation', blurb: `Hinton KD from a teacher run (T = ${P('kd').tau}, alpha = ${P('kd').alpha}).` },
  dive: { label: 'DiVE', blurb: `Distils virtual examples: T = ${P('dive').tau}, power p = ${P('dive').power}, alpha = ${P('dive').alpha}, BSCE on labels.` },
  crt: { label: 'cRT (decoupled)', blurb: `Kang et al.: a new linear classifier on the frozen backbone of a stage-1 run, class-balanced sampling (${METHOD_RUN_DEFAULTS.crt?.epochs} epochs).` },
  lws: { label: 'LWS (decoupled)', blurb: `Kang et al.: learns one scale per class of the stage-1 classifier, class-balanced sampling (${METHOD_RUN_DEFAULTS.lws?.epochs} epochs).` },
  'tau-norm': { label: 'τ-normalisation', blurb: `Kang et al., no training: each class weight of a stage-1 run divided by its norm^τ (τ = ${P('tau-norm').tauNorm}), with a sweep of τ.` },
  'logit-adjust': { label: 'Post-hoc logit adjustment', blurb: `Menon et al., no training: predicts with z − τ log π of a stage-1 run (τ = ${P('logit-adjust').laTau}), with a sweep of τ.` },
};
export const METHOD_CHOICES = METHODS.map((id) => ({ id, ...METHOD_TEXT[id] }));
export type MethodId = Method;

const MODEL_TEXT: Record<ModelKind, { label: string; blurb: string }> = {
  mlp: { label: 'MLP', blurb: 'two hidden layers; seconds per epoch' },
  cnn: { label: 'Small CNN', blurb: 'a few conv layers; fast on CPU' },
  resnet8: { label: 'ResNet-8', blurb: 'CIFAR ResNet, 3 stages of 1 block' },
  resnet20: { label: 'ResNet-20', blurb: 'CIFAR ResNet, 3 x 3 blocks' },
  resnet32: { label: 'ResNet-32', blurb: "the paper's CIFAR-LT backbone" },
};
export const MODEL_CHOICES = MODELS.map((id) => ({ id, ...MODEL_TEXT[id] }));

const BACKEND_TEXT: Record<BackendName, string> = {
  'tensorflow-gpu': 'tensorflow-gpu (tfjs-node-gpu, CUDA)',
  webgpu: 'webgpu (Vulkan, Metal or D3D12 GPU)',
  tensorflow: 'tensorflow (tfjs-node, native CPU)',
  wasm: 'wasm (SIMD, multi-threaded)',
  cpu: 'cpu (plain JavaScript, slowest)',
};
export const BACKEND_CHOICES = BACKENDS.map((id) => ({ id, label: BACKEND_TEXT[id] }));

/** The method parameters a form edits (drwEpoch follows the run's length). */
export type MethodFields = Omit<MethodParams, 'drwEpoch'>;

/** The method parameters' labels on the Train screen. */
export const PARAM_LABEL: Record<keyof MethodFields, string> = {
  focalGamma: 'Focal γ', cbBeta: 'CB β', tau: 'Temperature T', power: 'Power p', alpha: 'Distillation weight α', ldamScale: 'LDAM scale s', ldamMaxMargin: 'Max margin',
  laTau: 'Adjustment τ', tauNorm: 'Norm exponent τ',
};

export function presetFor(method: Method): MethodFields {
  const { drwEpoch: _drw, ...fields } = methodPreset(method);
  return fields;
}

/** Which method fields the form shows for a method. */
export function methodFieldKeys(method: Method): (keyof MethodFields)[] {
  return METHOD_PARAM_KEYS[method].filter((k): k is keyof MethodFields => k !== 'drwEpoch');
}

export interface TrainForm {
  split: string;
  name: string;
  teacher: string;
  /** the stage-1 run of crt, lws, tau-norm and logit-adjust (`--from`) */
  from: string;
  method: Method;
  model: ModelKind;
  epochs: number;
  /** blank (undefined): 128, or smaller for a short run on a small split (core train/short-run.ts) */
  batchSize: number | undefined;
  /** blank (undefined): 0.1 per 128 images of the batch */
  lr: number | undefined;
  momentum: number;
  weightDecay: number;
  /** blank: the core's default for the run's length */
  warmupEpochs: string;
  /** 'step': the warm-up rises every batch; 'epoch': once per epoch (the reference code) */
  warmupForm: WarmupForm;
  /** blank: chosen from the data sizes (evaluation a small share of the run) */
  evalEvery: string;
  /** share of each class held out as a validation set; 0: none */
  valFraction: number;
  /** comma separated 0-based epochs; blank: the core's default for the run's length */
  milestones: string;
  gamma: number;
  seed: number;
  crop: boolean;
  flip: boolean;
  /** '' for the best available */
  backend: BackendName | '';
  params: MethodFields;
  /** where the initial weights come from: '' the seeded init, 'file' a safetensors file, 'run:NAME' a completed run */
  init: string;
  /** with init 'file': its path on the core's machine */
  initFile: string;
  /** with init 'file': leave a classifier of another class count fresh */
  resetHead: boolean;
}

/** The "Initialise from" choice of a completed run. */
export const initFromRun = (name: string): string => `run:${name}`;

/** A fresh form: the core's defaults, but a quick model and schedule (domain/form-start.ts), not the paper's 200-epoch ResNet-32. */
export function defaultForm(split = ''): TrainForm {
  const d = RUN_DEFAULTS;
  return {
    split, name: '', teacher: '', from: '', method: 'bsce', model: FORM_START.model, epochs: FORM_START.epochs, batchSize: undefined, lr: undefined, momentum: d.momentum,
    weightDecay: d.weightDecay, warmupEpochs: '', warmupForm: d.warmupForm, evalEvery: '', valFraction: d.valFraction, milestones: '', gamma: d.gamma, seed: d.seed, crop: true, flip: true, backend: '',
    params: presetFor('bsce'), init: '', initFile: '', resetHead: false,
  };
}

export function parseMilestones(s: string): number[] | null {
  const t = s.trim();
  if (!t) return [];
  const parts = t.split(/[\s,]+/).filter(Boolean);
  const out = parts.map(Number);
  return out.every((n) => Number.isInteger(n)) ? out : null;
}

/**
 * field → message, empty when the form can be sent: the run-config schema's own verdict, per field,
 * in the form's words. Fields are keyed by their path in the train call's argument (`config.lr`),
 * as the core names them when it refuses a request (lib/problems.ts).
 */
export function validate(f: TrainForm): Record<string, string> {
  const e: Record<string, string> = {};
  if (!f.split) e.split = 'choose a split';
  if (TEACHER_METHODS.includes(f.method) && !f.teacher) e.teacher = 'choose a completed teacher run';
  if (SOURCE_METHODS.includes(f.method) && !f.from) e.from = 'choose a completed stage-1 run';
  if (f.warmupEpochs.trim() && !Number.isInteger(Number(f.warmupEpochs))) e['config.warmupEpochs'] = 'a whole number';
  if (f.evalEvery.trim() && !Number.isInteger(Number(f.evalEvery))) e['config.evalEvery'] = 'a whole number';
  if (parseMilestones(f.milestones) === null) e['config.milestones'] = 'whole numbers separated by commas';
  if (f.init === 'file' && !f.initFile.trim()) e.initWeights = 'the path of a .safetensors file on the machine the workbench runs on';
  const r = RunConfigSchema.safeParse(toRequest(f).config);
  if (!r.success) {
    // milestones.2 and params.tau: the form shows a list's problems beside the list
    for (const p of issueProblems(r.error.issues)) e[pathKey(['config', ...p.path])] ??= p.message;
  }
  return e;
}

/** The train call's argument; blank optional fields are left for the core's defaults. */
export function toRequest(f: TrainForm): Args<'train'> {
  const ms = parseMilestones(f.milestones);
  const keys = methodFieldKeys(f.method);
  const config: Args<'train'>['config'] = {
    method: f.method, model: f.model, epochs: f.epochs, momentum: f.momentum,
    weightDecay: f.weightDecay, gamma: f.gamma, seed: f.seed, augment: { crop: f.crop, flip: f.flip },
    backend: f.backend || null, warmupForm: f.warmupForm, valFraction: f.valFraction,
    ...(f.warmupEpochs.trim() ? { warmupEpochs: Number(f.warmupEpochs) } : {}),
    // blank batch and lr: the core chooses them with the split in view (domain/short-run.ts)
    ...(f.batchSize != null ? { batchSize: f.batchSize } : {}),
    ...(f.lr != null ? { lr: f.lr } : {}),
    ...(f.evalEvery.trim() ? { evalEvery: Number(f.evalEvery) } : {}),
    ...(ms && ms.length ? { milestones: ms } : {}),
    ...(keys.length ? { params: Object.fromEntries(keys.map((k) => [k, f.params[k]])) } : {}),
  };
  const req: Args<'train'> = { split: f.split, config: SOURCE_METHODS.includes(f.method) ? stageTwoConfig(f.method, config) : config };
  if (f.name.trim()) req.name = f.name.trim();
  if (TEACHER_METHODS.includes(f.method) && f.teacher) req.teacher = f.teacher;
  if (SOURCE_METHODS.includes(f.method) && f.from) req.from = f.from;
  // a stage-2 run keeps its stage-1 run's weights: initial weights are for runs that train a network
  if (SOURCE_METHODS.includes(f.method)) return req;
  if (f.init === 'file' && f.initFile.trim()) {
    req.initWeights = f.initFile.trim();
    if (f.resetHead) req.resetHead = true;
  } else if (f.init.startsWith('run:')) req.initFrom = f.init.slice(4);
  return req;
}

/**
 * A run from a stage-1 run keeps that run's model, seed and holdout (the core refuses others) and,
 * left out, its augmentation; a post-hoc one trains nothing, so it sends only what it uses.
 */
function stageTwoConfig(method: Method, c: Args<'train'>['config']): Args<'train'>['config'] {
  const { model: _m, seed: _s, valFraction: _v, augment: _a, ...rest } = c;
  if (!POSTHOC_METHODS.includes(method)) return rest;
  return { method, backend: c.backend, ...(c.params ? { params: c.params } : {}) };
}

/** "Duplicate as new config": a stored run's configuration back in the form (name left blank). */
export function formFromRun(run: RunInfo): TrainForm {
  const c = run.config;
  const base = defaultForm(run.split);
  return {
    ...base,
    teacher: TEACHER_METHODS.includes(c.method) ? (run.teacher ?? '') : '',
    from: SOURCE_METHODS.includes(c.method) ? (run.teacher ?? '') : '',
    method: c.method,
    model: c.model,
    epochs: c.epochs,
    batchSize: c.batchSize,
    lr: c.lr,
    momentum: c.momentum,
    weightDecay: c.weightDecay,
    // a value the core derived from the epochs stays derived (blank), so it follows a new epoch
    // count after Clone; only a value the user had set is carried over
    warmupEpochs: c.warmupEpochs === defaultWarmup(c.epochs) ? '' : String(c.warmupEpochs),
    warmupForm: c.warmupForm,
    evalEvery: c.evalEvery == null ? '' : String(c.evalEvery),
    valFraction: c.valFraction,
    milestones: c.milestones.join(',') === defaultMilestones(c.epochs).join(',') ? '' : c.milestones.join(', '),
    gamma: c.gamma,
    seed: c.seed,
    crop: c.augment.crop,
    flip: c.augment.flip,
    backend: c.backend ?? '',
    params: { ...presetFor(c.method), ...pickFields(c.params) },
  };
}

function pickFields(p: MethodParams): MethodFields {
  const { drwEpoch: _drw, ...fields } = p;
  return fields;
}

/** The stage-1 choice, in the teacher picker's two groups (domain/teacher-choice.ts TeacherChoice). */
export interface StageOneGroups {
  /** completed plain cross-entropy runs of the split */
  recommended: TeacherChoice<RunSummary>[];
  /** every other completed run of the split, each with its caveats */
  others: TeacherChoice<RunSummary>[];
}

/**
 * The stage-1 runs a crt, lws, tau-norm or logit-adjust run may start from: completed runs of the
 * same split (another split is refused by the core), plain cross-entropy first (the literature's
 * stage 1), the rest apart with why they may mislead; a cosine-head run (ldam-drw) where the
 * method reads a linear classifier is said to be refused. Ranked like teachers (domain/teacher-choice.ts):
 * no warnings first, then validation accuracy where a run has a holdout, the longest schedule, the
 * newest; never test accuracy.
 */
export function stageOneGroups(candidates: readonly RunSummary[], split: string, method: Method): StageOneGroups {
  const done = candidates.filter((r) => r.status === 'completed' && r.split === split);
  const byValidation = done.some((r) => r.method === 'ce' && r.valAcc != null);
  done.sort((a, b) => compareCandidates(a, b, byValidation));
  const recommended: TeacherChoice<RunSummary>[] = [];
  const others: TeacherChoice<RunSummary>[] = [];
  for (const run of done) {
    const caveats: string[] = [];
    if (run.method === 'ldam-drw' && LINEAR_HEAD_METHODS.includes(method)) caveats.push('a cosine classifier: refused, this method reads a linear one');
    else if (run.method !== 'ce') caveats.push(`${run.method}, not plain cross-entropy`);
    (caveats.length ? others : recommended).push({ run, caveats });
  }
  return { recommended, others };
}

/** The stage-1 run preselected: the first plain CE run of the split without warnings, in stageOneGroups' order (none otherwise). */
export function defaultStageOne(candidates: readonly RunSummary[], split: string): string {
  return stageOneGroups(candidates, split, 'crt').recommended.find((c) => !c.run.warnings.length)?.run.name ?? '';
}

/** A study's checks leave the teacher out: the study plans its own. */
export function withoutTeacher(e: Record<string, string>): Record<string, string> {
  const { teacher: _t, ...rest } = e;
  return rest;
}
