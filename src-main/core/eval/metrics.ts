// Test-set metrics for long-tailed recognition: top-1, per-class and many / medium / few accuracy
// (facebookresearch/classifier-balancing's shot_acc), the confusion matrix, and calibration (ECE).
// Plain JS on flat row-major logits [N * C]; accuracies are fractions in [0, 1].
import type { Groups } from '../domain/types';
import { UserError } from '../domain/errors';
import { CLASS_MATRIX_MAX, type ConfusionCell } from '../domain/many-classes';

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
  /** the dense matrix, up to CLASS_MATRIX_MAX classes (null above: see `cells`) */
  confusion: ConfusionMatrix | null;
  /** the non-zero cells, row-major, whatever the number of classes */
  cells: ConfusionCell[];
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
  const pred = argmaxRows(probs, numClasses);
  const conf = new Float64Array(labels.length);
  for (let i = 0; i < labels.length; i++) conf[i] = probs[i * numClasses + pred[i]];
  return binnedCalibrationError(pred, conf, labels, bins);
}

/** ECE from each sample's prediction and its confidence (the probability of that prediction). */
function binnedCalibrationError(pred: ArrayLike<number>, conf: ArrayLike<number>, labels: ArrayLike<number>, bins: number): number {
  const count = new Float64Array(bins);
  const confSum = new Float64Array(bins);
  const correct = new Float64Array(bins);
  for (let i = 0; i < labels.length; i++) {
    const c = conf[i];
    const b = Math.min(bins - 1, Math.max(0, Math.ceil(c * bins) - 1));
    count[b]++;
    confSum[b] += c;
    if (pred[i] === labels[i]) correct[b]++;
  }
  let ece = 0;
  for (let b = 0; b < bins; b++) if (count[b] > 0) ece += Math.abs(correct[b] - confSum[b]) / labels.length;
  return ece;
}

/**
 * The non-zero cells of the confusion matrix, row-major (true class, then predicted): at most one
 * per sample, whatever the number of classes, where the dense matrix has C^2 (iNaturalist's 8,142
 * classes: 66 million).
 */
export function confusionCells(pred: ArrayLike<number>, labels: ArrayLike<number>, numClasses: number): ConfusionCell[] {
  if (pred.length !== labels.length) throw new Error(`metrics: ${pred.length} predictions for ${labels.length} labels`);
  checkLabels(labels, numClasses);
  checkLabels(pred, numClasses, 'prediction');
  // a float64 key is exact for C up to 2^26 classes
  const keys = new Float64Array(labels.length);
  for (let i = 0; i < labels.length; i++) keys[i] = labels[i] * numClasses + pred[i];
  keys.sort();
  const out: ConfusionCell[] = [];
  for (let i = 0; i < keys.length; ) {
    let j = i + 1;
    while (j < keys.length && keys[j] === keys[i]) j++;
    out.push([Math.floor(keys[i] / numClasses), keys[i] % numClasses, j - i]);
    i = j;
  }
  return out;
}

/** Per-class accuracy (diagonal over row sum) from the cells; null where a class has no test samples. */
export function perClassFromCells(cells: readonly ConfusionCell[], numClasses: number): (number | null)[] {
  const row = new Float64Array(numClasses);
  const hit = new Float64Array(numClasses);
  for (const [t, p, n] of cells) {
    row[t] += n;
    if (t === p) hit[t] += n;
  }
  return Array.from(row, (r, t) => (r === 0 ? null : hit[t] / r));
}

/** The dense matrix of the cells (for C up to CLASS_MATRIX_MAX: what the full matrix screens draw). */
export function denseFromCells(cells: readonly ConfusionCell[], numClasses: number): ConfusionMatrix {
  const counts = new Int32Array(numClasses * numClasses);
  for (const [t, p, n] of cells) counts[t * numClasses + p] += n;
  return { numClasses, counts };
}

