// The evaluation plan (domain/eval-plan.ts), pinned to hand-computed cases.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { autoEvalEvery, evalPlan, evaluatedCount, evaluatedEpoch, evaluations, MIN_TEST_POINTS } from '../../src-main/core/domain/eval-plan';
import { testSample } from '../../src-main/core/train/holdout';

describe('evaluation plan', () => {
  test('the full-set cadence ceil(4 test / (3 train)) where it already gives a curve', () => {
    assert.equal(autoEvalEvery(1236, 10000), 11);
    assert.equal(evaluatedCount(11, 60), 6); // 11, 22, 33, 44, 55, 60
    assert.deepEqual(evalPlan({ trainImages: 1236, testImages: 10000, epochs: 60 }), { every: 11, sample: null });
    // CIFAR-100-LT-sized (10,847 / 10,000): K = ceil(1.23) = 2; 200 epochs give 100 points
    assert.deepEqual(evalPlan({ trainImages: 10847, testImages: 10000, epochs: 200 }), { every: 2, sample: null });
  });

  test('a 5-epoch Fashion-MNIST-LT run: every epoch, epochs 1-4 on a sample costing a quarter of training', () => {
    // full cadence 11 gives 1 point < min(5, 5); every = floor(5 / 5) = 1; 4 epochs before the last;
    // sample = floor(3 * 0.25 * 5 * 1236 / 4) = floor(1158.75) = 1158
    const plan = evalPlan({ trainImages: 1236, testImages: 10000, epochs: 5 });
    assert.deepEqual(plan, { every: 1, sample: 1158 });
    assert.deepEqual(evaluations(plan, 5, 10000), [
      { epoch: 1, images: 1158 }, { epoch: 2, images: 1158 }, { epoch: 3, images: 1158 }, { epoch: 4, images: 1158 }, { epoch: 5, images: 10000 },
    ]);
    // cost of the sampled evaluations: 4 * 1158 / 3 = 1544 training-image equivalents, 25.0% of 5 * 1236
    assert.ok((4 * 1158) / 3 <= 0.25 * 5 * 1236);
  });

  test('a 20-epoch run: every 4th epoch; a 2-epoch run: both; a 1-epoch run: its last only', () => {
    // 20 epochs, K = 11: epochs 11, 20 (2 < 5); every = 4: 4, 8, 12, 16 sampled, 20 full; sample = floor(0.75 * 20 * 1236 / 4) = 4635
    assert.deepEqual(evalPlan({ trainImages: 1236, testImages: 10000, epochs: 20 }), { every: 4, sample: 4635 });
    // 2 epochs: every = 1, one epoch before the last, sample = floor(0.75 * 2 * 1236) = 1854
    assert.deepEqual(evalPlan({ trainImages: 1236, testImages: 10000, epochs: 2 }), { every: 1, sample: 1854 });
    assert.deepEqual(evalPlan({ trainImages: 1236, testImages: 10000, epochs: 1 }), { every: 11, sample: null });
  });

  test('where the budget covers the whole test set, no sample; --eval-every is kept as given', () => {
    // CIFAR-10-LT rho 100 (12,406 / 10,000), 5 epochs: K = 2 gives 3 points; every = 1, sample = 0.75 * 5 * 12406 / 4 = 11630 >= 10000
    assert.deepEqual(evalPlan({ trainImages: 12406, testImages: 10000, epochs: 5 }), { every: 1, sample: null });
    assert.deepEqual(evalPlan({ trainImages: 1236, testImages: 10000, epochs: 5, evalEvery: 3 }), { every: 3, sample: null });
    assert.deepEqual([1, 2, 3, 4, 5].filter((e) => evaluatedEpoch(e, 3, 5)), [3, 5]);
  });

  test('every short run gets min(epochs, MIN_TEST_POINTS) points or more', () => {
    for (let epochs = 1; epochs <= 60; epochs++) {
      const plan = evalPlan({ trainImages: 1236, testImages: 10000, epochs });
      assert.ok(evaluatedCount(plan.every, epochs) >= Math.min(epochs, MIN_TEST_POINTS), `${epochs} epochs: ${JSON.stringify(plan)}`);
    }
  });

  test('the test sample: the same share of every class, fixed whatever the run', () => {
    // 4 classes of 100 test images; a sample of 40 holds 10 of each
    const labels = Int32Array.from({ length: 400 }, (_, i) => i % 4);
    const s = testSample(labels, 4, 40);
    assert.equal(s.length, 40);
    assert.deepEqual([0, 1, 2, 3].map((c) => s.filter((i) => labels[i] === c).length), [10, 10, 10, 10]);
    assert.deepEqual(testSample(labels, 4, 40), s);
    assert.ok(s.every((v, i) => i === 0 || v > s[i - 1]), 'ascending');
  });
});
