// The decoupled and post-hoc baselines' formulas pinned to hand-computed numbers (issue 25, item 4):
// tau-normalisation (classifier-balancing tau_norm.py: w_j / ||w_j||^t, scored without the bias),
// post-hoc logit adjustment (google-research logit_adjustment: z - log(pi^t + 1e-12)), the folding
// of either into a linear classifier, the sweep over t, and class-aware sampling's balance.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { POSTHOC_GRID } from '../../src-main/core/domain/posthoc';
import { applyAffine, bestOnValidation, classWeightNorms, foldAffine, logitAdjustment, logPriorOffsets, PosthocSweepAccumulator, tauNormalisation } from '../../src-main/core/eval/posthoc';
import { Rng } from '../../src-main/core/rng';
import { classAwareOrder } from '../../src-main/core/train/class-aware';

const close = (a: number, b: number, tol = 1e-12) => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

// a linear classifier with 2 features and 3 classes, row-major [features, classes]:
// w_0 = (3, 4) (norm 5), w_1 = (0, 2) (norm 2), w_2 = (1, 0) (norm 1); b = (0.5, -1, 2)
const W = [3, 0, 1, 4, 2, 0];
const B = [0.5, -1, 2];

test('class weight norms are the columns of our [features, classes] weight', () => {
  assert.deepEqual(Array.from(classWeightNorms(W, 2, 3)), [5, 2, 1]);
});

test('tau-normalisation: a_j = 1 / ||w_j||^t, the bias dropped (c_j = -b_j a_j)', () => {
  const m = tauNormalisation([5, 2, 1], B, 1);
  assert.deepEqual(Array.from(m.scale), [1 / 5, 1 / 2, 1]);
  assert.deepEqual(Array.from(m.shift), [-0.5 / 5, 1 / 2, -2]);
  // feature f = (1, 1): raw z = f.w + b = (7.5, 1, 3); normalised scores f.w_j / ||w_j|| = (7/5, 2/2, 1/1)
  const z = [7.5, 1, 3];
  const near = (got: Float64Array, want: number[]) => want.forEach((v, j) => close(got[j], v, 1e-15));
  near(applyAffine(z, m, new Float64Array(3)), [7 / 5, 1, 1]);
  // t = 0 keeps the weights and drops the bias; t = 2: (7/25, 2/4, 1)
  near(applyAffine(z, tauNormalisation([5, 2, 1], B, 0), new Float64Array(3)), [7, 2, 1]);
  near(applyAffine(z, tauNormalisation([5, 2, 1], B, 2), new Float64Array(3)), [7 / 25, 0.5, 1]);
  // an all-zero class weight keeps scale 1
  assert.equal(tauNormalisation([0, 2], [1, 1], 1).scale[0], 1);
});

test('post-hoc logit adjustment: z_j - log(pi_j^t + 1e-12)', () => {
  // counts 6, 3, 1: pi = 0.6, 0.3, 0.1
  const off = logPriorOffsets([6, 3, 1], 1);
  [0.6, 0.3, 0.1].forEach((p, j) => close(off[j], Math.log(p + 1e-12)));
  const m = logitAdjustment([6, 3, 1], 1);
  assert.deepEqual(Array.from(m.scale), [1, 1, 1]);
  const z = applyAffine([1, 1, 1], m, new Float64Array(3));
  [0.6, 0.3, 0.1].forEach((p, j) => close(z[j], 1 - Math.log(p + 1e-12)));
  // the rarest class gains most: equal raw logits now predict class 2
  assert.ok(z[2] > z[1] && z[1] > z[0]);
  // t = 0.5: log(sqrt(pi) + 1e-12); t = 0: log(1 + 1e-12), the same for every class
  close(logPriorOffsets([6, 3, 1], 0.5)[2], Math.log(Math.sqrt(0.1) + 1e-12));
  close(logPriorOffsets([6, 3, 1], 0)[0], Math.log(1 + 1e-12));
  // a class without images gets log(1e-12), finite (the reference's 1e-12)
  close(logPriorOffsets([4, 0], 1)[1], Math.log(1e-12));
});

