// The wasm backend's Slice (src-main/core/train/wasm-kernels/slice.ts): axes merged, short rows
// copied in a loop. Checked against the cpu backend (exact: a slice copies values) and its axis
// merging pinned on hand-worked shapes.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { Rng } from '../../src-main/core/rng';
import { selectBackend } from '../../src-main/core/train/backend';
import { mergeSliceAxes } from '../../src-main/core/train/wasm-kernels/slice';

before(async () => {
  assert.equal((await selectBackend('wasm', { threads: 1 })).name, 'wasm');
});

describe('axis merging', () => {
  test('a channel slice of NHWC data is one [N*H*W, C] slice', () => {
    assert.deepEqual(mergeSliceAxes([128, 16, 16, 32], [0, 0, 0, 8], [128, 16, 16, 16]), { shape: [32768, 32], begin: [0, 8], size: [32768, 16] });
  });
  test('whole trailing axes fold into the last partial one', () => {
    assert.deepEqual(mergeSliceAxes([4, 6, 5, 3], [1, 2, 0, 0], [2, 3, 5, 3]), { shape: [4, 90], begin: [1, 30], size: [2, 45] });
  });
  test('a partial first axis stays, a whole leading axis does not fold into nothing', () => {
    assert.deepEqual(mergeSliceAxes([4, 6], [0, 0], [4, 6]), { shape: [24], begin: [0], size: [24] });
    assert.deepEqual(mergeSliceAxes([5], [2], [3]), { shape: [5], begin: [2], size: [3] });
  });
});

async function on(backend: string, x: tf.Tensor, begin: number[], size: number[]): Promise<{ shape: number[]; values: number[] }> {
  assert.ok(await tf.setBackend(backend));
  const t = tf.tensor(await x.data(), x.shape, x.dtype);
  const y = tf.slice(t, begin, size);
  const r = { shape: [...y.shape], values: Array.from(await y.data()) };
  t.dispose();
  y.dispose();
  return r;
}

describe('Slice against cpu', () => {
  const rng = new Rng(1000);
  const cases: [number[], number[], number[], 'float32' | 'int32'][] = [
    [[8, 4, 4, 32], [0, 0, 0, 8], [8, 4, 4, 16], 'float32'],
    [[3, 5, 7, 2], [1, 1, 2, 1], [2, 3, 4, 1], 'float32'],
    [[2, 3, 100], [1, 0, 10], [1, 3, 80], 'float32'],
    [[6, 9], [2, 3], [3, 5], 'int32'],
    [[10], [4], [5], 'float32'],
    [[2, 2, 2, 2, 3], [0, 1, 0, 1, 1], [2, 1, 2, 1, 2], 'float32'],
    [[4, 4], [1, 1], [0, 2], 'float32'],
  ];
  for (const [shape, begin, size, dtype] of cases) {
    test(`[${shape}] from [${begin}] size [${size}] ${dtype}`, async () => {
      assert.ok(await tf.setBackend('cpu'));
      const n = shape.reduce((a, b) => a * b, 1);
      const x = tf.tensor(Array.from({ length: n }, () => (dtype === 'int32' ? Math.floor(rng.normal() * 100) : rng.normal())), shape, dtype);
      const w = await on('wasm', x, begin, size);
      const c = await on('cpu', x, begin, size);
      x.dispose();
      assert.deepEqual(w, c);
    });
  }
});
