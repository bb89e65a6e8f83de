// The runs search's metric conditions (lib/run-query.ts): % or fractions, read back, unknown keys named.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { accuracyValue, explainQuery, parseQuery } from '../../src-renderer/lib/run-query';
import { filterRuns } from '../../src-renderer/lib/runs-table';
import { metrics, run } from './renderer-fixtures';

const runs = [
  run({ id: 1, name: 'bsce-a', method: 'bsce', metrics: metrics(0.6, 0.9, 0.5, 0.2) }),
  run({ id: 2, name: 'dive-a', method: 'dive', metrics: metrics(0.65, 0.88, 0.6, 0.35) }),
  run({ id: 3, name: 'ce-b', method: 'ce', status: 'running', metrics: null }),
  run({ id: 4, name: 'ce-c', method: 'ce', metrics: metrics(0.7786, 0.95, 0.4, 0.1) }),
];
const names = (text: string) => filterRuns(runs, { text }).map((r) => r.name);

test('accuracy values: % as the table shows them, or fractions of 1', () => {
  assert.equal(accuracyValue('50'), 0.5);
  assert.equal(accuracyValue('50%'), 0.5);
  assert.equal(accuracyValue('0.5'), 0.5);
  assert.equal(accuracyValue('0.5%'), 0.005);
  assert.equal(accuracyValue('1'), 1, 'at most 1 without %: a fraction');
  assert.equal(accuracyValue('abc'), null);
});

test('metric conditions filter on the final figures; runs without metrics never match', () => {
  assert.deepEqual(names('top1>0.62'), ['dive-a', 'ce-c']);
  assert.deepEqual(names('top1>62'), ['dive-a', 'ce-c']);
  assert.deepEqual(names('top1>62%'), ['dive-a', 'ce-c']);
  assert.deepEqual(names('few>=0.3'), ['dive-a']);
  assert.deepEqual(names('few>=20 many<=90'), ['bsce-a', 'dive-a']);
  assert.deepEqual(names('top1=77.86'), ['ce-c'], 'equal to the shown 77.86%');
  assert.deepEqual(names('method!=ce'), ['bsce-a', 'dive-a']);
  assert.deepEqual(parseQuery('few>=0.3 top1!=50').conditions, [{ key: 'few', op: '>=', value: '0.3' }, { key: 'top1', op: '!=', value: '50' }]);
});

test('each condition is read back, and an unknown key or a non-number says so', () => {
  assert.deepEqual(explainQuery('top1>0.5 few>=30% lr<0.1 dive'), { read: ['top-1 > 50%', 'few ≥ 30%', 'lr < 0.1'], problems: [] });
  const bad = explainQuery('top>50 few>=lots lr<high');
  assert.deepEqual(bad.read, []);
  assert.match(bad.problems[0], /^unknown key "top": use top1, many, medium, few/);
  assert.match(bad.problems[1], /^few>=lots: few takes a number/);
  assert.match(bad.problems[2], /^lr<high: < compares numbers/);
  assert.deepEqual(explainQuery('tau=3').read, ['tau = 3'], 'a dotted path answers by its last part');
});
