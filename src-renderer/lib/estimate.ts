// Before Start: which backend a run will use and why (from a probe made now, not the last run's
// report), and how long it will take at the speeds the probe measured: its training, its
// evaluation passes (test set, validation holdout, a teacher's forward for kd / dive) and what
// every run pays once (the worker's start, the backend, the model's first step).
import { evalPlan, evaluations, holdoutCount } from '../../src-main/core/domain/eval-plan';
import type { BackendsProbe } from '../../src-main/core/domain/types';
import { TEACHER_METHODS, type Method } from '../../src-main/core/domain/method';

export interface BackendPlan {
  /** the backend the run will train on; null when none is available */
  backend: string | null;
  /** one line: asked for, or the best available, and why the better ones are not used */
  why: string;
  /** images per second the probe measured on it; null when not timed */
  imagesPerSec: number | null;
}

/** `wanted` is the form's choice ('' = best available). */
export function backendPlan(probe: BackendsProbe, wanted: string): BackendPlan {
  const name = wanted || probe.chosen;
  const rung = probe.rungs.find((r) => r.name === name);
  if (!name || !rung) return { backend: null, why: 'no backend is available on this machine', imagesPerSec: null };
  const ips = rung.imagesPerSec ?? null;
  if (wanted) {
    return { backend: name, why: rung.available ? `asked for in the form (${rung.device?.toUpperCase() ?? ''}${rung.threads ? `, ${rung.threads} threads` : ''})` : `asked for, but not available here: ${rung.reason ?? 'unknown reason'}`, imagesPerSec: rung.available ? ips : null };
  }
  const better = probe.rungs.slice(0, probe.rungs.indexOf(rung)).filter((r) => !r.available);
  const reasons = better.map((r) => `${r.name}: ${r.reason ?? 'not available'}`);
  return { backend: name, why: `the best available${reasons.length ? `; not used: ${reasons.join('; ')}` : ''}`, imagesPerSec: ips };
}

/** Training seconds alone for `epochs` over `images` at `imagesPerSec`; null when any is unknown. */
export function trainingSeconds(epochs: number, images: number, imagesPerSec: number | null): number | null {
  if (!imagesPerSec || imagesPerSec <= 0 || !(epochs > 0) || !(images > 0)) return null;
  return (epochs * images) / imagesPerSec;
}

/** What the time of one run depends on. */
export interface RunShape {
  epochs: number;
  /** training images left after the validation holdout */
  trainImages: number;
  valImages: number;
  testImages: number;
  /** the run's evaluation cadence; null: the core's automatic one */
  evalEvery: number | null;
  /** kd / dive: the teacher's forward on every batch, and its virtual examples over the split once */
  distils: boolean;
}

/** The probe's speeds for the backend the run will use. */
export interface Speeds {
  trainImagesPerSec: number;
  evalImagesPerSec: number;
  /** what every run pays once: the worker's start, the backend's load, the model's first step */
  startSeconds: number;
}

export interface Estimate {
  seconds: number;
  training: number;
  evaluation: number;
  startup: number;
}

/** A run's shape from the split's per-class counts, its test set and the form's settings. */
export function runShape(r: { epochs: number; counts: readonly number[]; testImages: number; valFraction: number; evalEvery: number | null; distils: boolean }): RunShape {
  const valImages = r.counts.reduce((s, n) => s + holdoutCount(n, r.valFraction), 0);
  const total = r.counts.reduce((s, n) => s + n, 0);
  return { epochs: r.epochs, trainImages: total - valImages, valImages, testImages: r.testImages, evalEvery: r.evalEvery, distils: r.distils };
}

/** The probe's speeds on `plan`'s backend; evaluation at 3x the training speed where it was not timed (a forward pass against forward and backward). */
export function speedsOf(probe: BackendsProbe, plan: BackendPlan): Speeds | null {
  const rung = probe.rungs.find((r) => r.name === plan.backend);
  if (!rung || !plan.imagesPerSec) return null;
  return {
    trainImagesPerSec: plan.imagesPerSec,
    evalImagesPerSec: rung.evalImagesPerSec ?? 3 * plan.imagesPerSec,
    startSeconds: (probe.startSeconds ?? 0) + (rung.loadSeconds ?? 0) + (rung.warmupSeconds ?? 0),
  };
}

/** Seconds of one run: its epochs, every evaluated epoch's test and validation passes, a teacher's forward, the start-up. */
export function runEstimate(r: RunShape, s: Speeds): Estimate {
  const training = (r.epochs * r.trainImages) / s.trainImagesPerSec;
  // the loop's own plan: which epochs are evaluated, and on how many test images (domain/eval-plan.ts)
  const plan = evalPlan({ trainImages: r.trainImages, testImages: r.testImages, epochs: r.epochs, evalEvery: r.evalEvery });
  // a post-hoc run (tau-norm, logit-adjust: no epoch) reads the test set for its sweep, the validation holdout, and the test set once more with its t folded in (train/posthoc.ts)
  const passes = r.epochs === 0 ? 2 * r.testImages + r.valImages : evaluations(plan, r.epochs, r.testImages).reduce((sum, e) => sum + e.images + r.valImages, 0);
  // a student's teacher runs forward on every training image of every epoch, and once more for its virtual examples
  const teacher = r.distils ? (r.epochs + 1) * r.trainImages : 0;
  const evaluation = (passes + teacher) / s.evalImagesPerSec;
  return { seconds: training + evaluation + s.startSeconds, training, evaluation, startup: s.startSeconds };
}

/** Runs trained one after another (the queue's default): their estimates summed. */
export function totalEstimate(runs: readonly RunShape[], s: Speeds): Estimate {
  const sum: Estimate = { seconds: 0, training: 0, evaluation: 0, startup: 0 };
  for (const r of runs) {
    const e = runEstimate(r, s);
    sum.seconds += e.seconds;
    sum.training += e.training;
    sum.evaluation += e.evaluation;
    sum.startup += e.startup;
  }
  return sum;
}

/**
 * The runs a Train form would queue, as the estimate counts them: its one run, or every run of the
 * study `plan` (each with its own epochs: a teacher may have its own recipe).
 */
export function formShapes(
  f: { epochs: number; evalEvery: string; valFraction: number; method: Method },
  counts: readonly number[],
  testImages: number,
  plan: readonly { method: Method; config: Record<string, unknown> }[] | null,
): RunShape[] {
  const evalEvery = f.evalEvery.trim() && Number.isInteger(Number(f.evalEvery)) ? Number(f.evalEvery) : null;
  const one = (epochs: number, method: Method) => runShape({ epochs, counts, testImages, valFraction: f.valFraction, evalEvery, distils: TEACHER_METHODS.includes(method) });
  if (plan) return plan.map((p) => one(typeof p.config.epochs === 'number' ? p.config.epochs : f.epochs, p.method));
  return [one(f.epochs, f.method)];
}
