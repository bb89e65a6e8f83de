import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { Rng } from '../../src-main/core/rng';
import { relErr } from '../helpers/rel-err';
import { selectBackend } from '../../src-main/core/train/backend';
import { filterGradAxis, inputGradAxis } from '../../src-main/core/train/wasm-kernels/conv-geometry';
import { mergeTransposeAxes } from '../../src-main/core/train/wasm-kernels/exec';
import { registerWasmKernels, WASM_KERNELS } from '../../src-main/core/train/wasm-kernels/index';
import { blockReduction } from '../../src-main/core/train/wasm-kernels/reduce';

// Every kernel of wasm-kernels/ is checked against the cpu backend (plain JavaScript, the
// reference) on seeded random data: max |wasm - cpu| / max |cpu| < 1e-4.
const TOL = 1e-4;

interface Arr {
  data: Float32Array | Int32Array;
  shape: number[];
  dtype: 'float32' | 'int32';
}

function randn(rng: Rng, shape: number[]): Arr {
  const n = shape.reduce((a, b) => a * b, 1);
  return { data: Float32Array.from({ length: n }, () => rng.normal()), shape, dtype: 'float32' };
}

function ints(values: number[], shape = [values.length]): Arr {
  return { data: Int32Array.from(values), shape, dtype: 'int32' };
}

const toTensor = (a: Arr) => tf.tensor(a.data.slice(), a.shape, a.dtype);

/** Runs one kernel on a backend with fresh tensors; returns the output's values and shape. */
async function kernelOn(backend: string, name: string, inputs: Record<string, Arr | Arr[]>, attrs: object): Promise<Arr> {
  assert.ok(await tf.setBackend(backend));
  return tf.tidy(() => {
    const ins: Record<string, tf.Tensor | tf.Tensor[]> = {};
    for (const [k, v] of Object.entries(inputs)) ins[k] = Array.isArray(v) ? v.map(toTensor) : toTensor(v);
    const out = tf.engine().runKernel(name, ins as unknown as tf.NamedTensorMap, attrs as tf.NamedAttrMap) as tf.Tensor;
    return { data: out.dataSync().slice() as Float32Array, shape: [...out.shape], dtype: out.dtype as 'float32' };
  });
}

async function sameOnBoth(name: string, inputs: Record<string, Arr | Arr[]>, attrs: object, what: string): Promise<Arr> {
  const w = await kernelOn('wasm', name, inputs, attrs);
  const c = await kernelOn('cpu', name, inputs, attrs);
  assert.deepEqual(w.shape, c.shape, `${what}: shape`);
  const e = relErr(w.data, c.data);
  assert.ok(e < TOL, `${what}: relative error ${e}`);
  return w;
}

before(async () => {
  const report = await selectBackend('wasm');
  assert.equal(report.name, 'wasm');
});

describe('geometry', () => {
  test('filter gradient of a 3x3 stride-2 pad-1 convolution on 32 rows', () => {
    // dw[i] reads x[i - 1 + 2o], o < 16: rows -1..31, so pad 1 before, none after, dilation 2.
    assert.deepEqual(filterGradAxis(32, 3, 16, 2, 1), { before: 1, after: 0, dilation: 2 });
    // stride 1, 'same': x[i - 1 + o], o < 32: rows -1..33 -> pad 1 each side.
    assert.deepEqual(filterGradAxis(32, 3, 32, 1, 1), { before: 1, after: 1, dilation: 1 });
    // 'valid' stride 2 on 10 rows (4 outputs) reads rows 0..8: the last row is cropped.
    assert.deepEqual(filterGradAxis(10, 3, 4, 2, 0), { before: 0, after: -1, dilation: 2 });
  });

  test('input gradient phases of a 3x3 stride-2 pad-1 convolution on 32 rows', () => {
    // even rows 2a get tap 1 from dy[a]; odd rows 2a+1 get taps 2 (dy[a]) and 0 (dy[a+1]).
    assert.deepEqual(inputGradAxis(32, 3, 16, 2, 1), {
      blocks: 16,
      phases: [
        { first: 1, taps: 1, before: 0, after: 0 },
        { first: 0, taps: 2, before: 0, after: 1 },
      ],
    });
    // stride 1 is one phase: the full reversed filter, padded k - 1 - pad before.
    assert.deepEqual(inputGradAxis(8, 3, 8, 1, 1), { blocks: 8, phases: [{ first: 0, taps: 3, before: 1, after: 1 }] });
    // a 1x1 stride-2 filter reaches only the even rows.
    assert.deepEqual(inputGradAxis(8, 1, 4, 2, 0).phases.map((p) => p.taps), [1, 0]);
  });

  test('transposes merge the axes that stay together', () => {
    assert.deepEqual(mergeTransposeAxes([2, 3, 4, 5], [3, 1, 2, 0]), { shape: [2, 12, 5], perm: [2, 1, 0] });
    assert.deepEqual(mergeTransposeAxes([2, 3, 4, 5], [1, 2, 0, 3]), { shape: [2, 12, 5], perm: [1, 0, 2] });
    assert.deepEqual(mergeTransposeAxes([6, 7], [1, 0]), { shape: [6, 7], perm: [1, 0] });
  });

  test('reductions over a block of axes before the last become [outer, reduced, inner]', () => {
    assert.deepEqual(blockReduction([8, 4, 4, 3], [0, 1, 2]), [1, 128, 3]);
    assert.deepEqual(blockReduction([8, 4, 4, 3], [1, 2]), [8, 16, 3]);
    assert.equal(blockReduction([8, 4, 4, 3], [3]), null); // innermost: the shipped kernel needs no transpose
    assert.equal(blockReduction([8, 4, 4, 3], [0, 2]), null); // not contiguous
  });
});

