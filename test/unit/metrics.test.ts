import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  argmaxRows,
  confusionMatrix,
  evaluate,
  expectedCalibrationError,
  groupAccuracy,
  perClassAccuracy,
  softmaxRows,
  top1,
} from '../../src-main/core/eval/metrics';
import { UserError } from '../../src-main/core/domain/errors';

// 7 test samples, 4 classes; class 3 has no test sample.
const LOGITS = new Float32Array([
  3, 1, 0, -10, // label 0 -> 0 right
  0, 2, 1, -10, // label 0 -> 1 wrong
  0, 5, 0, -10, // label 1 -> 1 right
  1, 1, 0, -10, // label 1 -> tie 0/1 -> 0 wrong
  0, 0, 4, -10, // label 2 -> 2 right
  2, 0, 0, -10, // label 2 -> 0 wrong
  0, 0, 9, -10, // label 2 -> 2 right
]);
const LABELS = new Int32Array([0, 0, 1, 1, 2, 2, 2]);
const GROUPS = { many: [0], medium: [1, 3], few: [2] };

// ECE example, C = 2, probabilities given directly.
const PROBS = new Float64Array([0.9, 0.1, 0.7, 0.3, 0.35, 0.65, 0.55, 0.45, 0.95, 0.05]);
const PROB_LABELS = new Int32Array([0, 1, 1, 0, 1]);

describe('predictions', () => {
  test('argmax: first index on ties, NaN never wins', () => {
    assert.deepEqual(Array.from(argmaxRows(LOGITS, 4)), [0, 1, 1, 0, 2, 0, 2]);
    assert.deepEqual(Array.from(argmaxRows([NaN, 1, 2, NaN, -Infinity, -Infinity], 3)), [2, 0]);
  });

  test('softmax rows are stable and a diverged row is uniform', () => {
    const p = softmaxRows([0, Math.log(3), 1000, 1000, NaN, 0], 2);
    const expected = [0.25, 0.75, 0.5, 0.5, 0.5, 0.5];
    p.forEach((v, i) => assert.ok(Math.abs(v - expected[i]) < 1e-15, `${i}: ${v}`));
    assert.throws(() => softmaxRows([1, 2, 3], 2), /3 values for 1 samples x 2 classes/);
  });
});

describe('accuracy', () => {
  test('confusion matrix: rows are the true class, columns the prediction', () => {
    const cm = confusionMatrix(argmaxRows(LOGITS, 4), LABELS, 4);
    assert.equal(cm.numClasses, 4);
    // prettier-ignore
    assert.deepEqual(Array.from(cm.counts), [
      1, 1, 0, 0,
      1, 1, 0, 0,
      1, 0, 2, 0,
      0, 0, 0, 0,
    ]);
  });

  test('per-class accuracy is null for a class without test samples', () => {
    const acc = perClassAccuracy(confusionMatrix(argmaxRows(LOGITS, 4), LABELS, 4));
    assert.deepEqual(acc, [0.5, 0.5, 2 / 3, null]);
  });

  test('top-1 counts samples, not classes', () => {
    assert.equal(top1(argmaxRows(LOGITS, 4), LABELS), 4 / 7);
    assert.throws(() => top1([], []), UserError);
  });

  test('group accuracy is the mean of per-class accuracies, empty classes and groups left out', () => {
    assert.deepEqual(groupAccuracy([0.5, 0.5, 2 / 3, null], GROUPS), { many: 0.5, medium: 0.5, few: 2 / 3 });
    // mean over classes, not samples: many = (1 + 0) / 2 even if the classes' sizes differ
    assert.deepEqual(groupAccuracy([1, 0, 0.25, null], { many: [0, 1], medium: [3], few: [2] }), {
      many: 0.5,
      medium: null,
      few: 0.25,
    });
    assert.deepEqual(groupAccuracy([1, 0], { many: [0, 1], medium: [], few: [] }), { many: 0.5, medium: null, few: null });
  });

  test('labels and predictions out of range are rejected', () => {
    assert.throws(() => confusionMatrix([0, 1], [0, 3], 3), /label 3 at sample 1 is outside 0..2/);
    assert.throws(() => confusionMatrix([0, -1], [0, 1], 3), /prediction -1 at sample 1/);
    assert.throws(() => confusionMatrix([0, 1], [0, 1.5], 3), UserError);
  });
});

describe('calibration', () => {
  test('ECE with 5 bins by hand', () => {
    // bin (0.8,1]: conf .9 right, .95 wrong -> 2/5 |0.5 - 0.925| = 0.17
    // bin (0.6,0.8]: conf .7 wrong, .65 right -> 2/5 |0.5 - 0.675| = 0.07
    // bin (0.4,0.6]: conf .55 right -> 1/5 |1 - 0.55| = 0.09
    assert.ok(Math.abs(expectedCalibrationError(PROBS, PROB_LABELS, 2, 5) - 0.33) < 1e-12);
    // one bin: |accuracy - mean confidence| = |0.6 - 0.75|
    assert.ok(Math.abs(expectedCalibrationError(PROBS, PROB_LABELS, 2, 1) - 0.15) < 1e-12);
  });

  test('ECE bins are closed on the right and a calibrated set scores 0', () => {
    // conf 0.6 with 5 bins falls in (0.4, 0.6]; wrong -> |0 - 0.6|; right -> |1 - 0.6|
    assert.ok(Math.abs(expectedCalibrationError([0.6, 0.4], [1], 2, 5) - 0.6) < 1e-12);
    assert.ok(Math.abs(expectedCalibrationError([0.6, 0.4], [0], 2, 5) - 0.4) < 1e-12);
    assert.equal(expectedCalibrationError([0.5, 0.5, 0.5, 0.5], [0, 1], 2, 15), 0);
    assert.throws(() => expectedCalibrationError(PROBS, PROB_LABELS, 2, 0), UserError);
  });
});

describe('evaluate', () => {
  test('collects every metric from logits', () => {
    const e = evaluate(LOGITS, LABELS, 4, GROUPS);
    assert.equal(e.top1, 4 / 7);
    assert.deepEqual([e.many, e.medium, e.few], [0.5, 0.5, 2 / 3]);
    assert.deepEqual(e.perClass, [0.5, 0.5, 2 / 3, null]);
    assert.equal(e.confusion?.counts[2 * 4 + 2], 2);
    assert.ok(e.ece > 0 && e.ece < 1);
  });

  test('ECE from logits equals the hand value on their softmax', () => {
    const logits = Array.from(PROBS, Math.log);
    const e = evaluate(logits, PROB_LABELS, 2, { many: [0], medium: [], few: [1] }, 5);
    assert.ok(Math.abs(e.ece - 0.33) < 1e-12);
    assert.equal(e.top1, 3 / 5);
    assert.deepEqual([e.many, e.medium, e.few], [1, null, 1 / 3]);
  });

  test('shape mismatches are caught', () => {
    assert.throws(() => evaluate(new Float32Array(7), LABELS, 4, GROUPS), /7 values for 7 samples x 4 classes/);
  });
});
