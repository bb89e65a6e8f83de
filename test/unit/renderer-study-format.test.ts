import { test } from 'node:test';
import assert from 'node:assert/strict';
import { intervalExcludesZero, meanStd, pairedText } from '../../src-renderer/lib/study-format';

const diff = (mean: number | null, lo: number | null, hi: number | null, n: number) => ({ n, mean, std: null, lo, hi, p: null, method: 'paired-t' as const });

test('mean ± std in points, one decimal', () => {
  assert.equal(meanStd({ n: 3, mean: 0.7123, std: 0.0041 }), '71.2 ± 0.4');
  assert.equal(meanStd({ n: 1, mean: 0.5, std: null }), '50.0');
  assert.equal(meanStd({ n: 0, mean: null, std: null }), '—');
});

test('a paired difference reads as the issue writes it', () => {
  assert.equal(pairedText(diff(0.004, -0.008, 0.016, 3)), '+0.4 [-0.8, +1.6], n = 3');
  assert.equal(pairedText(diff(-0.02, null, null, 1)), '-2.0, n = 1');
  assert.equal(pairedText(diff(null, null, null, 0)), '—, n = 0');
});

test('an interval that excludes zero is marked, one that straddles it is not', () => {
  assert.equal(intervalExcludesZero(diff(0.01, 0.002, 0.02, 3)), true);
  assert.equal(intervalExcludesZero(diff(0.004, -0.008, 0.016, 3)), false);
  assert.equal(intervalExcludesZero(diff(0.01, null, null, 1)), false);
});
