import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import {
  balancedSoftmaxLoss,
  classBalancedWeights,
  crossEntropy,
  distillKL,
  diveLoss,
  focalLoss,
  kdLoss,
  ldamLoss,
  logitAdjustedLoss,
  ldamMargins,
  methodLoss,
  stopGradient,
  temperedSoftmax,
} from '../../src-main/core/train/losses';
import { DEFAULT_METHOD_PARAMS, METHODS as ALL_METHODS, POSTHOC_METHODS, type MethodParams } from '../../src-main/core/domain/method';

/** the methods with a training loss (post-hoc methods train nothing: methodLoss refuses them) */
const METHODS = ALL_METHODS.filter((m) => !POSTHOC_METHODS.includes(m));
import { UserError } from '../../src-main/core/domain/errors';

// Reference values are computed here in float64 plain JS, independently of TF.js.
const Z = [
  [2, 1, 0.1],
  [0.5, 2.5, -1],
  [-0.3, 0.2, 1.7],
];
const ZT = [
  [1.5, 0.3, -0.7],
  [0.1, 1.1, 0.4],
  [-1.2, 0.8, 2.2],
];
const Y = [0, 2, 1];
const COUNTS = [100, 20, 5];

function logSoftmax(row: number[]): number[] {
  const m = Math.max(...row);
  const lse = m + Math.log(row.reduce((a, v) => a + Math.exp(v - m), 0));
  return row.map((v) => v - lse);
}
const softmax = (row: number[]): number[] => logSoftmax(row).map(Math.exp);
const scale = (row: number[], k: number): number[] => row.map((v) => v * k);
const nll = (z: number[][], y: number[]): number[] => z.map((row, i) => -logSoftmax(row)[y[i]]);
const mean = (a: number[]): number => a.reduce((s, v) => s + v, 0) / a.length;
const jsCE = (z: number[][], y: number[]): number => mean(nll(z, y));
const withLogCounts = (z: number[][], counts: number[]): number[][] => z.map((r) => r.map((v, j) => v + Math.log(counts[j])));
function jsKL(zs: number[][], t: number[][], T: number): number {
  return mean(zs.map((row, i) => {
    const logQ = logSoftmax(scale(row, 1 / T));
    return t[i].reduce((s, tk, k) => s + (tk > 0 ? tk * (Math.log(tk) - logQ[k]) : 0), 0);
  }));
}
function powerNorm(row: number[], T: number, p: number): number[] {
  const t = softmax(scale(row, 1 / T)).map((v) => v ** p);
  const s = t.reduce((a, v) => a + v, 0);
  return t.map((v) => v / s);
}

const z = (): tf.Tensor2D => tf.tensor2d(Z);
const zt = (): tf.Tensor2D => tf.tensor2d(ZT);
const y = (): tf.Tensor1D => tf.tensor1d(Y, 'int32');
const val = (s: tf.Scalar): number => {
  const v = s.dataSync()[0];
  s.dispose();
  return v;
};
function close(actual: number, expected: number, tol = 1e-5): void {
  assert.ok(Math.abs(actual - expected) <= tol * Math.max(1, Math.abs(expected)), `${actual} != ${expected}`);
}

before(async () => {
  await tf.setBackend('cpu');
});