describe('registration', () => {
  test('is idempotent and leaves the project kernels in place', () => {
    assert.deepEqual(registerWasmKernels(), []);
    for (const k of WASM_KERNELS) assert.equal(tf.getKernel(k.kernelName, 'wasm').kernelFunc, k.kernelFunc, k.kernelName);
  });
});

type Pad = 'same' | 'valid' | number | [[number, number], [number, number], [number, number], [number, number]];
const CONV_CASES: { x: number[]; f: number[]; s: number; pad: Pad }[] = [
  { x: [2, 8, 8, 3], f: [3, 3, 3, 4], s: 1, pad: 'same' },
  { x: [2, 8, 8, 3], f: [3, 3, 3, 4], s: 2, pad: 'same' },
  { x: [1, 9, 7, 2], f: [3, 3, 2, 5], s: 2, pad: 'same' },
  { x: [3, 8, 8, 4], f: [3, 3, 4, 2], s: 1, pad: 'valid' },
  { x: [2, 9, 9, 3], f: [3, 3, 3, 4], s: 2, pad: 'valid' },
  { x: [2, 8, 8, 3], f: [3, 3, 3, 6], s: 2, pad: 1 },
  { x: [2, 9, 9, 1], f: [3, 3, 1, 4], s: 1, pad: 1 },
  { x: [3, 8, 8, 4], f: [1, 1, 4, 8], s: 2, pad: 'valid' },
  { x: [3, 6, 6, 4], f: [1, 1, 4, 3], s: 1, pad: 0 },
  { x: [2, 10, 10, 3], f: [5, 5, 3, 2], s: 3, pad: 2 },
  { x: [2, 7, 7, 3], f: [2, 2, 3, 2], s: 2, pad: 'same' },
  { x: [2, 8, 8, 2], f: [3, 3, 2, 3], s: 2, pad: [[0, 0], [1, 0], [0, 1], [0, 0]] },
];

describe('Conv2DBackpropFilter and Conv2DBackpropInput', () => {
  for (const [i, c] of CONV_CASES.entries()) {
    test(`x [${c.x}] filter [${c.f}] stride ${c.s} pad ${JSON.stringify(c.pad)}`, async () => {
      const rng = new Rng(100 + i);
      const x = randn(rng, c.x);
      const filter = randn(rng, c.f);
      const yShape = tf.tidy(() => tf.conv2d(toTensor(x) as tf.Tensor4D, toTensor(filter) as tf.Tensor4D, c.s, c.pad).shape);
      const dy = randn(rng, yShape);
      const common = { strides: c.s, pad: c.pad, dataFormat: 'NHWC' };
      const dw = await sameOnBoth(tf.Conv2DBackpropFilter, { x, dy }, { ...common, filterShape: c.f }, 'dW');
      assert.deepEqual(dw.shape, c.f);
      const dx = await sameOnBoth(tf.Conv2DBackpropInput, { dy, filter }, { ...common, inputShape: c.x }, 'dx');
      assert.deepEqual(dx.shape, c.x);
    });
  }
});

