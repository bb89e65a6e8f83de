import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { Rng } from '../../src-main/core/rng';
import { batchNorm, conv2d, shortcutA, subsample2, VariableSet, BN_EPS } from '../../src-main/core/train/layers';
import { createModel, type Model } from '../../src-main/core/train/models';
import type { ModelKind } from '../../src-main/core/domain/run-config';

before(async () => {
  await tf.setBackend('cpu');
});

const close = (a: ArrayLike<number>, b: ArrayLike<number>, tol: number, what = '') => {
  assert.equal(a.length, b.length, `${what} length`);
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i] - b[i]) <= tol, `${what}[${i}]: ${a[i]} vs ${b[i]}`);
};

describe('model sizes', () => {
  // Hand counts for 32x32x3, 10 classes. Stage 1 block: 2 convs 3*3*16*16 + 2 BN (2*16) = 4672.
  // Stage 2 first block: 3*3*16*32 + 3*3*32*32 + 2*64 = 13952, others 2*9216 + 128 = 18560.
  // Stage 3 first block: 3*3*32*64 + 3*3*64*64 + 2*128 = 55552, others 2*36864 + 256 = 73984.
  // Stem conv 432 + BN 32; linear 64*10 + 10 = 650. ResNet-20 0.27M and ResNet-32 0.46M as in
  // He et al. 2016 / LDAM-DRW's table.
  const expected: Record<ModelKind, number> = {
    resnet8: 464 + 4672 + 13952 + 55552 + 650,
    resnet20: 464 + 3 * 4672 + 13952 + 2 * 18560 + 55552 + 2 * 73984 + 650,
    resnet32: 464 + 5 * 4672 + 13952 + 4 * 18560 + 55552 + 4 * 73984 + 650,
    // 3072*256 + 256 + 256*256 + 256 + 256*10 + 10
    mlp: 3072 * 256 + 256 + 256 * 256 + 256 + 2570,
    // conv 3*3*3*16 + BN 32 + conv 3*3*16*32 + BN 64 + linear (8*8*32)*10 + 10
    cnn: 432 + 32 + 4608 + 64 + 2048 * 10 + 10,
  };
  for (const kind of Object.keys(expected) as ModelKind[]) {
    test(`${kind} has ${expected[kind]} parameters`, () => {
      const m = createModel({ kind, imageShape: [32, 32, 3], numClasses: 10 }, new Rng(0));
      assert.equal(m.numParams(), expected[kind]);
      m.dispose();
    });
  }
  test('resnet32 is 464,154 and resnet20 269,722 (the published counts)', () => {
    assert.equal(expected.resnet32, 464154);
    assert.equal(expected.resnet20, 269722);
  });
});

describe('forward shapes and modes', () => {
  const cases: [ModelKind, [number, number, number]][] = [
    ['mlp', [8, 8, 1]],
    ['cnn', [8, 8, 1]],
    ['cnn', [7, 9, 3]],
    ['resnet8', [8, 8, 1]],
    ['resnet8', [7, 7, 3]],
  ];
  for (const [kind, shape] of cases) {
    test(`${kind} on ${shape.join('x')} gives [N, classes] logits in both modes`, () => {
      const m = createModel({ kind, imageShape: shape, numClasses: 4 }, new Rng(1));
      const before = tf.memory().numTensors;
      const x = tf.randomNormal([3, ...shape], 0, 1, 'float32', 7) as tf.Tensor4D;
      for (const training of [true, false]) {
        const y = m.apply(x, training);
        assert.deepEqual(y.shape, [3, 4]);
        assert.ok(Array.from(y.dataSync()).every(Number.isFinite));
        y.dispose();
      }
      x.dispose();
      assert.equal(tf.memory().numTensors, before, 'apply leaks no tensors');
      m.dispose();
    });
  }

  test('apply rejects an input of the wrong shape', () => {
    const m = createModel({ kind: 'mlp', imageShape: [8, 8, 1], numClasses: 4 }, new Rng(1));
    const x = tf.zeros([2, 8, 8, 3]) as tf.Tensor4D;
    assert.throws(() => m.apply(x, false), /expects \[N, 8, 8, 1\]/);
    x.dispose();
    m.dispose();
  });

  test('eval mode does not touch the running statistics; training mode does', () => {
    const m = createModel({ kind: 'resnet8', imageShape: [8, 8, 1], numClasses: 4 }, new Rng(1));
    const x = tf.randomNormal([4, 8, 8, 1], 0, 1, 'float32', 3) as tf.Tensor4D;
    const before = m.snapshot();
    tf.dispose(m.apply(x, false));
    assert.deepEqual(m.snapshot(), before);
    tf.dispose(m.apply(x, true));
    const after = m.snapshot();
    const changed = after.filter((a, i) => a.data.some((v, j) => v !== before[i].data[j])).map((a) => a.name);
    assert.ok(changed.length > 0 && changed.every((n) => /running_(mean|var)$/.test(n)), changed.join());
    x.dispose();
    m.dispose();
  });
});

