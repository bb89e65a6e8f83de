// The validation holdout a run may carve out of its training split: stratified (the same share of
// every class, rounded, at least one image of any class that keeps at least one for training), so
// that a long-tailed split keeps its profile on both sides. Seeded, so a run's holdout is a pure
// function of (labels, fraction, seed) and is recorded by its config alone.
import { holdoutCount, TEST_SAMPLE_SEED } from '../domain/eval-plan';
import { Rng } from '../rng';

export interface Holdout {
  /** indices into the split's training images, ascending */
  train: Int32Array;
  val: Int32Array;
  /** per-class counts of the images left for training */
  trainCounts: number[];
  valCounts: number[];
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

// the evaluation cadence, the test sample's size and the holdout's counts are rules of the leaf
// package (domain/eval-plan.ts: the Train form's estimate counts with them too)
export { autoEvalEvery, evaluatedEpoch, holdoutCount } from '../domain/eval-plan';

/**
 * The fixed class-stratified sample of the test set that a short run is evaluated on before its
 * last epoch (domain/eval-plan.ts): about `size` images, the same share of every class, drawn with
 * TEST_SAMPLE_SEED so that every run of the dataset sees the same images. Indices ascending.
 */
export function testSample(labels: Int32Array, numClasses: number, size: number): Int32Array {
  return stratifiedHoldout(labels, numClasses, Math.min(1, size / Math.max(1, labels.length)), TEST_SAMPLE_SEED).val;
}
