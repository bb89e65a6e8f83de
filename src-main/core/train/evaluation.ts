// Evaluation of a model over a set of images, a batch at a time: logits streamed into the test
// metrics (never the N x C logits unless asked), the validation holdout's balanced accuracy, and
// the api's metrics object. Shared by the training loop, decoupled training and post-hoc runs.
import * as tf from '@tensorflow/tfjs-core';
import type { Groups, RunMetrics } from '../domain/types';
import { EvaluationAccumulator, type Evaluation } from '../eval/metrics';
import { sequentialOrder, type BatchAssembler } from './batches';
import type { Model } from './models';

/** What evaluation needs of a model: a stage-2 run's backbone and new classifier compose into one. */
export type Scorer = Pick<Model, 'spec' | 'apply'>;

/**
 * The api's metrics object, 1-based epoch: the confusion as its non-zero cells (what the store
 * keeps, whatever the number of classes), and as rows of counts too up to CLASS_MATRIX_MAX classes.
 */
export function toRunMetrics(e: Evaluation, epoch: number): RunMetrics {
  let confusion: number[][] | undefined;
  if (e.confusion) {
    const c = e.confusion.numClasses;
    confusion = [];
    for (let t = 0; t < c; t++) confusion.push(Array.from(e.confusion.counts.subarray(t * c, (t + 1) * c)));
  }
  return { top1: e.top1, many: e.many, medium: e.medium, few: e.few, ece: e.ece, perClass: e.perClass, confusion, confusionCells: e.cells, epoch };
}

/**
 * Eval-mode logits of `model` over the assembler's images in order, one batch at a time:
 * `fn(logits, start, count)` gets rows start..start+count-1 (read asynchronously: webgpu has no
 * synchronous read). Memory: one batch of images and one of logits.
 */
export async function forEachLogits(model: Scorer, assembler: BatchAssembler, batchSize: number, fn: (logits: Float32Array, start: number, count: number) => void | Promise<void>): Promise<void> {
  const [h, w, c] = model.spec.imageShape;
  const n = assembler.size;
  const order = sequentialOrder(n);
  for (let start = 0; start < n; start += batchSize) {
    const count = Math.min(batchSize, n - start);
    const b = assembler.fill(order, start, count);
    const logits = tf.tidy(() => model.apply(tf.tensor4d(b.x, [count, h, w, c]), false));
    try {
      await fn((await logits.data()) as Float32Array, start, count);
    } finally {
      logits.dispose();
    }
  }
}

/** Logits [N, classes] of `model` in eval mode over uint8 images, in order. */
export async function predictLogits(model: Model, assembler: BatchAssembler, batchSize: number): Promise<Float32Array> {
  const k = model.spec.numClasses;
  const out = new Float32Array(assembler.size * k);
  await forEachLogits(model, assembler, batchSize, (logits, start) => out.set(logits, start * k));
  return out;
}

/**
 * The test metrics of `model`, the test set streamed batch by batch into the evaluation (no N x C
 * logits are held); the logits too when `keep` (tests compare them across backends).
 */
export async function evaluateModel(model: Scorer, assembler: BatchAssembler, labels: Int32Array, groups: Groups, batchSize: number, keep: boolean): Promise<{ evaluation: Evaluation; logits: Float32Array | null }> {
  const k = model.spec.numClasses;
  const acc = new EvaluationAccumulator(labels, k);
  const out = keep ? new Float32Array(assembler.size * k) : null;
  await forEachLogits(model, assembler, batchSize, (logits, start, count) => {
    acc.add(logits, count);
    out?.set(logits, start * k);
  });
  return { evaluation: acc.finish(groups), logits: out };
}

/** Balanced accuracy of `model` over the assembler's images, streamed. */
export async function balancedAccuracyOf(model: Scorer, assembler: BatchAssembler, labels: Int32Array, batchSize: number): Promise<number> {
  const k = model.spec.numClasses;
  const hit = new Float64Array(k);
  const all = new Float64Array(k);
  await forEachLogits(model, assembler, batchSize, (logits, start, count) => countHits(logits, labels.subarray(start, start + count), k, hit, all));
  return meanHitRate(hit, all);
}

/** Mean per-class accuracy (classes without images left out): the holdout is long-tailed too. */
export function balancedAccuracy(logits: Float32Array, labels: Int32Array, numClasses: number): number {
  const hit = new Float64Array(numClasses);
  const all = new Float64Array(numClasses);
  countHits(logits, labels, numClasses, hit, all);
  return meanHitRate(hit, all);
}

function countHits(logits: Float32Array, labels: Int32Array, numClasses: number, hit: Float64Array, all: Float64Array): void {
  for (let i = 0; i < labels.length; i++) {
    let best = 0;
    for (let k = 1; k < numClasses; k++) if (logits[i * numClasses + k] > logits[i * numClasses + best]) best = k;
    all[labels[i]]++;
    if (best === labels[i]) hit[labels[i]]++;
  }
}

function meanHitRate(hit: Float64Array, all: Float64Array): number {
  let sum = 0;
  let classes = 0;
  for (let k = 0; k < all.length; k++) {
    if (!all[k]) continue;
    sum += hit[k] / all[k];
    classes++;
  }
  return classes ? sum / classes : 0;
}
