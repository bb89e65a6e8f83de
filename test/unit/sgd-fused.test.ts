// SGD's fused kernel on the wasm backend (src-main/core/train/sgd-fused.ts, wasm-kernels/sgd.ts,
// native/sgd.c) against the composite of optim.ts on the same backend (our kernels off): the same
// parameters and momentum buffers to the bit after several steps, with and without momentum and
// weight decay, on sizes with and without a tail past the last 4 floats.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '../../src-main/core/rng';
import { selectBackend } from '../../src-main/core/train/backend';
import { Sgd } from '../../src-main/core/train/optim';
import { setNativeConvMode } from '../../src-main/core/train/wasm-kernels/native-conv';
import { SGD_MOMENTUM } from '../../src-main/core/train/wasm-kernels/sgd';

before(async () => {
  const report = await selectBackend('wasm', { threads: 1 });
  assert.equal(report.name, 'wasm');
});

const SHAPES = [[1], [5], [3, 3, 16, 8], [10, 7]];

/** Parameters and momentum buffers after 3 steps with seeded gradients, and the kernels each step ran. */
async function train(mode: 'auto' | 'off', momentum: number, weightDecay: number): Promise<{ values: Float32Array[]; kernels: string[] }> {
  setNativeConvMode(mode);
  try {
    const rng = new Rng(5);
    const params = Object.fromEntries(SHAPES.map((s, i) => [`p${i}`, tf.variable(tf.tensor(Float32Array.from({ length: s.reduce((a, b) => a * b, 1) }, () => rng.normal()), s))]));
    const opt = new Sgd(params, { momentum, weightDecay });
    const kernels: string[] = [];
    for (let step = 0; step < 3; step++) {
      const grads = Object.fromEntries(Object.values(params).map((p) => [p.name, tf.tensor(Float32Array.from({ length: p.size }, () => rng.normal()), p.shape)]));
      const before = tf.memory().numTensors;
      const info = await tf.profile(() => opt.step(grads, 0.1));
      kernels.push(...info.kernels.map((k) => k.name));
      assert.equal(tf.memory().numTensors, before, 'the step leaves no tensor behind');
      tf.dispose(Object.values(grads));
    }
    const values = [...Object.values(params), ...Object.values(opt.buffers)].map((v) => Float32Array.from(v.dataSync()));
    opt.dispose();
    tf.dispose(Object.values(params));
    return { values, kernels };
  } finally {
    setNativeConvMode('auto');
  }
}

for (const [momentum, weightDecay] of [[0.9, 2e-4], [0, 0], [0.9, 0], [0, 5e-4]]) {
  test(`momentum ${momentum}, weight decay ${weightDecay}: the fused kernel equals the composite to the bit`, async () => {
    const fused = await train('auto', momentum, weightDecay);
    const composite = await train('off', momentum, weightDecay);
    assert.deepEqual(new Set(fused.kernels), new Set([SGD_MOMENTUM]), 'one fused kernel per parameter and step, nothing else');
    assert.equal(fused.kernels.length, 3 * SHAPES.length);
    assert.ok(!composite.kernels.includes(SGD_MOMENTUM));
    assert.equal(fused.values.length, 2 * SHAPES.length);
    for (const [i, v] of fused.values.entries()) assert.deepEqual(v, composite.values[i], `tensor ${i}`);
  });
}