describe('cross-entropy family', () => {
  test('CE is the mean negative log-likelihood', () => {
    close(val(crossEntropy(z(), y())), jsCE(Z, Y));
    // one sample by hand: -log softmax([2,1,0.1])_0 = log(1 + e^-1 + e^-1.9) = 0.417030...
    close(val(crossEntropy(tf.tensor2d([Z[0]]), tf.tensor1d([0], 'int32'))), Math.log(1 + Math.exp(-1) + Math.exp(-1.9)));
  });

  test('weighted CE is sum w_y l / sum w_y (PyTorch CrossEntropyLoss(weight))', () => {
    const w = [0.5, 2, 3];
    const l = nll(Z, Y);
    const expected = l.reduce((s, li, i) => s + w[Y[i]] * li, 0) / Y.reduce((s, yi) => s + w[yi], 0);
    close(val(crossEntropy(z(), y(), w)), expected);
    // uniform weights of any scale give the plain mean
    close(val(crossEntropy(z(), y(), [7, 7, 7])), jsCE(Z, Y));
  });

  test('focal loss: gamma 0 is CE, gamma 2 matches -(1-p)^2 log p', () => {
    close(val(focalLoss(z(), y(), 0)), jsCE(Z, Y));
    const expected = mean(nll(Z, Y).map((l) => (1 - Math.exp(-l)) ** 2 * l));
    close(val(focalLoss(z(), y(), 2)), expected);
    assert.ok(val(focalLoss(z(), y(), 2)) < jsCE(Z, Y));
    assert.throws(() => focalLoss(z(), y(), -1), UserError);
  });

  test('focal gradient stays finite for gamma < 1 when p_y rounds to 1', () => {
    const g = tf.grad((x: tf.Tensor) => focalLoss(x as tf.Tensor2D, tf.tensor1d([0], 'int32'), 0.5))(tf.tensor2d([[60, 0, 0]]));
    assert.ok(Array.from(g.dataSync()).every(Number.isFinite));
  });

  test('balanced softmax equals CE on z + log n', () => {
    const expected = jsCE(withLogCounts(Z, COUNTS), Y);
    close(val(balancedSoftmaxLoss(z(), y(), COUNTS)), expected);
    const shifted = tf.add(z(), tf.tensor1d(COUNTS.map(Math.log))) as tf.Tensor2D;
    close(val(balancedSoftmaxLoss(z(), y(), COUNTS)), val(crossEntropy(shifted, y())), 1e-6);
    // rare true classes are pushed harder than under CE: sample 1 (class 2, n=5) has larger loss
    assert.ok(expected > jsCE(Z, Y));
  });

  test('balanced softmax with an empty class: that class leaves the partition function', () => {
    const counts = [10, 0, 5];
    const labels = [0, 2, 2];
    // classes 0 and 2 only: CE over the two remaining columns of z + log n
    const expected = jsCE(Z.map((r) => [r[0] + Math.log(10), r[2] + Math.log(5)]), [0, 1, 1]);
    close(val(balancedSoftmaxLoss(z(), tf.tensor1d(labels, 'int32'), counts)), expected);
    const g = tf.grad((x: tf.Tensor) => balancedSoftmaxLoss(x as tf.Tensor2D, tf.tensor1d(labels, 'int32'), counts))(z());
    const gv = Array.from(g.dataSync());
    assert.ok(gv.every(Number.isFinite));
    assert.deepEqual([gv[1], gv[4], gv[7]], [0, 0, 0]);
  });
});

