import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { Sgd, sgdStepArrays } from '../../src-main/core/train/optim';

before(async () => {
  await tf.setBackend('cpu');
});

const near = (a: ArrayLike<number>, b: number[], tol = 1e-6) => {
  assert.equal(a.length, b.length);
  for (let i = 0; i < b.length; i++) assert.ok(Math.abs(a[i] - b[i]) <= tol, `[${i}] ${a[i]} vs ${b[i]}`);
};

describe('SGD with momentum and weight decay (PyTorch semantics)', () => {
  // w = 1, g = 0.5 each step, lr 0.1, momentum 0.9, wd 0.01:
  // step 1: d = 0.5 + 0.01 * 1 = 0.51; v = 0.51; w = 1 - 0.051 = 0.949
  // step 2: d = 0.5 + 0.00949 = 0.50949; v = 0.459 + 0.50949 = 0.96849; w = 0.949 - 0.096849 = 0.852151
  test('plain-array reference, hand values', () => {
    const w = Float32Array.of(1);
    const v = Float32Array.of(0);
    const g = Float32Array.of(0.5);
    sgdStepArrays(w, v, g, 0.1, { momentum: 0.9, weightDecay: 0.01 });
    near(w, [0.949]);
    near(v, [0.51]);
    sgdStepArrays(w, v, g, 0.1, { momentum: 0.9, weightDecay: 0.01 });
    near(w, [0.852151]);
    near(v, [0.96849]);
  });

  test('TF.js optimizer: the same hand values, per parameter, momentum buffers exposed', () => {
    const p = { a: tf.variable(tf.tensor1d([1, -2])), b: tf.variable(tf.tensor1d([3])) };
    const opt = new Sgd(p, { momentum: 0.9, weightDecay: 0.01 });
    const g = { [p.a.name]: tf.tensor1d([0.5, 0]), [p.b.name]: tf.tensor1d([-1]) };
    opt.step(g, 0.1);
    // a[1]: d = 0 + 0.01 * -2 = -0.02; w = -2 + 0.002. b: d = -1 + 0.03 = -0.97; w = 3 + 0.097
    near(p.a.dataSync(), [0.949, -1.998]);
    near(p.b.dataSync(), [3.097]);
    opt.step(g, 0.1);
    // a[1]: d = 0.01 * -1.998 = -0.01998; v = -0.018 - 0.01998 = -0.03798; w = -1.998 + 0.003798
    // b: d = -1 + 0.03097 = -0.96903; v = -0.873 - 0.96903 = -1.84203; w = 3.097 + 0.184203
    near(p.a.dataSync(), [0.852151, -1.994202]);
    near(p.b.dataSync(), [3.281203]);
    near(opt.buffers.a.dataSync(), [0.96849, -0.03798]);
    tf.dispose(Object.values(g));
    opt.dispose();
    p.a.dispose();
    p.b.dispose();
  });

  test('a parameter without a gradient is left alone (no decay either)', () => {
    const p = { a: tf.variable(tf.tensor1d([1])), b: tf.variable(tf.tensor1d([1])) };
    const opt = new Sgd(p, { momentum: 0.9, weightDecay: 0.5 });
    const g = { [p.a.name]: tf.tensor1d([1]) };
    opt.step(g, 1);
    near(p.a.dataSync(), [1 - 1.5]);
    near(p.b.dataSync(), [1]);
    tf.dispose(Object.values(g));
    opt.dispose();
    p.a.dispose();
    p.b.dispose();
  });

  test('momentum 0 and no weight decay is plain SGD', () => {
    const p = { a: tf.variable(tf.tensor1d([2])) };
    const opt = new Sgd(p, { momentum: 0, weightDecay: 0 });
    const g = { [p.a.name]: tf.tensor1d([4]) };
    opt.step(g, 0.25);
    opt.step(g, 0.25);
    near(p.a.dataSync(), [0]);
    tf.dispose(Object.values(g));
    opt.dispose();
    p.a.dispose();
  });

  test('snapshot / restore of the momentum buffers continues the same trajectory; no tensor leaks', () => {
    const start = tf.memory().numTensors;
    const run = (restoreAfter: boolean) => {
      const p = { w: tf.tidy(() => tf.variable(tf.tensor1d([1, 2, 3]))) };
      let opt = new Sgd(p, { momentum: 0.9, weightDecay: 1e-3 });
      const g = { [p.w.name]: tf.tensor1d([0.3, -0.1, 0.2]) };
      opt.step(g, 0.1);
      if (restoreAfter) {
        const snap = opt.snapshot();
        opt.dispose();
        opt = new Sgd(p, { momentum: 0.9, weightDecay: 1e-3 });
        opt.restore(snap);
      }
      opt.step(g, 0.1);
      const out = Array.from(p.w.dataSync());
      tf.dispose(Object.values(g));
      opt.dispose();
      p.w.dispose();
      return out;
    };
    assert.deepEqual(run(true), run(false));
    assert.equal(tf.memory().numTensors, start);
  });
});
