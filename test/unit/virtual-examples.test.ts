import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { flatness, virtualExamples } from '../../src-main/core/eval/virtual-examples';
import { Rng } from '../../src-main/core/rng';
import { shotGroups } from '../../src-main/core/splits/stats';
import { DEFAULT_THRESHOLDS } from '../../src-main/core/domain/split-schema';
import { UserError } from '../../src-main/core/domain/errors';

function randomLogits(n: number, c: number, seed: number, scale: number): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: n * c }, () => scale * rng.normal());
}
function sum(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s;
}

describe('virtualExamples', () => {
  test('small case by hand', () => {
    // rows softmax([0, ln 3]) = [1/4, 3/4] and softmax([0, 0]) = [1/2, 1/2]
    const v = virtualExamples([0, Math.log(3), 0, 0], 2, 2, 1);
    assert.ok(Math.abs(v[0] - 0.75) < 1e-15 && Math.abs(v[1] - 1.25) < 1e-15, `${v}`);
    // T = 2: softmax([0, ln 3] / 2) = [1, sqrt 3] / (1 + sqrt 3)
    const v2 = virtualExamples([0, Math.log(3), 0, 0], 2, 2, 2);
    assert.ok(Math.abs(v2[0] - (1 / (1 + Math.sqrt(3)) + 0.5)) < 1e-15);
  });

  test('sum of V is N', () => {
    const n = 2000;
    for (const [T, p] of [[1, 1], [3, 0.5], [0.5, 1]]) {
      const v = virtualExamples(randomLogits(n, 10, 1, 8), n, 10, T, p);
      assert.ok(Math.abs(sum(v) - n) <= 1e-6 * n, `T=${T} p=${p}: ${sum(v)}`);
    }
  });

  test('p = 0.5 at T equals p = 1 at 2T, and equals explicit power normalisation', () => {
    const z = randomLogits(50, 7, 2, 5);
    for (const T of [1, 3, 2.7]) {
      assert.deepEqual(virtualExamples(z, 50, 7, T, 0.5), virtualExamples(z, 50, 7, 2 * T, 1));
    }
    // explicit: t = softmax(z / 3); t^0.5 / sum t^0.5, summed over rows
    const explicit = new Float64Array(7);
    for (let i = 0; i < 50; i++) {
      const e = Array.from({ length: 7 }, (_, k) => Math.exp(z[i * 7 + k] / 3));
      const t = e.map((x) => x / sum(e));
      const r = t.map(Math.sqrt);
      r.forEach((x, k) => (explicit[k] += x / sum(r)));
    }
    virtualExamples(z, 50, 7, 3, 0.5).forEach((x, k) => assert.ok(Math.abs(x - explicit[k]) < 1e-12));
  });

  test('a large temperature gives the flat N / C', () => {
    const v = virtualExamples(randomLogits(300, 5, 3, 10), 300, 5, 1e6);
    v.forEach((x) => assert.ok(Math.abs(x - 60) < 60 * 1e-3, `${x}`));
  });

  test('stable for huge logits; bad input rejected', () => {
    const v = virtualExamples([1e4, 0, -1e4], 1, 3, 1);
    assert.deepEqual(Array.from(v), [1, 0, 0]);
    assert.throws(() => virtualExamples([NaN, 0], 1, 2, 1), UserError);
    assert.throws(() => virtualExamples([0, 0], 1, 2, 0), /temperature/);
    assert.throws(() => virtualExamples([0, 0], 1, 2, 1, -1), /power/);
    assert.throws(() => virtualExamples([0, 0, 0], 1, 2, 1), /3 values for 1 samples x 2 classes/);
  });
});

describe('flatness', () => {
  test('group means and ratios by hand', () => {
    const counts = [200, 150, 50, 10, 0];
    const groups = shotGroups(counts, DEFAULT_THRESHOLDS); // many [0, 1], medium [2], few [3, 4]
    const f = flatness([90, 70, 60, 50, 30], counts, groups);
    assert.deepEqual(f.virtual, { many: 80, medium: 60, few: 40 });
    assert.deepEqual(f.input, { many: 175, medium: 50, few: 5 });
    assert.equal(f.fewOverMany, 0.5);
    assert.equal(f.inputFewOverMany, 5 / 175);
    assert.equal(f.maxOverMin, 3);
    assert.equal(f.inputMaxOverMin, 20);
    const none = flatness([1, 2], [5, 5], { many: [], medium: [0, 1], few: [] });
    assert.deepEqual([none.virtual.many, none.fewOverMany, none.maxOverMin], [null, null, 2]);
  });

  test("input readout on CIFAR-100-LT-100 counts is the paper's 252 / 49 / 10", () => {
    const counts = Array.from({ length: 100 }, (_, i) => Math.floor(500 * Math.pow(0.01, i / 99)));
    const f = flatness(new Float64Array(100).fill(1), counts, shotGroups(counts, DEFAULT_THRESHOLDS));
    assert.deepEqual([f.input.many, f.input.medium, f.input.few].map((x) => Math.round(x as number)), [252, 49, 10]);
    assert.equal(f.inputMaxOverMin, 100);
    assert.equal(f.fewOverMany, 1);
  });

  test('raising T flattens the virtual examples of a prior-biased model', () => {
    // a model whose logits are log n_k + noise predicts classes in proportion to n
    const counts = [400, 200, 100, 40, 10];
    const rng = new Rng(4);
    const n = 500;
    const z = Float32Array.from({ length: n * 5 }, (_, j) => Math.log(counts[j % 5]) + 0.3 * rng.normal());
    const groups = { many: [0, 1], medium: [2, 3], few: [4] };
    const r = [1, 3, 6].map((T) => flatness(virtualExamples(z, n, 5, T), counts, groups).fewOverMany as number);
    assert.ok(r[0] < r[1] && r[1] < r[2], `${r}`);
    // at T = 1 V follows the input: few/many close to 10 / 300
    assert.ok(Math.abs(r[0] - 10 / 300) < 0.01, `${r[0]}`);
  });
});