describe('initialisation', () => {
  test('the same rng state gives the same weights, another seed different ones', () => {
    const snap = (seed: number) => {
      const m = createModel({ kind: 'resnet8', imageShape: [8, 8, 3], numClasses: 5 }, new Rng(seed));
      const s = m.snapshot();
      m.dispose();
      return s;
    };
    assert.deepEqual(snap(3), snap(3));
    assert.notDeepEqual(snap(3), snap(4));
  });

  test('Kaiming normal: conv and linear weights have std sqrt(2 / fan_in), BN gamma 1 / beta 0', () => {
    const m = createModel({ kind: 'resnet20', imageShape: [32, 32, 3], numClasses: 10 }, new Rng(0));
    const std = (a: Float32Array) => {
      const mean = a.reduce((s, v) => s + v, 0) / a.length;
      return Math.sqrt(a.reduce((s, v) => s + (v - mean) ** 2, 0) / a.length);
    };
    const w = m.params['layer3.1.conv1.weight'].dataSync() as Float32Array; // 36,864 values, fan_in 576
    assert.ok(Math.abs(std(w) / Math.sqrt(2 / 576) - 1) < 0.02, `std ${std(w)}`);
    const lin = m.params['linear.weight'].dataSync() as Float32Array; // fan_in 64
    assert.ok(Math.abs(std(lin) / Math.sqrt(2 / 64) - 1) < 0.15, `std ${std(lin)}`);
    const bias = m.params['linear.bias'].dataSync() as Float32Array;
    assert.ok(bias.every((v) => Math.abs(v) <= 1 / 8), 'bias uniform in +-1/sqrt(64)');
    assert.ok((m.params['layer2.0.bn1.weight'].dataSync() as Float32Array).every((v) => v === 1));
    assert.ok((m.params['layer2.0.bn1.bias'].dataSync() as Float32Array).every((v) => v === 0));
    assert.ok((m.state['layer2.0.bn1.running_var'].dataSync() as Float32Array).every((v) => v === 1));
    m.dispose();
  });

  test('PyTorch-style names, params before state in snapshots', () => {
    const m = createModel({ kind: 'resnet8', imageShape: [8, 8, 1], numClasses: 4 }, new Rng(0));
    const names = m.snapshot().map((a) => a.name);
    assert.equal(names[0], 'conv1.weight');
    assert.ok(names.includes('layer3.0.bn2.running_var'));
    assert.ok(names.indexOf('linear.bias') < names.indexOf('bn1.running_mean'));
    m.dispose();
  });

  test('normHead: unit-norm weight columns, logits are cosines in [-1, 1], no bias', () => {
    const m = createModel({ kind: 'resnet8', imageShape: [8, 8, 1], numClasses: 4, normHead: true }, new Rng(0));
    assert.equal(m.params['linear.bias'], undefined);
    const w = m.params['linear.weight'];
    const norms = tf.tidy(() => tf.sqrt(tf.sum(tf.square(w), 0)).dataSync());
    close(norms, [1, 1, 1, 1], 1e-5, 'column norms');
    const x = tf.randomNormal([5, 8, 8, 1], 0, 3, 'float32', 1) as tf.Tensor4D;
    const z = m.apply(x, false);
    assert.ok(Array.from(z.dataSync()).every((v) => v >= -1 - 1e-6 && v <= 1 + 1e-6));
    tf.dispose([x, z]);
    m.dispose();
  });
});

