// Shared by native-conv.test.ts (single-threaded wasm build) and native-conv-threads.test.ts (the
// threaded build, kernels split over worker threads): our conv kernels, each build and the
// XNNPACK-only paths, against the cpu backend on edge shapes, max |wasm - cpu| / max |cpu| < 1e-4,
// and reproducible: a second run on the same backend (the same thread count) equals the first to
// the bit. 3x3 stride-1 convolutions run Winograd's F(4x4, 3x3) (winograd.ts) unless it is turned
// off: both are checked.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { Rng } from '../../src-main/core/rng';
import { relErr } from '../helpers/rel-err';
import { setNativeConvMode, type NativeConvMode } from '../../src-main/core/train/wasm-kernels/native-conv';
import { setWinograd } from '../../src-main/core/train/wasm-kernels/winograd';

const TOL = 1e-4;

interface Arr {
  data: Float32Array;
  shape: number[];
}

export function randn(rng: Rng, shape: number[]): Arr {
  const n = shape.reduce((a, b) => a * b, 1);
  return { data: Float32Array.from({ length: n }, () => rng.normal()), shape };
}

export const toTensor = (a: Arr) => tf.tensor(a.data.slice(), a.shape, 'float32');

async function kernelOn(backend: string, name: string, inputs: Record<string, Arr>, attrs: object): Promise<Arr> {
  assert.ok(await tf.setBackend(backend));
  return tf.tidy(() => {
    const ins: Record<string, tf.Tensor> = {};
    for (const [k, v] of Object.entries(inputs)) ins[k] = toTensor(v);
    const out = tf.engine().runKernel(name, ins as unknown as tf.NamedTensorMap, attrs as tf.NamedAttrMap) as tf.Tensor;
    return { data: Float32Array.from(out.dataSync()), shape: [...out.shape] };
  });
}

async function sameOnBoth(name: string, inputs: Record<string, Arr>, attrs: object, what: string): Promise<void> {
  const w = await kernelOn('wasm', name, inputs, attrs);
  const again = await kernelOn('wasm', name, inputs, attrs);
  assert.deepEqual(again.data, w.data, `${what}: a second run at the same thread count differs`);
  const c = await kernelOn('cpu', name, inputs, attrs);
  assert.deepEqual(w.shape, c.shape, `${what}: shape`);
  const e = relErr(w.data, c.data);
  assert.ok(e < TOL, `${what}: relative error ${e}`);
  assert.ok(Math.max(...Array.from(c.data, Math.abs)) > 1e-3, `${what}: the reference is not all zeros`);
}

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
  // Winograd's edges: odd sizes (a last tile half outside), more tiles than one block (10 x 9 > 64),
  // no padding, asymmetric padding (the input gradient's then 0 and 2), a 1x1 image, 4 input channels
  { x: [2, 7, 9, 8], f: [3, 3, 8, 16], s: 1, pad: 'same' },
  { x: [1, 20, 18, 4], f: [3, 3, 4, 8], s: 1, pad: 1 },
  { x: [2, 6, 5, 8], f: [3, 3, 8, 8], s: 1, pad: 'valid' },
  { x: [2, 5, 6, 8], f: [3, 3, 8, 16], s: 1, pad: [[0, 0], [2, 0], [0, 1], [0, 0]] },
  { x: [3, 1, 1, 8], f: [3, 3, 8, 8], s: 1, pad: 1 },
  // the direct input gradient (input channels a multiple of 8, not Winograd's): stride 2 with odd
  // sizes and asymmetric padding, a 1x1 filter under stride 2 (phases no tap reaches), 5x5 stride 3
  { x: [3, 9, 7, 8], f: [3, 3, 8, 16], s: 2, pad: 'same' },
  { x: [2, 10, 10, 16], f: [3, 3, 16, 8], s: 2, pad: 1 },
  { x: [2, 8, 8, 8], f: [3, 3, 8, 8], s: 2, pad: [[0, 0], [1, 0], [0, 1], [0, 0]] },
  { x: [2, 7, 7, 8], f: [1, 1, 8, 16], s: 2, pad: 'valid' },
  { x: [1, 11, 10, 8], f: [5, 5, 8, 8], s: 3, pad: 2 },
  { x: [2, 6, 5, 8], f: [1, 1, 8, 8], s: 1, pad: 0 },
];

const MODES: { mode: NativeConvMode; winograd: boolean }[] = [
  { mode: 'relaxed', winograd: true },
  { mode: 'relaxed', winograd: false },
  { mode: 'simd', winograd: true },
  { mode: 'simd', winograd: false },
  { mode: 'off', winograd: false },
];

/** The kernel comparisons, under every mode. */
export function kernelSuites(): void {
for (const { mode, winograd } of MODES) {
  describe(`kernels with mode '${mode}'${mode === 'off' ? '' : winograd ? ', Winograd' : ', direct only'}`, () => {
    for (const [i, c] of CASES.entries()) {
      test(`x [${c.x}] filter [${c.f}] stride ${c.s} pad ${JSON.stringify(c.pad)}: Conv2D, its filter and input gradients`, async () => {
        setNativeConvMode(mode);
        setWinograd(winograd);
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
          setWinograd(true);
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
}
