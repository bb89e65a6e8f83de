import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cellValue, distinct, filterRuns, sortRuns, totalEpochs } from '../../src-renderer/lib/runs-table';
import { metrics, run } from './renderer-fixtures';

const runs = [
  run({ id: 1, name: 'bsce-a', method: 'bsce', split: 'lt100', metrics: metrics(0.6, 0.9, 0.5, 0.2), createdAt: '2026-01-01T00:00:01Z' }),
  run({ id: 2, name: 'dive-a', method: 'dive', split: 'lt100', metrics: metrics(0.65, 0.88, 0.6, 0.35), createdAt: '2026-01-01T00:00:03Z' }),
  run({ id: 3, name: 'ce-b', method: 'ce', split: 'lt10', status: 'running', metrics: null, createdAt: '2026-01-01T00:00:02Z' }),
  run({ id: 4, name: 'ce-c', method: 'ce', split: 'lt100', metrics: metrics(0.55, 0.95, 0.4, 0.1), createdAt: '2026-01-01T00:00:04Z' }),
];

test('sorting by a metric puts runs without metrics last in both directions', () => {
  assert.deepEqual(sortRuns(runs, 'top1', 'desc').map((r) => r.name), ['dive-a', 'bsce-a', 'ce-c', 'ce-b']);
  assert.deepEqual(sortRuns(runs, 'top1', 'asc').map((r) => r.name), ['ce-c', 'bsce-a', 'dive-a', 'ce-b']);
  assert.deepEqual(sortRuns(runs, 'few', 'desc').map((r) => r.name), ['dive-a', 'bsce-a', 'ce-c', 'ce-b']);
});

test('sorting by text and time', () => {
  assert.deepEqual(sortRuns(runs, 'name', 'asc').map((r) => r.name), ['bsce-a', 'ce-b', 'ce-c', 'dive-a']);
  assert.deepEqual(sortRuns(runs, 'created', 'desc').map((r) => r.id), [4, 2, 3, 1]);
  // numeric-aware: lt10 before lt100; equal keys keep the input order
  assert.deepEqual(sortRuns(runs, 'split', 'asc').map((r) => r.id), [3, 1, 2, 4]);
});

test('filtering by split, method, status and name text', () => {
  assert.deepEqual(filterRuns(runs, { split: 'lt100' }).map((r) => r.id), [1, 2, 4]);
  assert.deepEqual(filterRuns(runs, { split: 'lt100', method: 'ce' }).map((r) => r.id), [4]);
  assert.deepEqual(filterRuns(runs, { status: 'running' }).map((r) => r.id), [3]);
  assert.deepEqual(filterRuns(runs, { text: ' A ' }).map((r) => r.id), [1, 2]);
  assert.deepEqual(filterRuns(runs, {}).length, 4);
  assert.deepEqual(distinct(runs, (r) => r.method), ['bsce', 'ce', 'dive']);
});

test('cell values and total epochs', () => {
  assert.equal(cellValue(runs[1], 'medium'), 0.6);
  assert.equal(cellValue(runs[2], 'top1'), null);
  assert.equal(totalEpochs(runs[0]), 2);
});

test('the search box takes config conditions beside words: "lr<0.1 tau=3 dive"', async () => {
  const { filterRuns, parseQuery, cellValue } = await import('../../src-renderer/lib/runs-table');
  const { config, run } = await import('./renderer-fixtures');
  assert.deepEqual(parseQuery('lr<0.1 Tau=3 dive'), { conditions: [{ key: 'lr', op: '<', value: '0.1' }, { key: 'tau', op: '=', value: '3' }], words: ['dive'] });
  const a = run({ name: 'dive-a', method: 'dive', config: config({ method: 'dive', lr: 0.05, params: { tau: 3 } }) });
  const b = run({ name: 'dive-b', method: 'dive', config: config({ method: 'dive', lr: 0.2, params: { tau: 3 } }) });
  const c = run({ name: 'ce-c', method: 'ce', config: config({ method: 'ce', lr: 0.05 }) });
  assert.deepEqual(filterRuns([a, b, c], { text: 'lr<0.1' }).map((r) => r.name), ['dive-a', 'ce-c']);
  assert.deepEqual(filterRuns([a, b, c], { text: 'tau=3 lr>0.1' }).map((r) => r.name), ['dive-b']);
  assert.deepEqual(filterRuns([a, b, c], { text: 'dive lr=0.05' }).map((r) => r.name), ['dive-a']);
  assert.deepEqual(filterRuns([a, b, c], { text: 'method=DiVE' }).map((r) => r.name), ['dive-a', 'dive-b'], 'text values compare without case');
  // hyper-parameter columns: a method that does not read T shows none
  assert.equal(cellValue(a, 'tau'), 3);
  assert.equal(cellValue(c, 'tau'), null);
  assert.equal(cellValue(a, 'lr'), 0.05);
});