describe('snapshot / restore', () => {
  test('restore reproduces the outputs of another model exactly', () => {
    const a = createModel({ kind: 'cnn', imageShape: [8, 8, 1], numClasses: 4 }, new Rng(1));
    const b = createModel({ kind: 'cnn', imageShape: [8, 8, 1], numClasses: 4 }, new Rng(2));
    const x = tf.randomNormal([2, 8, 8, 1], 0, 1, 'float32', 5) as tf.Tensor4D;
    tf.dispose(a.apply(x, true)); // move the running stats away from their init
    b.restore(a.snapshot());
    const za = a.apply(x, false);
    const zb = b.apply(x, false);
    assert.deepEqual(Array.from(zb.dataSync()), Array.from(za.dataSync()));
    tf.dispose([x, za, zb]);
    a.dispose();
    b.dispose();
  });

  test('restore refuses a different architecture', () => {
    const a = createModel({ kind: 'cnn', imageShape: [8, 8, 1], numClasses: 4 }, new Rng(1));
    const b = createModel({ kind: 'cnn', imageShape: [8, 8, 1], numClasses: 5 }, new Rng(1));
    assert.throws(() => b.restore(a.snapshot()), /linear\.weight has shape \[128,4\], expected \[128,5\]/);
    const c = createModel({ kind: 'mlp', imageShape: [8, 8, 1], numClasses: 4 }, new Rng(1));
    assert.throws(() => c.restore(a.snapshot()), /expected 6 tensors/);
    for (const m of [a, b, c]) m.dispose();
  });
});