/**
 * Everything the run report needs, accumulated a batch of logits at a time, so the test set is
 * streamed: per sample only its prediction and its top probability are kept (never the N x C
 * logits: iNaturalist's 24,426 test images x 8,142 classes would be 800 MB). Row by row the same
 * arithmetic as argmaxRows, softmaxRows and expectedCalibrationError on the whole array, so the
 * figures are identical to the last bit.
 */
export class EvaluationAccumulator {
  private readonly pred: Int32Array;
  /** argmax of the softmax row and its probability (the calibration's prediction and confidence) */
  private readonly probPred: Int32Array;
  private readonly conf: Float64Array;
  private seen = 0;
  private readonly row: Float64Array;

  constructor(private readonly labels: ArrayLike<number>, private readonly numClasses: number) {
    if (!(Number.isInteger(numClasses) && numClasses > 0)) throw new Error(`metrics: bad class count ${numClasses}`);
    this.pred = new Int32Array(labels.length);
    this.probPred = new Int32Array(labels.length);
    this.conf = new Float64Array(labels.length);
    this.row = new Float64Array(numClasses);
  }

  /** The logits of the next `rows` samples, row-major. */
  add(logits: ArrayLike<number>, rows: number): void {
    const C = this.numClasses;
    checkLogits(logits, rows, C);
    if (this.seen + rows > this.labels.length) throw new Error(`metrics: ${this.seen + rows} samples for ${this.labels.length} labels`);
    const p = this.row;
    for (let r = 0; r < rows; r++) {
      const o = r * C;
      // argmaxRows: the first largest logit, NaN never wins
      let best = 0;
      let bestValue = -Infinity;
      // softmaxRows: max-shifted exp in float64; a row with a non-finite value is uniform
      let max = -Infinity;
      let finite = true;
      for (let k = 0; k < C; k++) {
        const v = logits[o + k];
        if (v > bestValue) {
          bestValue = v;
          best = k;
        }
        if (!Number.isFinite(v)) finite = false;
        if (v > max) max = v;
      }
      this.pred[this.seen + r] = best;
      if (!finite) p.fill(1 / C);
      else {
        let sum = 0;
        for (let k = 0; k < C; k++) sum += p[k] = Math.exp(logits[o + k] - max);
        for (let k = 0; k < C; k++) p[k] /= sum;
      }
      // expectedCalibrationError: the argmax of the probabilities and its probability
      let pb = 0;
      let pv = -Infinity;
      for (let k = 0; k < C; k++) {
        if (p[k] > pv) {
          pv = p[k];
          pb = k;
        }
      }
      this.probPred[this.seen + r] = pb;
      this.conf[this.seen + r] = p[pb];
    }
    this.seen += rows;
  }

  finish(groups: Groups, bins = 15): Evaluation {
    const labels = this.labels;
    if (this.seen !== labels.length) throw new Error(`metrics: ${this.seen} samples evaluated of ${labels.length}`);
    checkLabels(labels, this.numClasses);
    if (!(Number.isInteger(bins) && bins > 0)) throw new UserError(`ECE: bins must be a positive integer, got ${bins}`);
    if (labels.length === 0) throw new UserError('cannot compute calibration on an empty test set');
    const cells = confusionCells(this.pred, labels, this.numClasses);
    const perClass = perClassFromCells(cells, this.numClasses);
    return {
      top1: top1(this.pred, labels),
      ...groupAccuracy(perClass, groups),
      ece: binnedCalibrationError(this.probPred, this.conf, labels, bins),
      perClass,
      confusion: this.numClasses <= CLASS_MATRIX_MAX ? denseFromCells(cells, this.numClasses) : null,
      cells,
    };
  }
}

/**
 * Everything the run report needs from one pass over the test set. Predictions are argmax of the
 * raw logits (for BSCE and DiVE too: the prior is a training device only).
 */
export function evaluate(logits: ArrayLike<number>, labels: ArrayLike<number>, numClasses: number, groups: Groups, bins = 15): Evaluation {
  checkLogits(logits, labels.length, numClasses);
  const acc = new EvaluationAccumulator(labels, numClasses);
  acc.add(logits, labels.length);
  return acc.finish(groups, bins);
}
