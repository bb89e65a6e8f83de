// Batch norm in training on the wasm backend's fused kernels, single-threaded build: the cases of
// batch-norm-cases.ts, then which path layers.ts takes: the fused kernels where they serve, the
// composite elsewhere.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '../../src-main/core/rng';
import { selectBackend } from '../../src-main/core/train/backend';
import { batchNorm, VariableSet } from '../../src-main/core/train/layers';
import { setNativeConvMode } from '../../src-main/core/train/wasm-kernels/native-conv';
import { BN_TRAIN, BN_TRAIN_GRAD } from '../../src-main/core/train/wasm-kernels/batch-norm';
import { batchNormSuite } from './batch-norm-cases';

before(async () => {
  assert.equal((await selectBackend('wasm', { threads: 1 })).name, 'wasm');
});

batchNormSuite();

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
});
