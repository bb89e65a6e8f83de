import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cosineFactor, learningRate, learningRateAt, stepFactor, stepWarmupFactor, warmupFactor, type ScheduleConfig } from '../../src-main/core/train/schedule';

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

describe('per-step warm-up (the default form)', () => {
  // 10 epochs of 10 batches, 1 warm-up epoch, lr 0.1, x0.01 at epochs 6 and 8 (0-based).
  const short: ScheduleConfig = { lr: 0.1, epochs: 10, warmupEpochs: 1, warmupForm: 'step', schedule: 'step', milestones: [6, 8], gamma: 0.01 };
  test('rises every step: lr * (s + 1) / (W * B)', () => {
    near(learningRateAt(short, 0, 0, 10), 0.01);
    near(learningRateAt(short, 0, 4, 10), 0.05);
    near(learningRateAt(short, 0, 9, 10), 0.1);
    near(learningRateAt(short, 1, 0, 10), 0.1);
    near(stepWarmupFactor(24, 5, 10), 0.5);
  });
  test('the decay is still per epoch', () => {
    near(learningRateAt(short, 5, 9, 10), 0.1);
    near(learningRateAt(short, 6, 0, 10), 0.001);
    near(learningRateAt(short, 8, 3, 10), 0.00001);
  });
  test("the per-epoch form keeps the reference code's values (a one-epoch warm-up is none)", () => {
    const perEpoch: ScheduleConfig = { ...short, warmupForm: 'epoch' };
    near(learningRateAt(perEpoch, 0, 0, 10), 0.1);
    const paper: ScheduleConfig = { lr: 0.1, epochs: 200, warmupEpochs: 5, warmupForm: 'epoch', schedule: 'step', milestones: [120, 160], gamma: 0.01 };
    near(learningRateAt(paper, 0, 77, 97), 0.02);
    near(learningRateAt(paper, 3, 0, 97), 0.08);
    // the same paper run with per-step warm-up: 5 * 97 = 485 warm-up steps
    near(learningRateAt({ ...paper, warmupForm: 'step' }, 0, 96, 97), (0.1 * 97) / 485);
  });
  test('cosine after a per-step warm-up', () => {
    const c: ScheduleConfig = { lr: 0.1, epochs: 12, warmupEpochs: 2, warmupForm: 'step', schedule: 'cosine', milestones: [], gamma: 1 };
    near(learningRateAt(c, 1, 0, 4), 0.1 * 5 / 8);
    near(learningRateAt(c, 7, 3, 4), 0.05);
  });
});
