import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CompareRow } from '../../src-main/core/domain/types';
import { bestPerColumn, splitsOf } from '../../src-renderer/lib/compare-best';

const row = (run: string, top1: number | null, few: number | null, ece: number | null): CompareRow => ({ run, method: 'ce', model: 'mlp', params: '', epochs: 2, status: 'completed', top1, many: null, medium: null, few, ece });

test('the best of each column is the highest accuracy and the lowest ECE, ties all marked', () => {
  const b = bestPerColumn([row('a', 0.7, 0.2, 0.05), row('b', 0.72, 0.2, 0.08), row('c', null, 0.1, 0.03)]);
  assert.deepEqual(b.top1, ['b']);
  assert.deepEqual(b.few, ['a', 'b']);
  assert.deepEqual(b.ece, ['c']);
  assert.deepEqual(b.many, [], 'no values, no mark');
});

test('a single run has nothing to be best against', () => {
  assert.deepEqual(bestPerColumn([row('a', 0.7, 0.2, 0.05)]).top1, []);
});

test('runs are grouped by split in first-seen order', () => {
  assert.deepEqual(splitsOf([{ name: 'a', split: 'x' }, { name: 'b', split: 'y' }, { name: 'c', split: 'x' }]), [{ split: 'x', runs: ['a', 'c'] }, { split: 'y', runs: ['b'] }]);
});
