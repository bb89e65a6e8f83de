// The training losses of the paper and its baselines, as small differentiable TF.js functions.
// Formulas and conventions: ../shared/docs/dive-method.md. Every function takes logits [B, C]
// and int32 labels [B] (values in 0..C-1; tf.oneHot maps others to an all-zero row, so a bad
// label silently scores 0: labels are checked where the data is read, not per batch here).
//
// Reduction convention (checked against kaidic/LDAM-DRW, whose code produced the CB and LDAM-DRW
// baselines): class weights follow PyTorch's CrossEntropyLoss(weight=w), reduction 'mean':
//   L = sum_i w_{y_i} l_i / sum_i w_{y_i},
// i.e. a weighted mean over the batch, not sum / B as in Cui et al.'s TensorFlow code.
// Without weights every loss is the plain mean over the batch.
import * as tf from '@tensorflow/tfjs-core';
import { UserError } from '../domain/errors';
import type { Method, MethodParams } from '../domain/method';
import { registerTrainingGradients } from './gradients';
import { logPriorOffsets } from '../eval/posthoc';

// tfjs-core's Node entry registers no gradients; this module's ops need them even when no backend
// was selected through backend.ts (unit tests on the cpu backend). Registering twice is harmless.
registerTrainingGradients();


/**
 * log n_j used for a class with no training images. The exact value -Infinity would make
 * one-hot products 0 * -Inf = NaN; -1e4 is finite yet exp(z - 1e4) underflows to exactly 0 in
 * float32, which is the n_j -> 0 limit (the class drops out of the partition function).
 */
export const LOG_ZERO_COUNT = -1e4;

/** Stops gradients: forward is the identity, backward is 0. TF.js has no tf.stopGradient. */
const stopGradientOp = tf.customGrad((x) => ({
  value: tf.clone(x as tf.Tensor),
  gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy),
}));
export function stopGradient<T extends tf.Tensor>(x: T): T {
  return stopGradientOp(x) as T;
}

function checkBatch(logits: tf.Tensor2D, labels: tf.Tensor1D): void {
  if (logits.rank !== 2) throw new Error(`losses: logits must be [batch, classes], got shape [${logits.shape}]`);
  if (labels.rank !== 1 || labels.shape[0] !== logits.shape[0]) {
    throw new Error(`losses: labels shape [${labels.shape}] does not match logits [${logits.shape}]`);
  }
  if (labels.dtype !== 'int32') throw new Error(`losses: labels must be int32, got ${labels.dtype}`);
}

function checkPerClass(name: string, values: ArrayLike<number>, numClasses: number): void {
  if (values.length !== numClasses) {
    throw new Error(`losses: ${name} has ${values.length} entries for ${numClasses} classes`);
  }
}

/** Per-sample negative log-likelihood l_i = -log softmax(z_i)_{y_i}, shape [B]. */
export function nllPerSample(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Tensor1D {
  return tf.tidy(() => {
    const oneHot = tf.oneHot(labels, logits.shape[1]);
    return tf.neg(tf.sum(tf.mul(oneHot, tf.logSoftmax(logits)), 1)) as tf.Tensor1D;
  });
}

/**
 * Softmax cross-entropy. Unweighted: mean_i l_i. With per-class weights w (PyTorch's
 * CrossEntropyLoss(weight=w)): sum_i w_{y_i} l_i / sum_i w_{y_i}.
 */
export function crossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D, weights?: ArrayLike<number>): tf.Scalar {
  checkBatch(logits, labels);
  return tf.tidy(() => {
    const nll = nllPerSample(logits, labels);
    if (!weights) return tf.mean(nll) as tf.Scalar;
    checkPerClass('weights', weights, logits.shape[1]);
    const w = tf.gather(tf.tensor1d(Array.from(weights), 'float32'), labels);
    return tf.div(tf.sum(tf.mul(w, nll)), tf.sum(w)) as tf.Scalar;
  });
}

/**
 * Focal loss (Lin et al. 2017): mean_i -(1 - p_i)^gamma log p_i with p_i = softmax(z_i)_{y_i}.
 * gamma = 0 is cross-entropy. 1 - p is computed as -expm1(-l) (exact near p = 1) and floored at
 * 1e-30 so that d/dp (1-p)^gamma stays finite for gamma < 1 when p rounds to 1.
 */
