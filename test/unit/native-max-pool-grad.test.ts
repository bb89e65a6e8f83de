// Max pooling's gradient as our compiled kernel (max_pool_grad in native/conv-kernels.c) against the
// JavaScript pass it replaced (maxPoolBackward in max-pool-grad.ts), bit for bit: every build, the
// edge cases (ties, stride different from the window, 'same' and 'valid' padding, overlapping
// windows, channel counts that leave 1 to 3 lanes, NaN and -Infinity), and a run split by images over
// 3 worker threads equal to 1 thread. Then the wasm backend's MaxPoolGrad with our kernels on and
// off, equal to each other and to the cpu backend. wasm-kernels.test.ts keeps the original cases.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { Rng } from '../../src-main/core/rng';
import { selectBackend } from '../../src-main/core/train/backend';
import { maxPoolBackward, type PoolGeometry } from '../../src-main/core/train/wasm-kernels/max-pool-grad';
import {
  CONV_KERNELS_RELAXED, CONV_KERNELS_RELAXED_SHARED, CONV_KERNELS_SIMD, CONV_KERNELS_SIMD_SHARED,
} from '../../src-main/core/train/wasm-kernels/native-conv-binary';
import { nativeConvBuilds, setNativeConvMode } from '../../src-main/core/train/wasm-kernels/native-conv';
import { imageRange, NativePool } from '../../src-main/core/train/wasm-kernels/native-pool';

type Pad = 'same' | 'valid' | number;
interface Case { x: [number, number, number, number]; f: [number, number]; s: [number, number]; pad: Pad }

const CASES: Case[] = [
  { x: [3, 8, 8, 16], f: [2, 2], s: [2, 2], pad: 'valid' }, // the small CNN's pools
  { x: [2, 7, 7, 5], f: [2, 2], s: [2, 2], pad: 'valid' }, // odd size: the last row and column are dropped
  { x: [2, 7, 7, 3], f: [2, 2], s: [2, 2], pad: 'same' }, // odd size: a clipped last window
  { x: [2, 9, 9, 6], f: [3, 3], s: [2, 2], pad: 'same' }, // overlapping windows, padding on both sides
  { x: [1, 6, 6, 4], f: [3, 3], s: [1, 1], pad: 1 }, // stride 1: every element in up to 9 windows
  { x: [2, 8, 9, 7], f: [2, 2], s: [3, 3], pad: 'valid' }, // stride past the window: elements in no window
  { x: [2, 6, 10, 1], f: [2, 3], s: [1, 2], pad: 'same' }, // one channel, unequal window and strides
  { x: [1, 5, 5, 9], f: [5, 5], s: [1, 1], pad: 'valid' }, // one window over the whole image
];

function geometry(c: Case): PoolGeometry {
  const info = tf.backend_util.computePool2DInfo(c.x, c.f, c.s, 1, c.pad);
  return {
    batch: info.batchSize, inH: info.inHeight, inW: info.inWidth, channels: info.inChannels, outH: info.outHeight, outW: info.outWidth,
    filterH: info.filterHeight, filterW: info.filterWidth, strideH: info.strideHeight, strideW: info.strideWidth,
    padTop: info.padInfo.top, padLeft: info.padInfo.left,
  };
}

/** Rounded ReLU output (many tied maxima: zeros and repeated halves), with a few NaN and -Infinity. */
function inputs(rng: Rng, g: PoolGeometry): { x: Float32Array; dy: Float32Array } {
  const x = Float32Array.from({ length: g.batch * g.inH * g.inW * g.channels }, () => Math.max(0, Math.round(rng.normal() * 2) / 2));
  for (let k = 0; k < x.length; k += 37) x[k] = Number.NaN;
  for (let k = 5; k < x.length; k += 41) x[k] = -Infinity;
  const dy = Float32Array.from({ length: g.batch * g.outH * g.outW * g.channels }, () => rng.normal());
  return { x, dy };
}

const argsOf = (g: PoolGeometry, x: number, dy: number, dx: number, range: [number, number]) =>
  [4 * x, 4 * dy, 4 * dx, ...range, g.inH, g.inW, g.channels, g.outH, g.outW, g.filterH, g.filterW, g.strideH, g.strideW, g.padTop, g.padLeft];

type Kernel = (...a: number[]) => void;
function kernelOf(instance: WebAssembly.Instance): Kernel {
  const f = instance.exports.max_pool_grad;
  assert.ok(typeof f === 'function');
  return f as Kernel;
}

/** Lays x, dy and two dx areas out in the heap from float 16 (offset 0 is C's null pointer), dx pre-filled with garbage. */
function place(heap: Float32Array, x: Float32Array, dy: Float32Array): { x: number; dy: number; dx: [number, number] } {
  const at = { x: 16, dy: 16 + x.length, dx: [16 + x.length + dy.length, 16 + 2 * x.length + dy.length] as [number, number] };
  heap.set(x, at.x);
  heap.set(dy, at.dy);
  heap.fill(7, at.dx[0], at.dx[1] + x.length);
  return at;
}