describe('class-balanced weights and LDAM', () => {
  test('class-balanced weights by hand and sum to C', () => {
    // beta 0.5, n = [1, 2]: raw 0.5/0.5 = 1, 0.5/0.75 = 2/3; normalised to sum 2: 1.2, 0.8
    const w = classBalancedWeights([1, 2], 0.5);
    close(w[0], 1.2, 1e-12);
    close(w[1], 0.8, 1e-12);
    const cb = classBalancedWeights(COUNTS, 0.9999);
    close(cb.reduce((a, b) => a + b, 0), 3, 1e-12);
    const raw = COUNTS.map((n) => (1 - 0.9999) / (1 - Math.pow(0.9999, n)));
    const rs = raw.reduce((a, b) => a + b, 0);
    cb.forEach((v, j) => close(v, (raw[j] * 3) / rs, 1e-9));
    assert.ok(cb[2] > cb[1] && cb[1] > cb[0]);
  });

  test('class-balanced edge cases: beta 0 is all ones, beta 1 is inverse frequency, empty class gets 0', () => {
    assert.deepEqual(classBalancedWeights(COUNTS, 0), [1, 1, 1]);
    const inv = classBalancedWeights([1, 3], 1);
    close(inv[0], 1.5, 1e-12);
    close(inv[1], 0.5, 1e-12);
    assert.deepEqual(classBalancedWeights([0, 10, 10], 0.9), [0, 1.5, 1.5]);
    assert.throws(() => classBalancedWeights([1, 2], 1.5), UserError);
    assert.throws(() => classBalancedWeights([0, 0], 0.9), UserError);
  });

  test('LDAM margins are proportional to n^(-1/4) with max 0.5', () => {
    // n = 16, 1, 81: n^(-1/4) = 1/2, 1, 1/3
    const m = ldamMargins([16, 1, 81]);
    close(m[0], 0.25, 1e-12);
    close(m[1], 0.5, 1e-12);
    close(m[2], 1 / 6, 1e-12);
    const mc = ldamMargins(COUNTS);
    assert.equal(Math.max(...mc), 0.5);
    close(mc[0] / mc[2], (100 / 5) ** -0.25, 1e-12);
    assert.deepEqual(ldamMargins([0, 16], 0.4), [0.4, 0.4]);
  });

  test('LDAM loss is CE(s (z - m_y onehot(y)), y), weighted in the DRW phase', () => {
    const m = ldamMargins(COUNTS);
    const shifted = Z.map((r, i) => r.map((v, j) => 30 * (j === Y[i] ? v - m[j] : v)));
    close(val(ldamLoss(z(), y(), m, 30)), jsCE(shifted, Y));
    const w = classBalancedWeights(COUNTS, 0.9999);
    const l = nll(shifted, Y);
    const weighted = l.reduce((s, li, i) => s + w[Y[i]] * li, 0) / Y.reduce((s, yi) => s + w[yi], 0);
    close(val(ldamLoss(z(), y(), m, 30, w)), weighted);
    // zero margins and s = 1 give plain CE
    close(val(ldamLoss(z(), y(), [0, 0, 0], 1)), jsCE(Z, Y));
  });
});

describe('distillation', () => {
  test('power normalisation with p = 0.5 equals softmax at 2T exactly', () => {
    const a = temperedSoftmax(zt(), 3, 0.5);
    const b = temperedSoftmax(zt(), 6, 1);
    assert.deepEqual(Array.from(a.dataSync()), Array.from(b.dataSync()));
    const flat = Array.from(a.dataSync());
    ZT.forEach((row, i) => powerNorm(row, 3, 0.5).forEach((v, k) => close(flat[i * 3 + k], v, 1e-6)));
    // p = 1 is the plain tempered softmax; rows sum to 1
    const c = Array.from(temperedSoftmax(zt(), 2).dataSync());
    ZT.forEach((row, i) => softmax(scale(row, 0.5)).forEach((v, k) => close(c[i * 3 + k], v, 1e-6)));
    assert.throws(() => temperedSoftmax(zt(), 0), UserError);
  });

  test('distillKL is batchmean KL(t || softmax_T(z_s)), zero when the student matches', () => {
    const t = ZT.map((r) => powerNorm(r, 2, 0.5));
    close(val(distillKL(z(), tf.tensor2d(t), 2)), jsKL(Z, t, 2));
    const self = tf.tensor2d(Z.map((r) => softmax(scale(r, 1 / 2))));
    close(val(distillKL(z(), self, 2)), 0, 1e-6);
    // a zero entry in the target counts 0, not NaN
    close(val(distillKL(z(), tf.tensor2d([[1, 0, 0], [0, 1, 0], [0, 0, 1]]), 1)), jsCE(Z, [0, 1, 2]));
  });

  test('KD = (1 - alpha) CE + alpha T^2 KL; alpha 0 is CE', () => {
    close(val(kdLoss(z(), y(), zt(), { T: 3, alpha: 0 })), jsCE(Z, Y));
    const t = ZT.map((r) => softmax(scale(r, 1 / 3)));
    close(val(kdLoss(z(), y(), zt(), { T: 3, alpha: 0.5 })), 0.5 * jsCE(Z, Y) + 0.5 * 9 * jsKL(Z, t, 3));
  });

  test('DiVE = (1 - alpha) BSCE + alpha T^2 KL(power-normalised teacher); alpha 0 is BSCE', () => {
    const bsce = jsCE(withLogCounts(Z, COUNTS), Y);
    close(val(diveLoss(z(), y(), zt(), COUNTS, { T: 3, alpha: 0, p: 0.5 })), bsce);
    const t = ZT.map((r) => powerNorm(r, 3, 0.5));
    const expected = 0.5 * bsce + 0.5 * 9 * jsKL(Z, t, 3);
    close(val(diveLoss(z(), y(), zt(), COUNTS, { T: 3, alpha: 0.5, p: 0.5 })), expected);
    assert.throws(() => diveLoss(z(), y(), zt(), COUNTS, { T: 3, alpha: 1.5, p: 0.5 }), UserError);
  });
});