export function focalLoss(logits: tf.Tensor2D, labels: tf.Tensor1D, gamma: number): tf.Scalar {
  checkBatch(logits, labels);
  if (!(gamma >= 0)) throw new UserError(`focal loss: gamma must be >= 0, got ${gamma}`);
  if (gamma === 0) return crossEntropy(logits, labels);
  return tf.tidy(() => {
    const nll = nllPerSample(logits, labels);
    const oneMinusP = tf.maximum(tf.neg(tf.expm1(tf.neg(nll))), 1e-30);
    return tf.mean(tf.mul(tf.pow(oneMinusP, gamma), nll)) as tf.Scalar;
  });
}

/**
 * Class-balanced weights (Cui et al. 2019): w_j = (1 - beta) / (1 - beta^n_j), normalised so that
 * sum_j w_j = C (as LDAM-DRW's code does). beta = 0 gives all ones; beta = 1 is the limit 1/n_j
 * (inverse frequency). A class with n_j = 0 never appears as a training label, so its weight
 * never enters the loss: it gets 0 and the other classes share the total C.
 */
export function classBalancedWeights(counts: ArrayLike<number>, beta: number): number[] {
  if (!(beta >= 0 && beta <= 1)) throw new UserError(`class-balanced weights: beta must be in [0, 1], got ${beta}`);
  const raw = Array.from(counts, (n) => {
    if (!(n >= 0)) throw new UserError(`class-balanced weights: class count must be >= 0, got ${n}`);
    if (n === 0) return 0;
    return beta === 1 ? 1 / n : (1 - beta) / -Math.expm1(n * Math.log(beta));
  });
  const total = raw.reduce((a, b) => a + b, 0);
  if (total === 0) throw new UserError('class-balanced weights: every class has 0 training images');
  return raw.map((w) => (w * raw.length) / total);
}

/**
 * LDAM margins (Cao et al. 2019): m_j proportional to n_j^(-1/4), scaled so max_j m_j = maxMargin.
 * A class with n_j = 0 is never a training label (its margin is never applied); it gets maxMargin,
 * the value the trend n^(-1/4) -> large points to.
 */
export function ldamMargins(counts: ArrayLike<number>, maxMargin = 0.5): number[] {
  const raw = Array.from(counts, (n) => {
    if (!(n >= 0)) throw new UserError(`LDAM margins: class count must be >= 0, got ${n}`);
    return n === 0 ? 0 : 1 / Math.sqrt(Math.sqrt(n));
  });
  const max = Math.max(...raw);
  if (!(max > 0)) throw new UserError('LDAM margins: every class has 0 training images');
  return raw.map((m, j) => (counts[j] === 0 ? maxMargin : (m * maxMargin) / max));
}

/**
 * LDAM loss: CE(s * (z - m_y * onehot(y)), y), optionally class-weighted (the DRW phase).
 * Matches LDAM-DRW's LDAMLoss: the margin is subtracted from the true-class logit only, then
 * everything is scaled by s.
 */
export function ldamLoss(
  logits: tf.Tensor2D,
  labels: tf.Tensor1D,
  margins: ArrayLike<number>,
  s = 30,
  weights?: ArrayLike<number>,
): tf.Scalar {
  checkBatch(logits, labels);
  checkPerClass('margins', margins, logits.shape[1]);
  return tf.tidy(() => {
    const oneHot = tf.oneHot(labels, logits.shape[1]);
    const m = tf.tensor1d(Array.from(margins), 'float32');
    const shifted = tf.mul(tf.sub(logits, tf.mul(oneHot, m)), s) as tf.Tensor2D;
    return crossEntropy(shifted, labels, weights);
  });
}

/** log n_j per class, with LOG_ZERO_COUNT for empty classes. */
export function logCounts(counts: ArrayLike<number>): number[] {
  return Array.from(counts, (n) => {
    if (!(n >= 0)) throw new UserError(`balanced softmax: class count must be >= 0, got ${n}`);
    return n === 0 ? LOG_ZERO_COUNT : Math.log(n);
  });
}

