// Shared by wasm-batch-norm.test.ts (single-threaded wasm build) and native-conv-threads.test.ts
// (threaded build, the kernels split over worker threads): batch norm in training on the wasm
// backend's fused kernels (wasm-kernels/batch-norm.ts, bn_* in native/conv-kernels.c) against a
// plain composite of tf.moments on the cpu backend: output, batch statistics and the three
// gradients, max |wasm - cpu| / max |cpu| < 1e-4, a second run equal to the first to the bit (the
// same thread count); and with the ReLU (and a residual added before
// it) fused in, against relu(composite + residual), the residual's gradient too.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { Rng } from '../../src-main/core/rng';
import { relErr } from '../helpers/rel-err';
import { fusedBatchNormApplies, fusedBnTrainOp } from '../../src-main/core/train/batch-norm-fused';

const EPS = 1e-5;
const TOL = 1e-4;

/** relErr against a reference that must not be (nearly) all zeros, so agreement means something. */
function relErrNonZero(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.ok(Array.from(b).some((v) => Math.abs(v) > 1e-3), 'the reference is not all zeros');
  return relErr(a, b);
}

interface Out { y: Float32Array; mean: Float32Array; variance: Float32Array; dx: Float32Array; dgamma: Float32Array; dbeta: Float32Array }

/** Forward and the gradients of sum(y * dy), on the current backend, with `op` as batch norm. */
function run(op: (x: tf.Tensor, g: tf.Tensor1D, b: tf.Tensor1D, onStats: (m: tf.Tensor1D, v: tf.Tensor1D) => void) => tf.Tensor,
  x: Float32Array, shape: number[], gamma: Float32Array, beta: Float32Array, dy: Float32Array): Out {
  return tf.tidy(() => {
    const c = shape[shape.length - 1];
    const stats: Float32Array[] = [];
    const onStats = (m: tf.Tensor1D, v: tf.Tensor1D) => {
      stats.push(Float32Array.from(m.dataSync()), Float32Array.from(v.dataSync()));
    };
    const dyT = tf.tensor(dy, shape);
    const f = (xi: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(op(xi, g as tf.Tensor1D, b as tf.Tensor1D, onStats), dyT));
    const y = op(tf.tensor(x, shape), tf.tensor1d(gamma), tf.tensor1d(beta), onStats);
    const [dx, dgamma, dbeta] = tf.grads(f)([tf.tensor(x, shape), tf.tensor1d(gamma), tf.tensor1d(beta)]);
    assert.equal(stats[0].length, c);
    return {
      y: Float32Array.from(y.dataSync()), mean: stats[0], variance: stats[1],
      dx: Float32Array.from(dx.dataSync()), dgamma: Float32Array.from(dgamma.dataSync()), dbeta: Float32Array.from(dbeta.dataSync()),
    };
  });
}

/** The reference: tf.moments and element-wise ops, differentiated by tfjs-core. */
const composite = (x: tf.Tensor, g: tf.Tensor1D, b: tf.Tensor1D, onStats: (m: tf.Tensor1D, v: tf.Tensor1D) => void) => {
  const axes = x.shape.slice(0, -1).map((_, i) => i);
  const { mean, variance } = tf.moments(x, axes);
  onStats(mean as tf.Tensor1D, variance as tf.Tensor1D);
  return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, EPS))), g), b);
};

const fused = (x: tf.Tensor, g: tf.Tensor1D, b: tf.Tensor1D, onStats: (m: tf.Tensor1D, v: tf.Tensor1D) => void) => fusedBnTrainOp(x, g, b, EPS, onStats);

export function batchNormSuite(): void {
  describe('fused batch norm on wasm against the cpu composite', () => {
  const shapes = [[3, 5, 7, 8], [10, 16], [2, 4, 4, 32], [1, 1, 1, 4]];
  for (const [i, shape] of shapes.entries()) {
    test(`[${shape}]: output, statistics and gradients equal the cpu composite`, async () => {
      const rng = new Rng(1200 + i);
      const c = shape[shape.length - 1];
      const size = shape.reduce((a, b) => a * b, 1);
      // an offset and a spread per channel: the centred sums must not lose them
      const x = Float32Array.from({ length: size }, (_, k) => rng.normal() * (1 + (k % c)) + 5 - (k % c));
      const gamma = Float32Array.from({ length: c }, () => 1 + 0.5 * rng.normal());
      const beta = Float32Array.from({ length: c }, () => rng.normal());
      const dy = Float32Array.from({ length: size }, () => rng.normal());
      assert.ok(await tf.setBackend('wasm'));
      assert.ok(fusedBatchNormApplies(tf.zeros(shape)));
      const ours = run(fused, x, shape, gamma, beta, dy);
      assert.deepEqual(run(fused, x, shape, gamma, beta, dy), ours, 'a second run at the same thread count differs');
      assert.ok(await tf.setBackend('cpu'));
      const ref = run(composite, x, shape, gamma, beta, dy);
      for (const k of ['y', 'mean', 'variance', 'dx', 'dgamma', 'dbeta'] as const) {
        if (size === c && k !== 'y' && k !== 'mean' && k !== 'dbeta') {
          // one value per channel: nothing varies, so variance, dgamma and dx are 0 (dx up to rounding)
          assert.ok(ours[k].every((v) => Math.abs(v) < 1e-6), `${k}: ${ours[k].join(', ')}`);
          continue;
        }
        const e = relErrNonZero(ours[k], ref[k]);
        assert.ok(e < TOL, `${k}: relative error ${e}`);
      }
    });
  }
  });
}

