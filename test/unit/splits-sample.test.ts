import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { Progress } from '../../src-main/core/domain/types';
import { Rng } from '../../src-main/core/rng';
import { previewFromCounts } from '../../src-main/core/splits/preview';
import { indicesByClass, sampleSplit } from '../../src-main/core/splits/sample';
import { int32ToBlob } from '../../src-main/core/store/int32-blob';

/** 10 classes, class c has 40 + 6c images, in a seeded random order. */
function syntheticLabels(): Int32Array {
  const labels: number[] = [];
  for (let c = 0; c < 10; c++) for (let k = 0; k < 40 + 6 * c; k++) labels.push(c);
  return Int32Array.from(new Rng(123).shuffle(labels));
}

const LABELS = syntheticLabels();
const COUNTS = [40, 30, 22, 16, 12, 9, 7, 5, 4, 3];

function byClass(indices: Int32Array, labels: Int32Array, c: number): number[] {
  return [...indices].filter((i) => labels[i] === c);
}

test('indicesByClass groups indices by class, ascending within each', () => {
  const { indices, start } = indicesByClass(Int32Array.from([2, 0, 2, 1, 0]), 3);
  assert.deepEqual([...start], [0, 2, 3, 5]);
  assert.deepEqual([...indices], [1, 4, 3, 0, 2]);
});

test('each class gets exactly its count, from its own images, no index twice, ascending', () => {
  const s = sampleSplit(LABELS, COUNTS, 5);
  assert.equal(s.length, COUNTS.reduce((a, b) => a + b, 0));
  for (let k = 1; k < s.length; k++) assert.ok(s[k] > s[k - 1], `index ${k} not ascending`);
  for (let c = 0; c < 10; c++) assert.equal(byClass(s, LABELS, c).length, COUNTS[c], `class ${c}`);
  assert.ok(s.every((i) => i >= 0 && i < LABELS.length));
});

test('same inputs give the same indices; another seed gives others', () => {
  const a = sampleSplit(LABELS, COUNTS, 5);
  assert.deepEqual(sampleSplit(LABELS, COUNTS, 5), a);
  assert.notDeepEqual(sampleSplit(LABELS, COUNTS, 6), a);
});

test('golden value: a change of generator, derivation or algorithm is caught', () => {
  const s = sampleSplit(LABELS, COUNTS, 5);
  assert.deepEqual([...s.subarray(0, 12)], GOLDEN_FIRST_12);
  const hash = createHash('sha256').update(int32ToBlob(s)).digest('hex');
  assert.equal(hash, GOLDEN_SHA256);
});

test("a class's sample depends only on the seed and its own index, not on other classes' counts", () => {
  const other = [1, 2, 3, 16, 1, 1, 1, 1, 1, 1];
  const a = sampleSplit(LABELS, COUNTS, 9);
  const b = sampleSplit(LABELS, other, 9);
  assert.deepEqual(byClass(b, LABELS, 3), byClass(a, LABELS, 3));
});

test('splits with the same seed are nested across ratios', () => {
  const have = [40, 46, 52, 58, 64, 70, 76, 82, 88, 94];
  const mild = previewFromCounts({ counts: have }, { ratio: 4, maxPerClass: 40, seed: 3 }).counts;
  const steep = previewFromCounts({ counts: have }, { ratio: 10, maxPerClass: 40, seed: 3 }).counts;
  const big = new Set(sampleSplit(LABELS, mild, 3));
  const small = sampleSplit(LABELS, steep, 3);
  assert.ok(small.length < big.size);
  assert.ok(small.every((i) => big.has(i)));
});

test('asking a class for more than it has is refused', () => {
  assert.throws(() => sampleSplit(LABELS, [41, 1, 1, 1, 1, 1, 1, 1, 1, 1], 0), /class 0: 41 images wanted, 40 available/);
});

test('progress ends with every class done', () => {
  const seen: Progress[] = [];
  sampleSplit(LABELS, COUNTS, 0, (p) => seen.push(p));
  assert.ok(seen.length > 0);
  assert.deepEqual(seen.at(-1), { phase: 'sampling', done: 10, total: 10 });
});

const GOLDEN_FIRST_12 = [2, 3, 5, 10, 14, 16, 22, 26, 29, 35, 38, 41];
const GOLDEN_SHA256 = '16bc5d7ac8517879d4685e197e6d3e32c55cd3130b5cc6fbc49fd36161b01050';