/**
 * Balanced Softmax CE (Ren et al. 2020): -log(n_y e^{z_y} / sum_j n_j e^{z_j}) = CE(z + log n, y),
 * mean over the batch. The prior is a training-time device only: predict with argmax z.
 */
export function balancedSoftmaxLoss(logits: tf.Tensor2D, labels: tf.Tensor1D, counts: ArrayLike<number>): tf.Scalar {
  checkBatch(logits, labels);
  checkPerClass('counts', counts, logits.shape[1]);
  return tf.tidy(() => {
    const shifted = tf.add(logits, tf.tensor1d(logCounts(counts), 'float32')) as tf.Tensor2D;
    return crossEntropy(shifted, labels);
  });
}

/**
 * The logit-adjusted loss (Menon et al. 2021, mode 'loss'): CE(z + log(pi^tau + 1e-12), y), mean
 * over the batch. With tau = 1 it is Balanced Softmax up to a constant shift of the logits (log N
 * and the 1e-12), which the softmax ignores. Predict with argmax z.
 */
export function logitAdjustedLoss(logits: tf.Tensor2D, labels: tf.Tensor1D, counts: ArrayLike<number>, tau: number): tf.Scalar {
  checkBatch(logits, labels);
  checkPerClass('counts', counts, logits.shape[1]);
  return tf.tidy(() => crossEntropy(tf.add(logits, tf.tensor1d(logPriorOffsets(counts, tau), 'float32')) as tf.Tensor2D, labels));
}

function checkTemperature(T: number, p: number): void {
  if (!(T > 0) || !Number.isFinite(T)) throw new UserError(`temperature T must be a positive number, got ${T}`);
  if (!(p > 0) || !Number.isFinite(p)) throw new UserError(`power p must be a positive number, got ${p}`);
}

/**
 * Tempered, power-normalised softmax: t = softmax_T(z); t_k <- t_k^p / sum_j t_j^p.
 * Since softmax_T(z)_k^p is proportional to exp(p z_k / T), this is exactly softmax(z * p / T)
 * = softmax_{T/p}(z), which is how it is computed (stable, one softmax; p = 0.5 equals 2T).
 */
export function temperedSoftmax(logits: tf.Tensor2D, T: number, p = 1): tf.Tensor2D {
  checkTemperature(T, p);
  return tf.tidy(() => tf.softmax(tf.mul(logits, p / T)) as tf.Tensor2D);
}

/**
 * Distillation KL, "batchmean": (1/B) sum_i sum_k t_ik (log t_ik - log softmax_T(z_s)_ik).
 * t is a fixed target (no gradient flows into it); terms with t_ik = 0 count 0 (x log x -> 0).
 */
export function distillKL(studentLogits: tf.Tensor2D, teacherProbs: tf.Tensor2D, T: number): tf.Scalar {
  checkTemperature(T, 1);
  if (studentLogits.shape.join() !== teacherProbs.shape.join()) {
    throw new Error(`distillKL: student [${studentLogits.shape}] and teacher [${teacherProbs.shape}] differ`);
  }
  return tf.tidy(() => {
    const t = stopGradient(teacherProbs);
    const logQ = tf.logSoftmax(tf.div(studentLogits, T));
    // x log x with the x = 0 limit 0; max() rather than where(t > 0) because Greater has no
    // registered gradient and the tape would still walk through it from a trainable teacher
    const tLogT = tf.mul(t, tf.log(tf.maximum(t, 1e-30)));
    const perSample = tf.sum(tf.sub(tLogT, tf.mul(t, logQ)), 1);
    return tf.mean(perSample) as tf.Scalar;
  });
}

export interface DistillOptions {
  /** temperature T */
  T: number;
  /** weight of the distillation term */
  alpha: number;
}

function checkAlpha(alpha: number): void {
  if (!(alpha >= 0 && alpha <= 1)) throw new UserError(`alpha must be in [0, 1], got ${alpha}`);
}