describe('BatchMatMul', () => {
  const cases: [number[], number[], boolean, boolean][] = [
    [[5, 7], [7, 3], false, false],
    [[7, 5], [7, 3], true, false],
    [[5, 7], [3, 7], false, true],
    [[7, 5], [3, 7], true, true],
    [[2, 5, 7], [2, 7, 3], false, false],
    [[3, 7, 5], [1, 3, 7], true, true],
    [[1, 6, 4], [4, 2], false, false],
  ];
  for (const [i, [a, b, ta, tb]] of cases.entries()) {
    test(`[${a}] x [${b}] transposeA=${ta} transposeB=${tb}`, async () => {
      const rng = new Rng(200 + i);
      await sameOnBoth(tf.BatchMatMul, { a: randn(rng, a), b: randn(rng, b) }, { transposeA: ta, transposeB: tb }, 'matmul');
    });
  }
});

describe('Sum and Mean', () => {
  const cases: [number[], number[], boolean][] = [
    [[4, 5, 6, 3], [0, 1, 2], false],
    [[4, 5, 6, 3], [0, 1, 2], true],
    [[4, 5, 6, 3], [1, 2], false],
    [[64, 7], [0], false],
    [[4, 5, 6, 3], [3], false],
    [[4, 5, 6, 3], [0, 2], true],
  ];
  for (const [i, [shape, axis, keepDims]] of cases.entries()) {
    test(`[${shape}] over [${axis}] keepDims=${keepDims}`, async () => {
      const x = randn(new Rng(300 + i), shape);
      for (const k of [tf.Sum, tf.Mean]) await sameOnBoth(k, { x }, { axis, keepDims }, k);
    });
  }

  test('int32 sums go to the shipped kernel and stay exact', async () => {
    const out = await sameOnBoth(tf.Sum, { x: ints([1, 2, 3, 4, 5, 6], [3, 2]) }, { axis: [0], keepDims: false }, 'int sum');
    assert.deepEqual(Array.from(out.data), [9, 12]);
  });
});

describe('MaxPoolGrad', () => {
  const cases: { x: number[]; f: number; s: number; pad: 'same' | 'valid' | number }[] = [
    { x: [2, 8, 8, 3], f: 2, s: 2, pad: 'valid' },
    { x: [2, 7, 7, 3], f: 2, s: 2, pad: 'valid' },
    { x: [2, 9, 9, 2], f: 3, s: 2, pad: 'same' },
    { x: [1, 6, 6, 4], f: 3, s: 1, pad: 1 },
  ];
  for (const [i, c] of cases.entries()) {
    test(`x [${c.x}] window ${c.f} stride ${c.s} pad ${c.pad}, with ties`, async () => {
      const rng = new Rng(400 + i);
      // Rounded ReLU output: many windows hold several equal maxima (zeros, repeated values);
      // TensorFlow gives the whole gradient to the first of them.
      const x = randn(rng, c.x);
      x.data = x.data.map((v) => Math.max(0, Math.round(v * 2) / 2));
      const attrs = { filterSize: c.f, strides: c.s, pad: c.pad };
      const y = await kernelOn('cpu', tf.MaxPool, { x }, attrs);
      const dy = randn(rng, y.shape);
      await sameOnBoth(tf.MaxPoolGrad, { dy, input: x, output: y }, attrs, 'maxPoolGrad');
    });
  }

  test('a tie goes to the first maximum in the window', async () => {
    const x: Arr = { data: Float32Array.from([1, 3, 3, 0]), shape: [1, 2, 2, 1], dtype: 'float32' };
    const y: Arr = { data: Float32Array.from([3]), shape: [1, 1, 1, 1], dtype: 'float32' };
    const dy: Arr = { data: Float32Array.from([5]), shape: [1, 1, 1, 1], dtype: 'float32' };
    const dx = await kernelOn('wasm', tf.MaxPoolGrad, { dy, input: x, output: y }, { filterSize: 2, strides: 2, pad: 'valid' });
    assert.deepEqual(Array.from(dx.data), [0, 5, 0, 0]);
  });
});

