import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { autoEvalEvery, evaluatedEpoch, holdoutCount, stratifiedHoldout } from '../../src-main/core/train/holdout';
import { chanceCheckEpoch, divergenceReason, majorityShare, teacherWarnings, testChanceWarning, trainChanceWarning } from '../../src-main/core/train/run-warnings';

describe('run warnings', () => {
  test('chance level of a long-tailed split is the largest class share', () => {
    assert.equal(majorityShare([500, 300, 200]), 0.5);
    assert.equal(trainChanceWarning(0.51, 3, [500, 300, 200]), null);
    assert.equal(
      trainChanceWarning(0.5, 3, [500, 300, 200]),
      'training accuracy is 50.0% after epoch 3, no better than always predicting the largest class (50.0%): the model is not learning; try a lower learning rate, a longer warm-up or more epochs',
    );
    // a balanced split: chance is 1 / C
    assert.match(trainChanceWarning(0.2, 2, [10, 10, 10, 10]) ?? '', /\(25\.0%\)/);
    assert.equal(chanceCheckEpoch(200), 3);
    assert.equal(chanceCheckEpoch(2), 2);
  });

  test('test top-1 below 1.5 / C is chance', () => {
    assert.equal(testChanceWarning(0.15, 10), null);
    assert.equal(testChanceWarning(0.104, 10), 'the run ended at chance level: test top-1 10.4% with 10 balanced classes (chance 10.0%)');
  });

  test('divergence: not finite, or 100 times the first loss (at least 100 ln C)', () => {
    assert.equal(divergenceReason(6.5, 2.3, 10, 1, 1), null);
    assert.match(divergenceReason(Number.NaN, 2.3, 10, 2, 7) ?? '', /^training diverged: the loss is NaN at epoch 2, batch 7;/);
    // limit 100 * max(ln 10 = 2.303, 2) = 230.3
    assert.equal(divergenceReason(230, 2, 10, 1, 3), null);
    assert.equal(divergenceReason(231, 2, 10, 1, 3), 'training diverged: the loss reached 231 at epoch 1, batch 3 (more than 230); try a lower learning rate or a longer warm-up');
    // LDAM starts near its scale s = 30: the limit follows the first loss
    assert.equal(divergenceReason(2000, 30, 10, 1, 3), null);
  });

  test("teacher checks: not bsce, another split, cosine head, chance", () => {
    const t = { name: 't', method: 'ce', splitId: 2, splitName: 'other', normHead: true, top1: 0.1, numClasses: 10, seed: 0 };
    const w = teacherWarnings(t, { method: 'dive', splitId: 1, splitName: 'lt', seed: 1 });
    assert.equal(w.length, 4);
    assert.match(w[0], /^teacher "t" was trained with ce, not Balanced Softmax/);
    assert.match(w[1], /^teacher "t" was trained on split "other", not "lt"/);
    assert.match(w[2], /cosine classifier/);
    assert.match(w[3], /^teacher "t" ended at chance level/);
    assert.deepEqual(teacherWarnings({ ...t, method: 'bsce', splitId: 1, normHead: false, top1: 0.7 }, { method: 'dive', splitId: 1, splitName: 'lt', seed: 1 }), []);
    // kd does not assume a BSCE teacher
    assert.deepEqual(teacherWarnings({ ...t, splitId: 1, normHead: false, top1: 0.7 }, { method: 'kd', splitId: 1, splitName: 'lt', seed: 1 }), []);
  });

  test("a student on its teacher's seed is warned: it re-learns its teacher", () => {
    const t = { name: 'T', method: 'bsce', splitId: 1, splitName: 'lt', normHead: false, top1: 0.7, numClasses: 10, seed: 4 };
    for (const method of ['kd', 'dive'] as const) {
      assert.deepEqual(teacherWarnings(t, { method, splitId: 1, splitName: 'lt', seed: 4 }), [
        'the student\'s seed 4 is its teacher "T"\'s seed: it starts from the teacher\'s initial weights and sees its batches in the same order, so it re-learns its teacher; use another seed (e.g. 5)',
      ]);
      assert.deepEqual(teacherWarnings(t, { method, splitId: 1, splitName: 'lt', seed: 5 }), []);
    }
  });
});

describe('holdout and evaluation cadence', () => {
  test('holdout counts: rounded share, at least 1, never the whole class', () => {
    assert.deepEqual([500, 100, 10, 3, 2, 1].map((n) => holdoutCount(n, 0.1)), [50, 10, 1, 1, 1, 0]);
    assert.equal(holdoutCount(2, 0.9), 1);
    assert.equal(holdoutCount(100, 0), 0);
  });

  test('stratified, disjoint, seeded', () => {
    const labels = Int32Array.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 2, 2]);
    const a = stratifiedHoldout(labels, 3, 0.2, 5);
    assert.deepEqual(a.valCounts, [2, 1, 1]);
    assert.deepEqual(a.trainCounts, [8, 4, 1]);
    assert.equal(a.train.length + a.val.length, labels.length);
    assert.equal(new Set([...a.train, ...a.val]).size, labels.length);
    assert.deepEqual(stratifiedHoldout(labels, 3, 0.2, 5), a);
    assert.notDeepEqual(stratifiedHoldout(labels, 3, 0.2, 6).val, a.val);
  });

  test('auto eval-every: ceil(4 test / (3 train)), evaluation at most a quarter of the training time', () => {
    assert.equal(autoEvalEvery(12406, 10000), 2); // CIFAR-10-LT rho 100: 1.07
    assert.equal(autoEvalEvery(1236, 10000), 11); // Fashion-MNIST-LT rho 100, n_max 500: 10.8
    assert.equal(autoEvalEvery(50000, 10000), 1);
    assert.deepEqual([1, 2, 3].filter((e) => evaluatedEpoch(e, 11, 3)), [3], 'a short run: the last epoch only');
    assert.deepEqual([1, 2, 3, 4, 5, 6, 7].filter((e) => evaluatedEpoch(e, 3, 7)), [3, 6, 7]);
  });
});