/** Hinton KD: (1 - alpha) CE(z_s, y) + alpha T^2 KL(softmax_T(z_t) || softmax_T(z_s)). */
export function kdLoss(
  studentLogits: tf.Tensor2D,
  labels: tf.Tensor1D,
  teacherLogits: tf.Tensor2D,
  { T, alpha }: DistillOptions,
): tf.Scalar {
  checkAlpha(alpha);
  return tf.tidy(() => {
    const ce = crossEntropy(studentLogits, labels);
    const kl = distillKL(studentLogits, temperedSoftmax(teacherLogits, T, 1), T);
    return tf.add(tf.mul(ce, 1 - alpha), tf.mul(kl, alpha * T * T)) as tf.Scalar;
  });
}

/**
 * DiVE (He et al. 2021): (1 - alpha) BSCE(z_s, y) + alpha T^2 KL(t || softmax_T(z_s)) with
 * t = power-normalised tempered teacher softmax (temperedSoftmax(z_t, T, p)). The student side
 * uses T, not T/p (as in BagofTricks-LT's DiVEKLD).
 */
export function diveLoss(
  studentLogits: tf.Tensor2D,
  labels: tf.Tensor1D,
  teacherLogits: tf.Tensor2D,
  counts: ArrayLike<number>,
  { T, alpha, p }: DistillOptions & { p: number },
): tf.Scalar {
  checkAlpha(alpha);
  return tf.tidy(() => {
    const bsce = balancedSoftmaxLoss(studentLogits, labels, counts);
    const kl = distillKL(studentLogits, temperedSoftmax(teacherLogits, T, p), T);
    return tf.add(tf.mul(bsce, 1 - alpha), tf.mul(kl, alpha * T * T)) as tf.Scalar;
  });
}

export interface LossContext {
  /** training images per class in the split (length C) */
  classCounts: number[];
  /** current epoch, 0-based */
  epoch: number;
  /** the frozen teacher's logits on the same augmented batch (kd, dive) */
  teacherLogits?: tf.Tensor2D;
}

/**
 * The training loss of `method` on one batch. kd uses plain softmax_T for the teacher (Hinton),
 * ignoring params.power; dive uses params.power. ldam-drw switches class-balanced weights on
 * from epoch params.drwEpoch (0-based), weights 1 before.
 */
export function methodLoss(
  method: Method,
  params: MethodParams,
  logits: tf.Tensor2D,
  labels: tf.Tensor1D,
  ctx: LossContext,
): tf.Scalar {
  checkBatch(logits, labels);
  checkPerClass('classCounts', ctx.classCounts, logits.shape[1]);
  const teacher = (): tf.Tensor2D => {
    if (!ctx.teacherLogits) throw new Error(`methodLoss: method '${method}' needs the teacher's logits (ctx.teacherLogits)`);
    return ctx.teacherLogits;
  };
  switch (method) {
    case 'ce':
      return crossEntropy(logits, labels);
    case 'focal':
      return focalLoss(logits, labels, params.focalGamma);
    case 'cb':
      return crossEntropy(logits, labels, classBalancedWeights(ctx.classCounts, params.cbBeta));
    case 'ldam-drw': {
      const margins = ldamMargins(ctx.classCounts, params.ldamMaxMargin);
      const weights = ctx.epoch >= params.drwEpoch ? classBalancedWeights(ctx.classCounts, params.cbBeta) : undefined;
      return ldamLoss(logits, labels, margins, params.ldamScale, weights);
    }
    case 'bsce':
      return balancedSoftmaxLoss(logits, labels, ctx.classCounts);
    case 'la-loss':
      return logitAdjustedLoss(logits, labels, ctx.classCounts, params.laTau);
    // classifier re-training and learnable weight scaling: plain CE on class-balanced batches (decoupled.ts)
    case 'crt':
    case 'lws':
      return crossEntropy(logits, labels);
    case 'tau-norm':
    case 'logit-adjust':
      throw new UserError(`${method} adjusts a trained model and has no training loss`);
    case 'kd':
      return kdLoss(logits, labels, teacher(), { T: params.tau, alpha: params.alpha });
    case 'dive':
      return diveLoss(logits, labels, teacher(), ctx.classCounts, { T: params.tau, alpha: params.alpha, p: params.power });
    default: {
      const never: never = method;
      throw new UserError(`unknown training method '${String(never)}'`);
    }
  }
}