test('folding the map into the classifier gives a linear layer that scores the same', () => {
  const m = tauNormalisation([5, 2, 1], B, 1);
  const f = foldAffine(W, B, m);
  assert.deepEqual(Array.from(f.weight), [3 / 5, 0, 1, 4 / 5, 1, 0].map(Math.fround));
  assert.deepEqual(Array.from(f.bias), [0, 0, 0]);
  const la = foldAffine(W, B, logitAdjustment([6, 3, 1], 1));
  assert.deepEqual(Array.from(la.weight), W.map(Math.fround));
  [0.6, 0.3, 0.1].forEach((p, j) => assert.equal(la.bias[j], Math.fround(B[j] - Math.log(p + 1e-12))));
});

test('the sweep evaluates every t of the grid; validation picks the best t, the smallest on ties', () => {
  // 4 test images, 2 classes; raw logits favour class 0; counts 9 : 1
  const logits = [2, 0, 2, 0, 0.5, 0, 3, 0];
  const labels = Int32Array.from([0, 1, 1, 0]);
  const grid = [0, 1];
  const acc = new PosthocSweepAccumulator(grid, grid.map((t) => logitAdjustment([9, 1], t)), labels, 2);
  acc.addTest(logits, 4);
  acc.addVal(logits, labels);
  const points = acc.points({ many: [], medium: [], few: [0, 1] }, true);
  // t = 0: all predicted 0 -> top-1 2/4; t = 1 adds log 9 = 2.197 to class 1: rows 1, 2, 3 flip to 1 (2 - 0 < 2.197 ...), row 4 (3 > 2.197) stays 0
  assert.deepEqual(points.map((p) => p.top1), [0.5, 0.75]);
  assert.deepEqual(points.map((p) => p.val), [0.5, 0.75]);
  assert.equal(bestOnValidation(points), 1);
  assert.equal(bestOnValidation([{ t: 0, top1: 1, many: null, medium: null, few: null, val: 0.5 }, { t: 1, top1: 1, many: null, medium: null, few: null, val: 0.5 }]), 0);
  assert.equal(bestOnValidation(points.map((p) => ({ ...p, val: null }))), null);
});

test('the grid is 0 to 2 in steps of 0.1, as tau_norm.py', () => {
  assert.equal(POSTHOC_GRID.length, 21);
  assert.deepEqual([POSTHOC_GRID[0], POSTHOC_GRID[1], POSTHOC_GRID[7], POSTHOC_GRID[20]], [0, 0.1, 0.7, 2]);
});

test('class-aware sampling draws every class equally often, 4 images of a class at a time', () => {
  // class sizes 40, 8, 2 (a long tail); 120 draws: 30 groups of 4, classes in shuffled cycles of 3
  const labels = Int32Array.from([...Array<number>(40).fill(0), ...Array<number>(8).fill(1), ...Array<number>(2).fill(2)]);
  const order = classAwareOrder(labels, 3, 120, new Rng(7));
  const perClass = [0, 0, 0];
  for (const i of order) perClass[labels[i]]++;
  assert.deepEqual(perClass, [40, 40, 40]);
  // runs of 4 from one class
  for (let g = 0; g < 120; g += 4) assert.equal(new Set(Array.from(order.subarray(g, g + 4), (i) => labels[i])).size, 1);
  // every cycle of 3 groups visits each class once
  for (let c = 0; c < 120; c += 12) assert.deepEqual(new Set([0, 4, 8].map((k) => labels[order[c + k]])), new Set([0, 1, 2]));
  // a class's images are drawn in cycles: its 2 images alternate, each cycle a shuffle of both
  const tail = Array.from(order).filter((i) => labels[i] === 2);
  for (let k = 0; k < tail.length; k += 2) assert.deepEqual(new Set(tail.slice(k, k + 2)), new Set([48, 49]));
  // seeded: the same stream gives the same order
  assert.deepEqual(classAwareOrder(labels, 3, 120, new Rng(7)), order);
  // classes without images are skipped
  assert.deepEqual(new Set(Array.from(classAwareOrder(Int32Array.from([0, 2, 2]), 3, 8, new Rng(1)), (i) => [0, 2, 2][i])), new Set([0, 2]));
});
