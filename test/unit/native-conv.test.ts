// The project's own wasm convolution kernels (src-main/core/train/wasm-kernels/native-conv.ts and
// native/conv-kernels.c), each build (relaxed SIMD and plain SIMD128) and the XNNPACK-only paths
// ('off'), against TF.js's cpu backend on seeded random data: max |wasm - cpu| / max |cpu| < 1e-4.
// The wasm backend runs single-threaded here: that is the build the kernels serve.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { Rng } from '../../src-main/core/rng';
import { selectBackend } from '../../src-main/core/train/backend';
import { forwardScratchFloats, nativeConv, nativeConvBuilds, setNativeConvMode, type NativeConvMode } from '../../src-main/core/train/wasm-kernels/native-conv';

const TOL = 1e-4;
const inCi = /^(1|true)$/i.test(process.env.CI ?? '');

interface Arr {
  data: Float32Array;
  shape: number[];
}

function randn(rng: Rng, shape: number[]): Arr {
  const n = shape.reduce((a, b) => a * b, 1);
  return { data: Float32Array.from({ length: n }, () => rng.normal()), shape };
}

const toTensor = (a: Arr) => tf.tensor(a.data.slice(), a.shape, 'float32');

async function kernelOn(backend: string, name: string, inputs: Record<string, Arr>, attrs: object): Promise<Arr> {
  assert.ok(await tf.setBackend(backend));
  return tf.tidy(() => {
    const ins: Record<string, tf.Tensor> = {};
    for (const [k, v] of Object.entries(inputs)) ins[k] = toTensor(v);
    const out = tf.engine().runKernel(name, ins as unknown as tf.NamedTensorMap, attrs as tf.NamedAttrMap) as tf.Tensor;
    return { data: Float32Array.from(out.dataSync()), shape: [...out.shape] };
  });
}

function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return scale === 0 ? diff : diff / scale;
}

async function sameOnBoth(name: string, inputs: Record<string, Arr>, attrs: object, what: string): Promise<void> {
  const w = await kernelOn('wasm', name, inputs, attrs);
  const c = await kernelOn('cpu', name, inputs, attrs);
  assert.deepEqual(w.shape, c.shape, `${what}: shape`);
  const e = relErr(w.data, c.data);
  assert.ok(e < TOL, `${what}: relative error ${e}`);
  assert.ok(Math.max(...Array.from(c.data, Math.abs)) > 1e-3, `${what}: the reference is not all zeros`);
}

before(async () => {
  const report = await selectBackend('wasm', { threads: 1 });
  assert.equal(report.name, 'wasm');
  assert.ok(await tf.setBackend('cpu'));
  assert.ok(await tf.setBackend('wasm'));
});

describe('builds', () => {
  test('Node 20 runs both builds of the kernels, relaxed SIMD (after its flag) first', () => {
    assert.deepEqual(nativeConvBuilds(), ['relaxed', 'simd']);
  });

  test('the single-threaded wasm backend gets our kernels, bound to its heap', () => {
    setNativeConvMode('auto');
    assert.equal(nativeConv(tf.backend())?.build, 'relaxed');
    setNativeConvMode('simd');
    assert.equal(nativeConv(tf.backend())?.build, 'simd');
    setNativeConvMode('off');
    assert.equal(nativeConv(tf.backend()), null);
    setNativeConvMode('auto');
  });

  test('forward scratch holds one padded image as far as the windows reach', () => {
    // 32 rows, 3x3 stride 1 pad 1: 32 outputs read rows -1..32, i.e. 34 rows; 16 stride 2 reads 2*15+3 = 33
    assert.equal(forwardScratchFloats(16, 32, 32, 3, 3, 1, 1), 34 * 34 * 16);
    assert.equal(forwardScratchFloats(16, 16, 16, 3, 3, 2, 2), 33 * 33 * 16);
  });

  test('the committed binary is the build of conv-kernels.c', async (t) => {
    const script = new URL('../../src-main/core/train/wasm-kernels/native/build.mjs', import.meta.url).pathname;
    try {
      await promisify(execFile)('clang-19', ['--version']);
    } catch {
      assert.ok(!inCi, 'clang-19 is needed to check the committed wasm in CI (apt-get install clang-19 lld-19)');
      t.skip('not run: clang-19 is not installed (apt-get install clang-19 lld-19)');
      return;
    }
    const { stdout } = await promisify(execFile)(process.execPath, [script, '--check']);
    assert.match(stdout, /matches a build of conv-kernels\.c/);
  });
});