const BUILDS = { relaxed: [CONV_KERNELS_RELAXED, CONV_KERNELS_RELAXED_SHARED], simd: [CONV_KERNELS_SIMD, CONV_KERNELS_SIMD_SHARED] };

describe('max_pool_grad kernel', () => {
  // validates the relaxed build (and sets Node 20's flag for it) before the modules below are compiled
  before(() => assert.ok(nativeConvBuilds().length > 0));

  for (const [build, [unshared, shared]] of Object.entries(BUILDS)) {
    for (const [i, c] of CASES.entries()) {
      test(`${build}: x [${c.x}] window ${c.f} stride ${c.s} pad ${c.pad} equals the JavaScript pass bit for bit`, () => {
        const g = geometry(c);
        const { x, dy } = inputs(new Rng(700 + i), g);
        const expected = new Float32Array(x.length);
        maxPoolBackward(x, dy, expected, g);
        const memory = new WebAssembly.Memory({ initial: 64 });
        const heap = new Float32Array(memory.buffer);
        const at = place(heap, x, dy);
        kernelOf(new WebAssembly.Instance(new WebAssembly.Module(Buffer.from(unshared, 'base64')), { env: { memory } }))(
          ...argsOf(g, at.x, at.dy, at.dx[0], [0, g.batch]));
        assert.deepEqual(heap.slice(at.dx[0], at.dx[0] + x.length), expected);
        assert.ok(expected.some((v) => v !== 0), 'the expected gradient is not all zeros');
        assert.equal(heap[at.dx[1]], 7, 'the kernel wrote past its dx');
      });
    }

    test(`${build}: split by images over 3 threads equals 1 thread, bit for bit`, async () => {
      const c = CASES[3];
      const g = { ...geometry(c), batch: 5 };
      const { x, dy } = inputs(new Rng(750), g);
      const module = new WebAssembly.Module(Buffer.from(shared, 'base64'));
      const memory = new WebAssembly.Memory({ initial: 64, maximum: 65536, shared: true });
      const heap = new Float32Array(memory.buffer);
      const at = place(heap, x, dy);
      const single = kernelOf(new WebAssembly.Instance(module, { env: { memory } }));
      single(...argsOf(g, at.x, at.dy, at.dx[0], [0, g.batch]));
      const pool = await NativePool.start(module, memory, 3);
      pool.run('max_pool_grad', single, (t) => argsOf(g, at.x, at.dy, at.dx[1], imageRange(g.batch, 3, t)));
      assert.deepEqual(heap.slice(at.dx[1], at.dx[1] + x.length), heap.slice(at.dx[0], at.dx[0] + x.length));
      const expected = new Float32Array(x.length);
      maxPoolBackward(x, dy, expected, g);
      assert.deepEqual(heap.slice(at.dx[0], at.dx[0] + x.length), expected);
    });
  }
});

describe('MaxPoolGrad on the wasm backend', () => {
  before(async () => {
    assert.equal((await selectBackend('wasm', { threads: 1 })).name, 'wasm');
  });

  /** MaxPoolGrad on a backend; the tie-free case is compared with the cpu backend. */
  async function gradOn(backend: string, c: Case, x: Float32Array, dy: Float32Array): Promise<Float32Array> {
    assert.ok(await tf.setBackend(backend));
    return tf.tidy(() => {
      const input = tf.tensor4d(x, c.x);
      const output = tf.maxPool(input, c.f, c.s, c.pad);
      const g = tf.engine().runKernel(tf.MaxPoolGrad, { dy: tf.tensor(dy, output.shape), input, output }, { filterSize: c.f, strides: c.s, pad: c.pad }) as tf.Tensor;
      return Float32Array.from(g.dataSync());
    });
  }

  for (const [i, c] of CASES.entries()) {
    test(`x [${c.x}] window ${c.f} stride ${c.s} pad ${c.pad}: our kernel, the JavaScript pass and the cpu backend agree`, async () => {
      const g = geometry(c);
      const rng = new Rng(800 + i);
      // ties (rounded ReLU output), without NaN: the cpu backend's NaN handling differs from TensorFlow's
      const x = Float32Array.from({ length: g.batch * g.inH * g.inW * g.channels }, () => Math.max(0, Math.round(rng.normal() * 2) / 2));
      const dy = Float32Array.from({ length: g.batch * g.outH * g.outW * g.channels }, () => rng.normal());
      try {
        setNativeConvMode('auto');
        const ours = await gradOn('wasm', c, x, dy);
        setNativeConvMode('off');
        const js = await gradOn('wasm', c, x, dy);
        assert.deepEqual(ours, js);
        const cpu = await gradOn('cpu', c, x, dy);
        let diff = 0;
        for (let k = 0; k < cpu.length; k++) diff = Math.max(diff, Math.abs(ours[k] - cpu[k]));
        assert.ok(diff < 1e-5, `largest difference from the cpu backend ${diff}`);
        assert.ok(cpu.some((v) => v !== 0));
      } finally {
        setNativeConvMode('auto');
      }
    });
  }
});
