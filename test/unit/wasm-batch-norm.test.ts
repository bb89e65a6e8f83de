// Batch norm in training on the wasm backend's fused kernels, single-threaded build: the cases of
// batch-norm-cases.ts, then which path layers.ts takes: the fused kernels where they serve, the
// composite elsewhere.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '../../src-main/core/rng';
import { selectBackend } from '../../src-main/core/train/backend';
import { batchNorm, RELU, VariableSet } from '../../src-main/core/train/layers';
import { setNativeConvMode } from '../../src-main/core/train/wasm-kernels/native-conv';
import { BN_TRAIN, BN_TRAIN_GRAD } from '../../src-main/core/train/wasm-kernels/batch-norm';
import { activationSuite, batchNormSuite } from './batch-norm-cases';

before(async () => {
  assert.equal((await selectBackend('wasm', { threads: 1 })).name, 'wasm');
});

batchNormSuite();
activationSuite();

describe('which batch norm runs', () => {
  test('layers.ts takes the fused kernels where they serve, the composite elsewhere', async () => {
    assert.ok(await tf.setBackend('wasm'));
    const kernelsOf = async (c: number) => {
      const vs = new VariableSet(new Rng(1));
      const bn = batchNorm<tf.Tensor4D>(vs, 'bn', c);
      const x = tf.randomNormal([2, 3, 3, c]) as tf.Tensor4D;
      const info = await tf.profile(() => tf.grads((xi: tf.Tensor) => tf.sum(bn(xi as tf.Tensor4D, true)))([x]));
      tf.dispose([x, ...Object.values(vs.params), ...Object.values(vs.state)]);
      tf.dispose(info.result);
      return info.kernelNames;
    };
    try {
      const on = await kernelsOf(8);
      assert.ok(on.includes(BN_TRAIN) && on.includes(BN_TRAIN_GRAD), `kernels: ${on.join(', ')}`);
      assert.ok(!(await kernelsOf(6)).includes(BN_TRAIN), 'channels not a multiple of 4 take the composite');
      setNativeConvMode('off');
      assert.ok(!(await kernelsOf(8)).includes(BN_TRAIN), 'with our kernels off the composite runs');
    } finally {
      setNativeConvMode('auto');
    }
  });

  test('a ReLU after batch norm, and a residual added before it, run inside its kernels: no Relu, Step, or Add over the activations', async () => {
    assert.ok(await tf.setBackend('wasm'));
    const vs = new VariableSet(new Rng(2));
    const bn = batchNorm<tf.Tensor4D>(vs, 'bn', 8);
    const x = tf.randomNormal([2, 3, 3, 8]) as tf.Tensor4D;
    const r = tf.randomNormal([2, 3, 3, 8]) as tf.Tensor4D;
    try {
      const runs = [
        () => tf.grads((xi: tf.Tensor) => tf.sum(bn(xi as tf.Tensor4D, true, RELU)))([x]),
        () => tf.grads((xi: tf.Tensor, ri: tf.Tensor) => tf.sum(bn(xi as tf.Tensor4D, true, { relu: true, residual: ri })))([x, r]),
      ];
      for (const run of runs) {
        const info = await tf.profile(run);
        tf.dispose(info.result);
        assert.ok(info.kernelNames.includes(BN_TRAIN) && info.kernelNames.includes(BN_TRAIN_GRAD), `kernels: ${info.kernelNames.join(', ')}`);
        for (const k of [tf.Relu, tf.Step]) assert.ok(!info.kernelNames.includes(k), `${k} ran: ${info.kernelNames.join(', ')}`);
        // Add runs only on [8] vectors (the running statistics), never over the activations
        const overActivations = info.kernels.filter((k) => k.name === tf.Add && k.outputShapes.some((s) => s.length === 4));
        assert.deepEqual(overActivations.map((k) => k.name), []);
      }
    } finally {
      tf.dispose([x, r, ...Object.values(vs.params), ...Object.values(vs.state)]);
    }
  });
});
