// The validation holdout a run may carve out of its training split: stratified (the same share of
// every class, rounded, at least one image of any class that keeps at least one for training), so
// that a long-tailed split keeps its profile on both sides. Seeded, so a run's holdout is a pure
// function of (labels, fraction, seed) and is recorded by its config alone.
import { Rng } from '../rng';

export interface Holdout {
  /** indices into the split's training images, ascending */
  train: Int32Array;
  val: Int32Array;
  /** per-class counts of the images left for training */
  trainCounts: number[];
  valCounts: number[];
}

/** Images of class c held out: round(f * n_c), at least 1 when f > 0 and n_c >= 2, never all. */
export function holdoutCount(n: number, fraction: number): number {
  if (fraction <= 0 || n < 2) return 0;
  return Math.min(n - 1, Math.max(1, Math.round(fraction * n)));
}

export function stratifiedHoldout(labels: Int32Array, numClasses: number, fraction: number, seed: number): Holdout {
  const byClass: number[][] = Array.from({ length: numClasses }, () => []);
  for (let i = 0; i < labels.length; i++) byClass[labels[i]].push(i);
  // a stream of its own, so that the init and data streams of loop.ts stay as they are
  const rng = new Rng(seed ^ 0x7a11d);
  const isVal = new Uint8Array(labels.length);
  const valCounts = byClass.map((idx) => {
    const k = holdoutCount(idx.length, fraction);
    const shuffled = rng.shuffle(idx.slice());
    for (let j = 0; j < k; j++) isVal[shuffled[j]] = 1;
    return k;
  });
  const train: number[] = [];
  const val: number[] = [];
  for (let i = 0; i < labels.length; i++) (isVal[i] ? val : train).push(i);
  return { train: Int32Array.from(train), val: Int32Array.from(val), trainCounts: byClass.map((idx, c) => idx.length - valCounts[c]), valCounts };
}

/** The labels at the given indices (the images stay where they are: pixel-source.ts pixelsSubset). */
export function gatherLabels(labels: Int32Array, idx: Int32Array): Int32Array {
  const out = new Int32Array(idx.length);
  for (let i = 0; i < idx.length; i++) out[i] = labels[idx[i]];
  return out;
}

/**
 * The default evaluation cadence. A test image costs about a third of a training image (a forward
 * pass only), so evaluating every K epochs costs test / (3 K train) of the training time; K =
 * ceil(4 test / (3 train)) keeps that at most a quarter. On a small split with a large test set
 * (Fashion-MNIST-LT: 1,236 training and 10,000 test images, K = 11) a short run is evaluated after
 * its last epoch only; `evalEvery` asks for more.
 */
export function autoEvalEvery(trainImages: number, testImages: number): number {
  return Math.max(1, Math.ceil((4 * testImages) / (3 * Math.max(1, trainImages))));
}

/** Whether 1-based epoch `epoch` is evaluated: every K-th, and always the last. */
export function evaluatedEpoch(epoch: number, every: number, epochs: number): boolean {
  return epoch === epochs || epoch % every === 0;
}
