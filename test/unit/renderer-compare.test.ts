import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CompareRow } from '../../src-main/core/domain/contract';
import { curve, groupBars, normaliseRows, perClassPoints } from '../../src-renderer/lib/compare';
import { comparisonCsv, comparisonJson } from '../../src-renderer/lib/compare-export';
import { diffConfigs, flatten } from '../../src-renderer/lib/config-diff';
import { config, metrics, run, split } from './renderer-fixtures';

const ep = (epoch: number, loss: number, testAcc: number) => ({ epoch, loss, lr: 0.1, trainAcc: 0.5, testAcc, seconds: 1, imagesPerSec: 100 });

test('curves are per epoch in epoch order', () => {
  const r = run({ name: 'a', epochs: [ep(2, 0.8, 0.4), ep(1, 1.2, 0.3)] });
  assert.deepEqual(curve(r, 'loss'), [{ x: 1, y: 1.2 }, { x: 2, y: 0.8 }]);
  assert.deepEqual(curve(r, 'testAcc'), [{ x: 1, y: 0.3 }, { x: 2, y: 0.4 }]);
});

test('per-class points pair accuracy with the class training count, skipping unknowns', () => {
  const r = run({ name: 'a', metrics: metrics(0.5, 0.9, 0.5, 0.1, [0.9, null, 0.1, 0.4]) });
  const s = split([500, 100, 5, 0]);
  assert.deepEqual(perClassPoints(r, s), [{ x: 5, y: 0.1, cls: 2 }, { x: 500, y: 0.9, cls: 0 }]);
  assert.deepEqual(perClassPoints(run({ name: 'b' }), s), []);
});

test('confusion rows normalise to 1, empty rows stay 0', () => {
  assert.deepEqual(normaliseRows([[3, 1], [0, 0]]), [[0.75, 0.25], [0, 0]]);
});

const rows: CompareRow[] = [
  { run: 'bsce', method: 'bsce', model: 'mlp', params: '', epochs: 2, status: 'completed', top1: 0.6, many: 0.9, medium: 0.5, few: 0.2, ece: 0.1 },
  { run: 'dive', method: 'dive', model: 'mlp', params: 'T=3 p=0.5 alpha=0.5', epochs: 2, status: 'completed', top1: 0.65, many: 0.88, medium: null, few: 0.35, ece: 0.05 },
];

test('group bars are [overall, many, medium, few] per run', () => {
  assert.deepEqual(groupBars(rows), [{ run: 'bsce', values: [0.6, 0.9, 0.5, 0.2] }, { run: 'dive', values: [0.65, 0.88, null, 0.35] }]);
});

test('config diff flattens nested fields and marks differences', () => {
  assert.deepEqual(flatten({ a: 1, p: { tau: 3, x: null }, m: [60, 80] }), { a: '1', 'p.tau': '3', 'p.x': '—', m: '60, 80' });
  const d = diffConfigs([
    { method: 'bsce', epochs: 2, params: { tau: 3 } },
    { method: 'dive', epochs: 2, params: { tau: 3, power: 0.5 } },
  ]);
  assert.deepEqual(d, [
    { key: 'epochs', values: ['2', '2'], differs: false },
    { key: 'method', values: ['bsce', 'dive'], differs: true },
    { key: 'params.power', values: ['', '0.5'], differs: true },
    { key: 'params.tau', values: ['3', '3'], differs: false },
  ]);
});

test('comparison CSV: summary columns then the union of config fields; JSON holds everything', () => {
  const runs = [
    run({ name: 'bsce', method: 'bsce', config: config({ method: 'bsce', epochs: 2 }) }),
    run({ name: 'dive', method: 'dive', teacher: 'bsce', config: config({ method: 'dive', epochs: 2, params: { tau: 4 } }) }),
  ];
  const csv = comparisonCsv(runs, rows);
  const lines = csv.trimEnd().split('\r\n');
  const head = lines[0].split(',');
  assert.equal(head.slice(0, 14).join(','), 'run,status,method,model,split,dataset,teacher,params,epochs,top1,many,medium,few,ece');
  const configCols = head.slice(14);
  assert.deepEqual(configCols, [...configCols].sort(), 'config columns sorted');
  assert.ok(configCols.includes('config.params.tau') && configCols.includes('config.augment.crop'));
  const cell = (line: string, col: string) => line.split(',')[head.indexOf(col)];
  assert.equal(lines[1].split(',').slice(0, 14).join(','), 'bsce,completed,bsce,mlp,s,d,,,2,0.6,0.9,0.5,0.2,0.1');
  assert.equal(lines[2].split(',').slice(0, 14).join(','), 'dive,completed,dive,mlp,s,d,bsce,T=3 p=0.5 alpha=0.5,2,0.65,0.88,,0.35,0.05');
  assert.deepEqual([cell(lines[1], 'config.method'), cell(lines[1], 'config.params.tau')], ['bsce', '3']);
  assert.deepEqual([cell(lines[2], 'config.method'), cell(lines[2], 'config.params.tau'), cell(lines[2], 'config.epochs')], ['dive', '4', '2']);
  const json = JSON.parse(comparisonJson(runs, rows, '2026-01-01T00:00:00Z'));
  assert.equal(json.exportedAt, '2026-01-01T00:00:00Z');
  assert.deepEqual(json.summary, rows);
  assert.equal(json.runs[1].teacher, 'bsce');
});
