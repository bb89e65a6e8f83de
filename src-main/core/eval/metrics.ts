// Test-set metrics for long-tailed recognition: top-1, per-class and many / medium / few accuracy
// (facebookresearch/classifier-balancing's shot_acc), the confusion matrix, and calibration (ECE).
// Plain JS on flat row-major logits [N * C]; accuracies are fractions in [0, 1].
import type { Groups } from '../domain/types';
import { UserError } from '../domain/errors';

/** Counts of (true class, predicted class); row-major: counts[t * numClasses + p]. */
export interface ConfusionMatrix {
  numClasses: number;
  counts: Int32Array;
}

/** Mean per-class accuracy of each shot group; null for a group with no class that has test samples. */
export interface GroupAccuracy {
  many: number | null;
  medium: number | null;
  few: number | null;
}

export interface Evaluation extends GroupAccuracy {
  /** fraction of test samples predicted correctly */
  top1: number;
  /** expected calibration error of the max softmax probability */
  ece: number;
  /** per class; null for a class with no test samples */
  perClass: (number | null)[];
  confusion: ConfusionMatrix;
}

function checkLabels(labels: ArrayLike<number>, numClasses: number, what = 'label'): void {
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i];
    if (!Number.isInteger(y) || y < 0 || y >= numClasses) {
      throw new UserError(`${what} ${y} at sample ${i} is outside 0..${numClasses - 1}`);
    }
  }
}

function checkLogits(logits: ArrayLike<number>, n: number, numClasses: number): void {
  if (!(Number.isInteger(numClasses) && numClasses > 0)) throw new Error(`metrics: bad class count ${numClasses}`);
  if (logits.length !== n * numClasses) {
    throw new Error(`metrics: ${logits.length} values for ${n} samples x ${numClasses} classes`);
  }
}

/**
 * Index of the largest value of each row; ties go to the lowest index (like numpy's argmax).
 * NaN never wins; a row with nothing above -Infinity predicts class 0.
 */
export function argmaxRows(logits: ArrayLike<number>, numClasses: number): Int32Array {
  const n = Math.floor(logits.length / numClasses);
  checkLogits(logits, n, numClasses);
  const pred = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const o = i * numClasses;
    let best = 0;
    let bestValue = -Infinity;
    for (let k = 0; k < numClasses; k++) {
      if (logits[o + k] > bestValue) {
        bestValue = logits[o + k];
        best = k;
      }
    }
    pred[i] = best;
  }
  return pred;
}

/**
 * Row-wise softmax in float64 (max-shifted). A row with a non-finite value (a diverged model)
 * becomes the uniform distribution, so calibration stays defined.
 */
export function softmaxRows(logits: ArrayLike<number>, numClasses: number): Float64Array {
  const n = Math.floor(logits.length / numClasses);
  checkLogits(logits, n, numClasses);
  const out = new Float64Array(n * numClasses);
  for (let i = 0; i < n; i++) {
    const o = i * numClasses;
    let max = -Infinity;
    let finite = true;
    for (let k = 0; k < numClasses; k++) {
      const v = logits[o + k];
      if (!Number.isFinite(v)) finite = false;
      if (v > max) max = v;
    }
    if (!finite) {
      out.fill(1 / numClasses, o, o + numClasses);
      continue;
    }
    let sum = 0;
    for (let k = 0; k < numClasses; k++) sum += out[o + k] = Math.exp(logits[o + k] - max);
    for (let k = 0; k < numClasses; k++) out[o + k] /= sum;
  }
  return out;
}

export function confusionMatrix(pred: ArrayLike<number>, labels: ArrayLike<number>, numClasses: number): ConfusionMatrix {
  if (pred.length !== labels.length) throw new Error(`metrics: ${pred.length} predictions for ${labels.length} labels`);
  checkLabels(labels, numClasses);
  checkLabels(pred, numClasses, 'prediction');
  const counts = new Int32Array(numClasses * numClasses);
  for (let i = 0; i < labels.length; i++) counts[labels[i] * numClasses + pred[i]]++;
  return { numClasses, counts };
}