describe('UnsortedSegmentSum and OneHot', () => {
  test('segment sums drop ids outside [0, numSegments)', async () => {
    const x: Arr = { data: Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8]), shape: [4, 2], dtype: 'float32' };
    const out = await sameOnBoth(tf.UnsortedSegmentSum, { x, segmentIds: ints([2, 0, 2, -1]) }, { numSegments: 3 }, 'segment sum');
    assert.deepEqual(Array.from(out.data), [3, 4, 0, 0, 6, 8]);
  });

  test('segment sums of random [2, 3] rows', async () => {
    const rng = new Rng(500);
    const ids = ints(Array.from({ length: 12 }, () => rng.int(0, 4)));
    await sameOnBoth(tf.UnsortedSegmentSum, { x: randn(rng, [12, 2, 3]), segmentIds: ids }, { numSegments: 5 }, 'segment sum');
  });

  test('float32 one-hot holds real on/off values', async () => {
    const indices = ints([0, 2, 5, -1]);
    const out = await sameOnBoth(tf.OneHot, { indices }, { depth: 3, onValue: 0.5, offValue: -1, dtype: 'float32' }, 'oneHot');
    assert.deepEqual(Array.from(out.data), [0.5, -1, -1, -1, -1, 0.5, -1, -1, -1, -1, -1, -1]);
    const plain = await sameOnBoth(tf.OneHot, { indices }, { depth: 3, onValue: 1, offValue: 0, dtype: 'float32' }, 'oneHot 1/0');
    assert.deepEqual(Array.from(plain.data), [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0]);
  });
});

describe('Identity and Cast', () => {
  test('clone and same-dtype cast share the buffer; other casts convert', async () => {
    assert.ok(await tf.setBackend('wasm'));
    tf.tidy(() => {
      const x = tf.tensor2d([[1.5, -2.5], [3, 0]]);
      const buffers = tf.memory().numDataBuffers;
      const c = tf.clone(x);
      const f = tf.cast(x, 'float32');
      assert.equal(tf.memory().numDataBuffers, buffers); // no new buffer
      assert.deepEqual(Array.from(c.dataSync()), [1.5, -2.5, 3, 0]);
      assert.deepEqual(Array.from(f.dataSync()), [1.5, -2.5, 3, 0]);
      const i = tf.cast(x, 'int32');
      assert.equal(i.dtype, 'int32');
      assert.deepEqual(Array.from(i.dataSync()), [1, -2, 3, 0]);
      x.dispose(); // the views keep the data alive
      assert.deepEqual(Array.from(c.dataSync()), [1.5, -2.5, 3, 0]);
    });
  });
});

describe('Tile gradient', () => {
  test('sums the repetitions (tile and broadcastTo) on both backends', async () => {
    for (const backend of ['wasm', 'cpu']) {
      assert.ok(await tf.setBackend(backend));
      const [a, b, c] = tf.tidy(() => [
        tf.grad((x: tf.Tensor) => tf.sum(tf.mul(tf.tile(x, [3]), tf.tensor1d([1, 2, 3, 4, 5, 6]))))(tf.tensor1d([7, 8])),
        tf.grad((x: tf.Tensor) => tf.sum(tf.mul(tf.tile(x, [2, 1]), tf.tensor2d([[1, 2], [3, 4]]))))(tf.tensor2d([[7, 8]])),
        tf.grad((x: tf.Tensor) => tf.sum(tf.mul(tf.broadcastTo(x, [3, 2]), tf.tensor2d([[1, 2], [3, 4], [5, 6]]))))(tf.tensor2d([[7, 8]])),
      ].map((t) => ({ v: Array.from(t.dataSync()), shape: t.shape })));
      assert.deepEqual(a, { v: [9, 12], shape: [2] }, backend);
      assert.deepEqual(b, { v: [4, 6], shape: [1, 2] }, backend);
      assert.deepEqual(c, { v: [9, 12], shape: [1, 2] }, backend);
    }
  });
});

describe('StridedSlice gradient', () => {
  test('routes dy to the sliced positions (x[:, ::2, ::2, :], offsets, shrink axes) on both backends', async () => {
    for (const backend of ['wasm', 'cpu']) {
      assert.ok(await tf.setBackend(backend));
      const [a, b, c, d] = tf.tidy(() => {
        const grad = (f: (x: tf.Tensor) => tf.Tensor, x: tf.Tensor, w: tf.Tensor) => tf.grad((t: tf.Tensor) => tf.sum(tf.mul(f(t), w)))(x);
        return [
          grad((x) => tf.stridedSlice(x, [0, 0, 0, 0], [1, 4, 4, 1], [1, 2, 2, 1]), tf.zeros([1, 4, 4, 1]), tf.tensor4d([1, 2, 3, 4], [1, 2, 2, 1])),
          grad((x) => tf.stridedSlice(x, [1], [5], [2]), tf.zeros([5]), tf.tensor1d([10, 20])),
          grad((x) => tf.stridedSlice(x, [1, 0], [2, 2], [1, 1], 0, 0, 0, 0, 1), tf.zeros([3, 2]), tf.tensor1d([5, 6])),
          grad((x) => tf.stridedSlice(x, [0, 1], [3, 3], [2, 1], 0, 2), tf.zeros([3, 3]), tf.tensor2d([[1, 2], [3, 4]])),
        ].map((t) => Array.from(t.dataSync()));
      });
      assert.deepEqual(a, [1, 0, 2, 0, 0, 0, 0, 0, 3, 0, 4, 0, 0, 0, 0, 0], backend);
      assert.deepEqual(b, [0, 10, 0, 20, 0], backend);
      assert.deepEqual(c, [0, 0, 5, 6, 0, 0], backend);
      assert.deepEqual(d, [0, 1, 2, 0, 0, 0, 0, 3, 4], backend);
    }
  });
});