describe('methodLoss', () => {
  const P: MethodParams = { ...DEFAULT_METHOD_PARAMS, focalGamma: 2 };
  const ctx = (epoch = 0) => ({ classCounts: COUNTS, epoch, teacherLogits: zt() });

  test('dispatches each method to its loss', () => {
    close(val(methodLoss('ce', P, z(), y(), ctx())), jsCE(Z, Y));
    close(val(methodLoss('focal', P, z(), y(), ctx())), val(focalLoss(z(), y(), 2)), 1e-6);
    close(val(methodLoss('cb', P, z(), y(), ctx())), val(crossEntropy(z(), y(), classBalancedWeights(COUNTS, 0.9999))), 1e-6);
    close(val(methodLoss('bsce', P, z(), y(), ctx())), jsCE(withLogCounts(Z, COUNTS), Y));
    close(val(methodLoss('kd', P, z(), y(), ctx())), val(kdLoss(z(), y(), zt(), { T: 3, alpha: 0.5 })), 1e-6);
    close(val(methodLoss('dive', P, z(), y(), ctx())), val(diveLoss(z(), y(), zt(), COUNTS, { T: 3, alpha: 0.5, p: 0.5 })), 1e-6);
  });

  test('ldam-drw: unweighted before drwEpoch, class-balanced from it', () => {
    const m = ldamMargins(COUNTS);
    const plain = val(ldamLoss(z(), y(), m, 30));
    const drw = val(ldamLoss(z(), y(), m, 30, classBalancedWeights(COUNTS, 0.9999)));
    assert.notEqual(plain, drw);
    close(val(methodLoss('ldam-drw', P, z(), y(), ctx(159))), plain, 1e-6);
    close(val(methodLoss('ldam-drw', P, z(), y(), ctx(160))), drw, 1e-6);
  });

  test('kd and dive without teacher logits throw a clear error', () => {
    for (const m of ['kd', 'dive'] as const) {
      assert.throws(() => methodLoss(m, P, z(), y(), { classCounts: COUNTS, epoch: 0 }), /needs the teacher's logits/);
    }
    assert.throws(() => methodLoss('bsce', P, z(), y(), { classCounts: [1, 2], epoch: 0 }), /2 entries for 3 classes/);
  });

  test('CE gradient is (softmax - onehot) / B', () => {
    const g = Array.from(tf.grad((x: tf.Tensor) => methodLoss('ce', P, x as tf.Tensor2D, y(), ctx()))(z()).dataSync());
    Z.forEach((row, i) => softmax(row).forEach((p, k) => close(g[i * 3 + k], (p - (k === Y[i] ? 1 : 0)) / 3, 1e-6)));
  });

  test('every method has a finite, non-zero gradient', () => {
    for (const m of METHODS) {
      const g = tf.grad((s: tf.Tensor) => methodLoss(m, P, s as tf.Tensor2D, y(), ctx(170)))(z());
      const v = Array.from(g.dataSync());
      assert.ok(v.every(Number.isFinite), `${m}: non-finite gradient`);
      assert.ok(v.some((x) => Math.abs(x) > 1e-4), `${m}: zero gradient`);
    }
  });

  test('no gradient reaches the teacher (kd, dive)', () => {
    for (const m of ['kd', 'dive'] as const) {
      const [gs, gt] = tf.grads((s: tf.Tensor, t: tf.Tensor) =>
        methodLoss(m, P, s as tf.Tensor2D, y(), { classCounts: COUNTS, epoch: 0, teacherLogits: t as tf.Tensor2D }),
      )([z(), zt()]);
      assert.ok(Array.from(gs.dataSync()).some((x) => x !== 0), `${m}: no student gradient`);
      assert.deepEqual(Array.from(gt.dataSync()), new Array(9).fill(0), `${m}: gradient reached the teacher`);
    }
  });

  test('stopGradient is the identity forward', () => {
    assert.deepEqual(Array.from(stopGradient(zt()).dataSync()), ZT.flat().map(Math.fround));
  });

  test('no tensor leaks', () => {
    const [s, t, l] = [z(), zt(), y()];
    for (const m of METHODS) {
      const c = { classCounts: COUNTS, epoch: 170, teacherLogits: t };
      const before = tf.memory().numTensors;
      tf.tidy(() => {
        methodLoss(m, P, s, l, c);
      });
      assert.equal(tf.memory().numTensors, before, `${m}: leak under tidy`);
      const out = methodLoss(m, P, s, l, c);
      assert.equal(tf.memory().numTensors, before + 1, `${m}: intermediates left behind`);
      out.dispose();
    }
    tf.dispose([s, t, l]);
  });
});

describe('logit adjustment (Menon et al. 2021)', () => {
  const z = () => tf.tensor2d(Z);
  const y = () => tf.tensor1d(Y, 'int32');
  const close = (a: number, b: number, tol = 1e-6) => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

  test('the loss is CE(z + log(pi^tau + 1e-12)): by hand at tau 1 and 0.5', () => {
    // pi = [100, 20, 5] / 125 = [0.8, 0.16, 0.04]
    for (const tau of [1, 0.5]) {
      const offsets = [0.8, 0.16, 0.04].map((p) => Math.log(p ** tau + 1e-12));
      const want = jsCE(Z.map((r) => r.map((v, j) => v + offsets[j])), Y);
      close(logitAdjustedLoss(z(), y(), COUNTS, tau).dataSync()[0], want);
      close(methodLoss('la-loss', { ...DEFAULT_METHOD_PARAMS, laTau: tau }, z(), y(), { classCounts: COUNTS, epoch: 0 }).dataSync()[0], want);
    }
  });

  test('at tau 1 it is Balanced Softmax (a constant shift log N of the logits)', () => {
    close(logitAdjustedLoss(z(), y(), COUNTS, 1).dataSync()[0], balancedSoftmaxLoss(z(), y(), COUNTS).dataSync()[0], 1e-5);
    // tau 0 adds log(1 + 1e-12) to every logit: plain CE
    close(logitAdjustedLoss(z(), y(), COUNTS, 0).dataSync()[0], jsCE(Z, Y));
  });

  test('crt and lws train with plain CE; the post-hoc methods have no loss', () => {
    for (const m of ['crt', 'lws'] as const) close(methodLoss(m, DEFAULT_METHOD_PARAMS, z(), y(), { classCounts: COUNTS, epoch: 0 }).dataSync()[0], jsCE(Z, Y));
    for (const m of POSTHOC_METHODS) assert.throws(() => methodLoss(m, DEFAULT_METHOD_PARAMS, z(), y(), { classCounts: COUNTS, epoch: 0 }), /has no training loss/);
  });
});