/** Diagonal over row sum per true class; null where the class has no test samples. */
export function perClassAccuracy(cm: ConfusionMatrix): (number | null)[] {
  const c = cm.numClasses;
  const acc: (number | null)[] = [];
  for (let t = 0; t < c; t++) {
    let row = 0;
    for (let p = 0; p < c; p++) row += cm.counts[t * c + p];
    acc.push(row === 0 ? null : cm.counts[t * c + t] / row);
  }
  return acc;
}

/** Fraction of samples whose prediction equals the label. */
export function top1(pred: ArrayLike<number>, labels: ArrayLike<number>): number {
  if (pred.length !== labels.length) throw new Error(`metrics: ${pred.length} predictions for ${labels.length} labels`);
  if (labels.length === 0) throw new UserError('cannot compute accuracy on an empty test set');
  let correct = 0;
  for (let i = 0; i < labels.length; i++) if (pred[i] === labels[i]) correct++;
  return correct / labels.length;
}

function meanOf(values: (number | null)[], classes: readonly number[]): number | null {
  let sum = 0;
  let n = 0;
  for (const j of classes) {
    const v = values[j];
    if (v !== null && v !== undefined) {
      sum += v;
      n++;
    }
  }
  return n === 0 ? null : sum / n;
}

/**
 * Mean of the per-class accuracies in each shot group (classifier-balancing's shot_acc: classes
 * without test samples are left out, as shot_acc iterates only over labels present in the test set).
 */
export function groupAccuracy(perClass: (number | null)[], groups: Groups): GroupAccuracy {
  return { many: meanOf(perClass, groups.many), medium: meanOf(perClass, groups.medium), few: meanOf(perClass, groups.few) };
}

/**
 * Expected calibration error (Guo et al. 2017) on the max probability: equal-width bins
 * (b/B, (b+1)/B], ECE = sum_b |B_b| / N * |accuracy(B_b) - mean confidence(B_b)|.
 * Takes probabilities [N * C] (see softmaxRows); the prediction is the argmax of each row.
 */
export function expectedCalibrationError(
  probs: ArrayLike<number>,
  labels: ArrayLike<number>,
  numClasses: number,
  bins = 15,
): number {
  checkLogits(probs, labels.length, numClasses);
  checkLabels(labels, numClasses);
  if (!(Number.isInteger(bins) && bins > 0)) throw new UserError(`ECE: bins must be a positive integer, got ${bins}`);
  if (labels.length === 0) throw new UserError('cannot compute calibration on an empty test set');
  const count = new Float64Array(bins);
  const conf = new Float64Array(bins);
  const correct = new Float64Array(bins);
  const pred = argmaxRows(probs, numClasses);
  for (let i = 0; i < labels.length; i++) {
    const c = probs[i * numClasses + pred[i]];
    const b = Math.min(bins - 1, Math.max(0, Math.ceil(c * bins) - 1));
    count[b]++;
    conf[b] += c;
    if (pred[i] === labels[i]) correct[b]++;
  }
  let ece = 0;
  for (let b = 0; b < bins; b++) if (count[b] > 0) ece += Math.abs(correct[b] - conf[b]) / labels.length;
  return ece;
}

/**
 * Everything the run report needs from one pass over the test set. Predictions are argmax of the
 * raw logits (for BSCE and DiVE too: the prior is a training device only).
 */
export function evaluate(logits: ArrayLike<number>, labels: ArrayLike<number>, numClasses: number, groups: Groups, bins = 15): Evaluation {
  checkLogits(logits, labels.length, numClasses);
  const pred = argmaxRows(logits, numClasses);
  const confusion = confusionMatrix(pred, labels, numClasses);
  const perClass = perClassAccuracy(confusion);
  return {
    top1: top1(pred, labels),
    ...groupAccuracy(perClass, groups),
    ece: expectedCalibrationError(softmaxRows(logits, numClasses), labels, numClasses, bins),
    perClass,
    confusion,
  };
}