describe('layers', () => {
  test('stride-2 conv pads symmetrically like PyTorch padding=1', () => {
    const vs = new VariableSet(new Rng(0));
    const conv = conv2d(vs, 'c', 1, 1, 3, 2);
    vs.params['c.weight'].assign(tf.ones([3, 3, 1, 1]));
    const x = tf.tensor4d(Array.from({ length: 16 }, (_, i) => i + 1), [1, 4, 4, 1]);
    // Input rows 1..4 / 5..8 / 9..12 / 13..16; windows centred on (0,0), (0,2), (2,0), (2,2).
    // (0,0): 1+2+5+6 = 14; (0,2): 2+3+4+6+7+8 = 30; (2,0): 5+6+9+10+13+14 = 57;
    // (2,2): 6+7+8+10+11+12+14+15+16 = 99. (TF 'same' would start at (1,1): 54.)
    const y = conv(x, false);
    assert.deepEqual(Array.from(y.dataSync()), [14, 30, 57, 99]);
    tf.dispose([x, y, vs.params['c.weight']]);
  });

  test('subsample2 is x[:, ::2, ::2, :] for even and odd sizes, with a scatter-back gradient', () => {
    const x = tf.tensor4d(Array.from({ length: 2 * 5 * 4 * 2 }, (_, i) => i), [2, 5, 4, 2]);
    const s = subsample2(x);
    assert.deepEqual(s.shape, [2, 3, 2, 2]);
    const xs = x.arraySync();
    const expected = xs.map((img) => [0, 2, 4].map((i) => [0, 2].map((j) => img[i][j])));
    assert.deepEqual(s.arraySync(), expected);
    const g = tf.grad((t: tf.Tensor) => tf.sum(subsample2(t as tf.Tensor4D)))(x);
    const ga = g.arraySync() as number[][][][];
    assert.equal(ga[1][2][2][1], 1);
    assert.equal(ga[1][1][2][1], 0);
    assert.equal(tf.sum(g).dataSync()[0], 2 * 3 * 2 * 2);
    tf.dispose([x, s, g]);
  });

  test('option-A shortcut: subsample and zero-pad channels planes/4 on each side', () => {
    const x = tf.ones([1, 4, 4, 16]) as tf.Tensor4D;
    const y = shortcutA(16, 32)(x);
    assert.deepEqual(y.shape, [1, 2, 2, 32]);
    const v = y.arraySync()[0][1][1];
    assert.deepEqual(v, [...Array(8).fill(0), ...Array(16).fill(1), ...Array(8).fill(0)]);
    assert.throws(() => shortcutA(16, 48), /cannot map/);
    tf.dispose([x, y]);
  });

  test('batch norm training: batch statistics, running mean/var updated with momentum 0.1 and unbiased variance', () => {
    const vs = new VariableSet(new Rng(0));
    const bn = batchNorm<tf.Tensor2D>(vs, 'bn', 2);
    // channel 0: 1,2,3,4 (mean 2.5, biased var 1.25, unbiased 5/3); channel 1: all 7 (var 0)
    const x = tf.tensor2d([[1, 7], [2, 7], [3, 7], [4, 7]]);
    const y = bn(x, true);
    const inv = 1 / Math.sqrt(1.25 + BN_EPS);
    close(y.dataSync(), [-1.5 * inv, 0, -0.5 * inv, 0, 0.5 * inv, 0, 1.5 * inv, 0], 1e-6, 'y');
    close(vs.state['bn.running_mean'].dataSync(), [0.25, 0.7], 1e-6, 'running mean');
    close(vs.state['bn.running_var'].dataSync(), [0.9 + 0.1 * (5 / 3), 0.9], 1e-6, 'running var');
    // eval mode: (x - rm) / sqrt(rv + eps) * gamma + beta with the updated running statistics
    const z = bn(tf.tensor2d([[1.25, 0.7]]), false);
    close(z.dataSync(), [1 / Math.sqrt(0.9 + 1 / 6 + BN_EPS), 0], 1e-6, 'eval');
    tf.dispose([x, y, z]);
    for (const v of [...Object.values(vs.params), ...Object.values(vs.state)]) v.dispose();
  });

  test('batch norm on NHWC input: statistics over N, H and W (the pooled path) match tf.moments', () => {
    const vs = new VariableSet(new Rng(0));
    const bn = batchNorm<tf.Tensor4D>(vs, 'bn', 2);
    const x = tf.randomNormal([3, 4, 5, 2], 2, 3, 'float32', 21) as tf.Tensor4D;
    const { mean, variance } = tf.moments(x, [0, 1, 2]);
    const m = Array.from(mean.dataSync());
    const v = Array.from(variance.dataSync());
    const y = bn(x, true);
    close(vs.state['bn.running_mean'].dataSync(), m.map((a) => 0.1 * a), 1e-5, 'running mean');
    close(vs.state['bn.running_var'].dataSync(), v.map((a) => 0.9 + 0.1 * a * (60 / 59)), 1e-4, 'running var');
    const ym = tf.moments(y, [0, 1, 2]);
    close(ym.mean.dataSync(), [0, 0], 1e-5, 'normalised mean');
    close(ym.variance.dataSync(), v.map((a) => a / (a + BN_EPS)), 1e-4, 'normalised variance');
    tf.dispose([x, y, mean, variance, ym.mean, ym.variance]);
    for (const t of [...Object.values(vs.params), ...Object.values(vs.state)]) t.dispose();
  });

  test('fused batch-norm gradient equals autodiff through tf.moments', () => {
    const vs = new VariableSet(new Rng(0));
    const bn = batchNorm<tf.Tensor4D>(vs, 'bn', 3);
    const gamma = vs.params['bn.weight'];
    const beta = vs.params['bn.bias'];
    gamma.assign(tf.tensor1d([0.5, 2, -1]));
    beta.assign(tf.tensor1d([0.1, 0, 3]));
    const x = tf.randomNormal([4, 3, 2, 3], 1, 2, 'float32', 11) as tf.Tensor4D;
    const r = tf.randomNormal([4, 3, 2, 3], 0, 1, 'float32', 12);
    const reference = (xi: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
      const { mean, variance } = tf.moments(xi, [0, 1, 2]);
      return tf.add(tf.mul(tf.mul(tf.sub(xi, mean), tf.rsqrt(tf.add(variance, BN_EPS))), g), b);
    };
    const ref = tf.grads((xi: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(reference(xi, g, b), r)))([x, gamma, beta]);
    const fused = tf.variableGrads(() => tf.sum(tf.mul(bn(x, true), r)) as tf.Scalar, [gamma, beta]);
    const dx = tf.grad((xi: tf.Tensor) => tf.sum(tf.mul(bn(xi as tf.Tensor4D, true), r)))(x);
    close(dx.dataSync(), ref[0].dataSync(), 1e-4, 'dx');
    close(fused.grads[gamma.name].dataSync(), ref[1].dataSync(), 1e-4, 'dgamma');
    close(fused.grads[beta.name].dataSync(), ref[2].dataSync(), 1e-4, 'dbeta');
    tf.dispose([x, r, dx, fused.value, ...ref, ...Object.values(fused.grads)]);
    for (const v of [...Object.values(vs.params), ...Object.values(vs.state)]) v.dispose();
  });
});

describe('gradients reach every parameter', () => {
  for (const kind of ['mlp', 'cnn', 'resnet8'] as ModelKind[]) {
    test(kind, () => {
      const m: Model = createModel({ kind, imageShape: [8, 8, 1], numClasses: 3 }, new Rng(0));
      const x = tf.randomNormal([4, 8, 8, 1], 0, 1, 'float32', 2) as tf.Tensor4D;
      const r = tf.randomNormal([4, 3], 0, 1, 'float32', 3);
      const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(m.apply(x, true), r)) as tf.Scalar, Object.values(m.params));
      for (const [name, p] of Object.entries(m.params)) {
        const g = grads[p.name];
        assert.ok(g, `gradient for ${name}`);
        assert.ok(Array.from(g.dataSync()).some((v) => v !== 0), `non-zero gradient for ${name}`);
      }
      tf.dispose([x, r, value, ...Object.values(grads)]);
      m.dispose();
    });
  }
});