describe('whole-model gradients', () => {
  // A tiny ResNet-like network: conv-BN-ReLU, a stride-2 block with an option-A shortcut
  // (x[:, ::2, ::2, :] + zero-padded channels), max pooling, global average pooling, a dense layer,
  // and a class-weighted cross-entropy (gather of trainable weights: UnsortedSegmentSum).
  function forward(p: Record<string, tf.Tensor>, x: tf.Tensor4D, labels: tf.Tensor1D): tf.Scalar {
    const bn = (t: tf.Tensor4D, g: tf.Tensor, b: tf.Tensor) => {
      const { mean, variance } = tf.moments(t, [0, 1, 2]);
      return tf.add(tf.mul(tf.div(tf.sub(t, mean), tf.sqrt(tf.add(variance, 1e-5))), g), b) as tf.Tensor4D;
    };
    let h = tf.relu(bn(tf.conv2d(x, p.w1 as tf.Tensor4D, 1, 1), p.g1, p.b1));
    const r = bn(tf.conv2d(tf.relu(tf.conv2d(h, p.w2 as tf.Tensor4D, 2, 1)), p.w3 as tf.Tensor4D, 1, 'same'), p.g2, p.b2);
    const shortcut = tf.pad(tf.stridedSlice(h, [0, 0, 0, 0], h.shape, [1, 2, 2, 1]), [[0, 0], [0, 0], [0, 0], [2, 2]]);
    h = tf.maxPool(tf.relu(tf.add(r, shortcut)) as tf.Tensor4D, 2, 2, 'valid');
    const logits = tf.add(tf.matMul(tf.mean(h, [1, 2]) as tf.Tensor2D, p.fc), p.fcb) as tf.Tensor2D;
    const nll = tf.neg(tf.sum(tf.mul(tf.oneHot(labels, 5), tf.logSoftmax(logits)), 1));
    const w = tf.gather(p.cw, labels);
    return tf.div(tf.sum(tf.mul(w, nll)), tf.sum(w)) as tf.Scalar;
  }

  test('every parameter gradient matches the cpu backend', async () => {
    const rng = new Rng(600);
    const arrays: Record<string, Arr> = {
      w1: randn(rng, [3, 3, 3, 4]), g1: randn(rng, [4]), b1: randn(rng, [4]),
      w2: randn(rng, [3, 3, 4, 8]), w3: randn(rng, [3, 3, 8, 8]), g2: randn(rng, [8]), b2: randn(rng, [8]),
      fc: randn(rng, [8, 5]), fcb: randn(rng, [5]),
      cw: { data: Float32Array.from([1, 2, 0.5, 1, 3]), shape: [5], dtype: 'float32' },
    };
    const x = randn(rng, [6, 8, 8, 3]);
    const labels = ints([0, 1, 2, 3, 4, 1]);
    const grads = async (backend: string) => {
      assert.ok(await tf.setBackend(backend));
      return tf.tidy(() => {
        const names = Object.keys(arrays);
        const params = names.map((n) => toTensor(arrays[n]));
        const f = (...ps: tf.Tensor[]) => forward(Object.fromEntries(names.map((n, i) => [n, ps[i]])), toTensor(x) as tf.Tensor4D, toTensor(labels) as tf.Tensor1D);
        const gs = tf.grads(f)(params);
        return Object.fromEntries(names.map((n, i) => [n, gs[i].dataSync().slice()]));
      });
    };
    const w = await grads('wasm');
    const c = await grads('cpu');
    for (const name of Object.keys(arrays)) {
      const e = relErr(w[name], c[name]);
      assert.ok(e < TOL, `d loss / d ${name}: relative error ${e}`);
    }
    // The gradients are not trivially zero.
    assert.ok(Math.max(...Array.from(c.w1).map(Math.abs)) > 1e-3);
  });
});
