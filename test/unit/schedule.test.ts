import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cosineFactor, learningRate, stepFactor, warmupFactor, type ScheduleConfig } from '../../src-main/core/train/schedule';

const near = (a: number, b: number) => assert.ok(Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(b)), `${a} vs ${b}`);

describe('step schedule with warm-up', () => {
  // The DiVE recipe: lr 0.1, 5 warm-up epochs, x0.01 at epochs 120 and 160, 200 epochs.
  const dive: ScheduleConfig = { lr: 0.1, epochs: 200, warmupEpochs: 5, schedule: 'step', milestones: [120, 160], gamma: 0.01 };
  test('warm-up: lr * (e + 1) / 5 for e = 0..4, as LDAM-DRW adjust_learning_rate', () => {
    near(learningRate(dive, 0), 0.02);
    near(learningRate(dive, 1), 0.04);
    near(learningRate(dive, 2), 0.06);
    near(learningRate(dive, 4), 0.1);
  });
  test('base lr until the first milestone, then gamma per milestone reached', () => {
    near(learningRate(dive, 5), 0.1);
    near(learningRate(dive, 119), 0.1);
    near(learningRate(dive, 120), 0.001);
    near(learningRate(dive, 159), 0.001);
    near(learningRate(dive, 160), 0.00001);
    near(learningRate(dive, 199), 0.00001);
  });
  test("LDAM-DRW's recipe (x0.01 after epoch 160, x0.0001 after 180, 1-based) is milestones [160, 180], gamma 0.01", () => {
    const ldam: ScheduleConfig = { ...dive, milestones: [160, 180], gamma: 0.01 };
    // reference, with epoch = e + 1: epoch > 160 -> lr * 0.01; epoch > 180 -> lr * 0.0001
    near(learningRate(ldam, 159), 0.1);
    near(learningRate(ldam, 160), 0.1 * 0.01);
    near(learningRate(ldam, 179), 0.1 * 0.01);
    near(learningRate(ldam, 180), 0.1 * 0.0001);
  });
  test('factors', () => {
    assert.equal(warmupFactor(0, 0), 1);
    assert.equal(warmupFactor(1, 4), 0.5);
    assert.equal(stepFactor(10, [], 0.1), 1);
    near(stepFactor(10, [3, 10, 11], 0.5), 0.25);
  });
});

describe('cosine schedule', () => {
  test('anneals from lr to 0 over the epochs after warm-up', () => {
    const c: ScheduleConfig = { lr: 0.1, epochs: 12, warmupEpochs: 2, schedule: 'cosine', milestones: [], gamma: 1 };
    near(learningRate(c, 0), 0.05);
    near(learningRate(c, 1), 0.1);
    near(learningRate(c, 2), 0.1); // cos(0)
    near(learningRate(c, 7), 0.05); // half way: (1 + cos(pi / 2)) / 2
    near(learningRate(c, 4), 0.1 * (1 + Math.cos(Math.PI * 0.2)) / 2);
    near(cosineFactor(12, 12, 2), 0);
  });
  test('milestones are ignored by the cosine schedule', () => {
    const c: ScheduleConfig = { lr: 1, epochs: 4, warmupEpochs: 0, schedule: 'cosine', milestones: [1], gamma: 0.01 };
    near(learningRate(c, 2), 0.5);
  });
});