type Pad = 'same' | 'valid' | number | [[number, number], [number, number], [number, number], [number, number]];
// Output channels a multiple of 8 take our kernels; 12 shows the XNNPACK fallback. Shapes cover the
// kernels' edges: 1 to 3 leftover input channels (an RGB stem), output widths not a multiple of 4,
// stride 2 with odd sizes, asymmetric and explicit padding, 1x1 and 5x5 filters.
const CASES: { x: number[]; f: number[]; s: number; pad: Pad }[] = [
  { x: [2, 9, 9, 3], f: [3, 3, 3, 8], s: 1, pad: 'same' },
  { x: [2, 8, 8, 16], f: [3, 3, 16, 16], s: 1, pad: 1 },
  { x: [3, 9, 7, 6], f: [3, 3, 6, 16], s: 2, pad: 'same' },
  { x: [2, 10, 10, 5], f: [3, 3, 5, 8], s: 2, pad: 1 },
  { x: [2, 9, 9, 4], f: [3, 3, 4, 24], s: 2, pad: 'valid' },
  { x: [2, 6, 6, 7], f: [1, 1, 7, 8], s: 1, pad: 0 },
  { x: [2, 7, 7, 2], f: [1, 1, 2, 16], s: 2, pad: 'valid' },
  { x: [1, 11, 10, 1], f: [5, 5, 1, 8], s: 3, pad: 2 },
  { x: [2, 8, 8, 3], f: [3, 3, 3, 8], s: 2, pad: [[0, 0], [1, 0], [0, 1], [0, 0]] },
  { x: [2, 8, 8, 4], f: [3, 3, 4, 12], s: 1, pad: 'same' },
];

for (const mode of ['relaxed', 'simd', 'off'] satisfies NativeConvMode[]) {
  describe(`kernels with mode '${mode}'`, () => {
    for (const [i, c] of CASES.entries()) {
      test(`x [${c.x}] filter [${c.f}] stride ${c.s} pad ${JSON.stringify(c.pad)}: Conv2D, its filter and input gradients`, async () => {
        setNativeConvMode(mode);
        try {
          const rng = new Rng(700 + i);
          const x = randn(rng, c.x);
          const filter = randn(rng, c.f);
          const yShape = tf.tidy(() => tf.conv2d(toTensor(x) as tf.Tensor4D, toTensor(filter) as tf.Tensor4D, c.s, c.pad).shape);
          const dy = randn(rng, yShape);
          const common = { strides: c.s, pad: c.pad, dataFormat: 'NHWC', dilations: 1 };
          await sameOnBoth(tf.Conv2D, { x, filter }, common, 'y');
          await sameOnBoth(tf.Conv2DBackpropFilter, { x, dy }, { ...common, filterShape: c.f }, 'dW');
          await sameOnBoth(tf.Conv2DBackpropInput, { dy, filter }, { ...common, inputShape: c.x }, 'dx');
        } finally {
          setNativeConvMode('auto');
        }
      });
    }

    test('a dilated convolution goes to XNNPACK and stays right', async () => {
      setNativeConvMode(mode);
      try {
        const rng = new Rng(790);
        await sameOnBoth(tf.Conv2D, { x: randn(rng, [2, 9, 9, 4]), filter: randn(rng, [3, 3, 4, 8]) }, { strides: 1, pad: 'same', dataFormat: 'NHWC', dilations: 2 }, 'dilated y');
      } finally {
        setNativeConvMode('auto');
      }
    });
  });
}

test('kernels leave the heap as they found it: no tensor or scratch left behind', async () => {
  const rng = new Rng(800);
  const x = toTensor(randn(rng, [2, 8, 8, 8])) as tf.Tensor4D;
  const f = toTensor(randn(rng, [3, 3, 8, 8])) as tf.Tensor4D;
  const before = tf.memory();
  const g = tf.grad((t: tf.Tensor) => tf.sum(tf.conv2d(t as tf.Tensor4D, f, 1, 'same')));
  for (let k = 0; k < 3; k++) tf.tidy(() => g(x).dataSync());
  const after = tf.memory();
  assert.equal(after.numTensors, before.numTensors);
  assert.equal(after.numBytes, before.numBytes);
  x.dispose();
  f.dispose();
});