/** relu(bn(x) + r) and the gradients of sum(out * dy) for x, gamma, beta and r, on the current backend. */
function runActivated(bn: (x: tf.Tensor, g: tf.Tensor1D, b: tf.Tensor1D, r: tf.Tensor | null) => tf.Tensor, x: Float32Array, shape: number[],
  gamma: Float32Array, beta: Float32Array, r: Float32Array | null, dy: Float32Array): Float32Array[] {
  return tf.tidy(() => {
    const dyT = tf.tensor(dy, shape);
    const inputs = [tf.tensor(x, shape), tf.tensor1d(gamma), tf.tensor1d(beta), ...(r ? [tf.tensor(r, shape)] : [])];
    const f = (...t: tf.Tensor[]) => tf.sum(tf.mul(bn(t[0], t[1] as tf.Tensor1D, t[2] as tf.Tensor1D, t[3] ?? null), dyT));
    const out = bn(inputs[0], inputs[1] as tf.Tensor1D, inputs[2] as tf.Tensor1D, inputs[3] ?? null);
    return [out, ...tf.grads(f)(inputs)].map((t) => Float32Array.from(t.dataSync()));
  });
}

export function activationSuite(): void {
  describe('fused batch norm with its ReLU (and a residual before it) on wasm against the cpu composite', () => {
    const noStats = () => undefined;
    for (const [i, shape] of [[3, 5, 7, 8], [2, 4, 4, 32]].entries()) {
      for (const withResidual of [false, true]) {
        test(`[${shape}]${withResidual ? ', residual' : ''}: relu(bn(x)${withResidual ? ' + r' : ''}) and its gradients equal the cpu composite`, async () => {
          const rng = new Rng(1300 + 2 * i + (withResidual ? 1 : 0));
          const c = shape[shape.length - 1];
          const size = shape.reduce((a, b) => a * b, 1);
          const x = Float32Array.from({ length: size }, (_, k) => rng.normal() * (1 + (k % c)) + 5 - (k % c));
          const gamma = Float32Array.from({ length: c }, () => 1 + 0.5 * rng.normal());
          const beta = Float32Array.from({ length: c }, () => rng.normal());
          const r = withResidual ? Float32Array.from({ length: size }, () => rng.normal()) : null;
          const dy = Float32Array.from({ length: size }, () => rng.normal());
          assert.ok(await tf.setBackend('wasm'));
          const ours = runActivated((xi, g, b, ri) => fusedBnTrainOp(xi, g, b, EPS, noStats, { relu: true, residual: ri ?? undefined }), x, shape, gamma, beta, r, dy);
          const again = runActivated((xi, g, b, ri) => fusedBnTrainOp(xi, g, b, EPS, noStats, { relu: true, residual: ri ?? undefined }), x, shape, gamma, beta, r, dy);
          assert.deepEqual(again, ours, 'a second run at the same thread count differs');
          assert.ok(await tf.setBackend('cpu'));
          const ref = runActivated((xi, g, b, ri) => tf.relu(ri ? tf.add(composite(xi, g, b, noStats), ri) : composite(xi, g, b, noStats)), x, shape, gamma, beta, r, dy);
          assert.equal(ours.length, withResidual ? 5 : 4);
          // the ReLU zeroes part of the output, not all of it
          const zeros = ref[0].filter((v) => v === 0).length;
          assert.ok(zeros > size / 10 && zeros < size - size / 10, `${zeros} of ${size} outputs are zero`);
          for (const [k, name] of ['out', 'dx', 'dgamma', 'dbeta', 'dresidual'].slice(0, ours.length).entries()) {
            const e = relErrNonZero(ours[k], ref[k]);
            assert.ok(e < TOL, `${name}: relative error ${e}`);
          }
        });
      }
    }
  });
}
