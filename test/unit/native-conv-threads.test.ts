// Our conv kernels on the threaded wasm build: the shared-memory builds of the module, split by
// images over worker threads (native-pool.ts). The same comparisons against the cpu backend as
// native-conv.test.ts, and the pool's arithmetic: each thread's share of the images, and a kernel
// run on 3 threads on a memory of its own equal to the same kernel on 1.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import os from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '../../src-main/core/rng';
import { selectBackend } from '../../src-main/core/train/backend';
import { CONV_KERNELS_SIMD_SHARED } from '../../src-main/core/train/wasm-kernels/native-conv-binary';
import { nativeConv } from '../../src-main/core/train/wasm-kernels/native-conv';
import { imageRange, NativePool } from '../../src-main/core/train/wasm-kernels/native-pool';
import { activationSuite, batchNormSuite } from './batch-norm-cases';
import { kernelSuites } from './native-conv-cases';

// the threaded build needs two logical cores (the loader never starts more threads than cores)
const cores = os.availableParallelism();

before(async () => {
  const report = await selectBackend('wasm', { threads: 2 });
  assert.equal(report.name, 'wasm');
  assert.equal(report.threads, Math.min(2, cores));
  assert.ok(await tf.setBackend('cpu'));
  assert.ok(await tf.setBackend('wasm'));
});

describe('pool', () => {
  test('images are shared out in contiguous, nearly equal ranges', () => {
    assert.deepEqual([0, 1, 2].map((t) => imageRange(128, 3, t)), [[0, 43], [43, 86], [86, 128]]);
    assert.deepEqual([0, 1].map((t) => imageRange(128, 2, t)), [[0, 64], [64, 128]]);
    assert.deepEqual([0, 1, 2].map((t) => imageRange(2, 3, t)), [[0, 1], [1, 2], [2, 2]]);
  });

  test('the threaded backend runs our kernels on as many threads as XNNPACK', () => {
    assert.equal(nativeConv(tf.backend())?.threads, Math.min(2, cores));
  });

  test('a forward convolution split over 3 threads equals the same on 1 thread, bit for bit', async () => {
    const module = new WebAssembly.Module(Buffer.from(CONV_KERNELS_SIMD_SHARED, 'base64'));
    const memory = new WebAssembly.Memory({ initial: 64, maximum: 65536, shared: true });
    const pool = await NativePool.start(module, memory, 3);
    const single = new WebAssembly.Instance(module, { env: { memory } }).exports.conv2d_forward;
    assert.ok(typeof single === 'function');
    const heap = new Float32Array(memory.buffer);
    const rng = new Rng(900);
    // x [5, 6, 6, 4] at float 16 (offset 0 would be C's null pointer), filter [3, 3, 4, 8] after it,
    // then two outputs and 3 scratch images
    const [n, h, w, ci, co] = [5, 6, 6, 4, 8];
    const xLen = n * h * w * ci;
    const fLen = 9 * ci * co;
    const yLen = n * h * w * co;
    const x = 16;
    for (let i = x; i < x + xLen + fLen; i++) heap[i] = rng.normal();
    const [y1, y3, scratch] = [x + xLen + fLen, x + xLen + fLen + yLen, x + xLen + fLen + 2 * yLen];
    const perThread = 8 * 8 * ci;
    const args = (y: number, t: number, threads: number) => [4 * x, 4 * (x + xLen), 4 * y, 4 * (scratch + t * perThread), ...imageRange(n, threads, t), h, w, ci, h, w, co, 3, 3, 1, 1, 1, 1];
    (single as (...a: number[]) => void)(...args(y1, 0, 1));
    pool.run('conv2d_forward', single as (...a: number[]) => void, (t) => args(y3, t, 3));
    assert.deepEqual(heap.slice(y3, y3 + yLen), heap.slice(y1, y1 + yLen));
    assert.ok(heap.slice(y1, y1 + yLen).some((v) => Math.abs(v) > 1));
  });

  test('a Winograd forward convolution split over 3 threads equals the same on 1 thread, bit for bit', async () => {
    const module = new WebAssembly.Module(Buffer.from(CONV_KERNELS_SIMD_SHARED, 'base64'));
    const memory = new WebAssembly.Memory({ initial: 64, maximum: 65536, shared: true });
    const pool = await NativePool.start(module, memory, 3);
    const { exports } = new WebAssembly.Instance(module, { env: { memory } });
    const fn = (name: string) => {
      const f = exports[name];
      assert.ok(typeof f === 'function');
      return f as (...a: number[]) => number;
    };
    const heap = new Float32Array(memory.buffer);
    const rng = new Rng(901);
    // x [5, 7, 6, 8] (odd height: a half tile) at float 16, filter [3, 3, 8, 16], its transform, two outputs, 3 scratches
    const [n, h, w, ci, co] = [5, 7, 6, 8, 16];
    const xLen = n * h * w * ci;
    const fLen = 9 * ci * co;
    const yLen = n * h * w * co;
    const x = 16;
    for (let i = x; i < x + xLen + fLen; i++) heap[i] = rng.normal();
    const u = x + xLen + fLen;
    const uLen = fn('wino_filter_floats')(ci, co);
    const [y1, y3, scratch] = [u + uLen, u + uLen + yLen, u + uLen + 2 * yLen];
    const perThread = fn('wino_forward_scratch')(ci, h, w, co);
    fn('wino_filter')(4 * (x + xLen), 4 * u, ci, co, 0);
    const args = (y: number, t: number, threads: number) => [4 * x, 4 * u, 4 * y, 4 * (scratch + t * perThread), ...imageRange(n, threads, t), h, w, ci, h, w, co, 1, 1];
    fn('wino_forward')(...args(y1, 0, 1));
    pool.run('wino_forward', fn('wino_forward'), (t) => args(y3, t, 3));
    assert.deepEqual(heap.slice(y3, y3 + yLen), heap.slice(y1, y1 + yLen));
    assert.ok(heap.slice(y1, y1 + yLen).some((v) => Math.abs(v) > 1));
  });
});

kernelSuites();
batchNormSuite();
activationSuite();
