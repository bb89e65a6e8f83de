// Curves drawn as logged (lib/curves.ts) and Compare's exports (lib/compare-export.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { displayCurve, drawnAsLogged, metricTitle, ranges, sampledEpochs, testPointsNote } from '../../src-renderer/lib/curves';
import { comparisonCsv, fixed, historyCsv, perClassCsv, significant } from '../../src-renderer/lib/compare-export';
import { drawnRange } from '../../src-renderer/lib/chart-drawn';
import { config, metrics, run, split } from './renderer-fixtures';

const ep = (epoch: number, testAcc: number | null, testImages: number | null = null, lr = 0.1) => ({ epoch, loss: 1.23456789, lr, trainAcc: 0.5, testAcc, testImages, seconds: 1.23456, imagesPerSec: 987.654 });

test('accuracies are drawn in percent, the rest as logged; straight segments, the lr stepped', () => {
  const r = run({ name: 'a', epochs: [ep(2, 0.4, 10000), ep(1, 0.305, 1000)] });
  assert.deepEqual(displayCurve(r, 'testAcc'), [{ x: 1, y: 30.5 }, { x: 2, y: 40 }]);
  assert.deepEqual(displayCurve(r, 'lr'), [{ x: 1, y: 0.1 }, { x: 2, y: 0.1 }]);
  assert.deepEqual(drawnAsLogged('loss'), { tension: 0, cubicInterpolationMode: 'default', stepped: false });
  assert.equal(drawnAsLogged('lr').stepped, 'after');
  assert.equal(metricTitle('testAcc'), 'test accuracy (%)');
});

test('the test points note: one epoch only, or the epochs tested on the sample', () => {
  assert.equal(testPointsNote([ep(1, null), ep(2, null), ep(3, 0.7, 10000)], 10000), 'tested at epoch 3 only');
  const sampled = [ep(1, 0.3, 1158), ep(2, 0.4, 1158), ep(3, 0.5, 1158), ep(4, 0.55, 1158), ep(5, 0.6, 10000)];
  assert.equal(testPointsNote(sampled, 10000), 'epochs 1–4 tested on a fixed sample of 1,158 of the 10,000 test images (hollow points); epoch 5 on all of them');
  assert.deepEqual(sampledEpochs(sampled, 10000).map((e) => e.epoch), [1, 2, 3, 4]);
  // a run still training (no full evaluation yet) knows its sample from the dataset's test size
  assert.deepEqual(sampledEpochs(sampled.slice(0, 2), 10000).map((e) => e.epoch), [1, 2]);
  assert.match(testPointsNote(sampled.slice(0, 2), 10000)!, /^epochs 1–2 tested on .+; the last epoch will be on all of them$/);
  // every epoch on the whole set, or runs recorded before test images were kept: no note
  assert.equal(testPointsNote([ep(1, 0.3, 10000), ep(2, 0.4, 10000)], 10000), null);
  assert.equal(testPointsNote([ep(1, 0.3), ep(2, 0.4)], 10000), null);
  assert.equal(ranges([1, 2, 3, 5, 7, 8]), '1–3, 5, 7–8');
  assert.equal(testPointsNote([ep(1, 0.3, 1850), ep(2, 0.4, 10000)], 10000), 'epoch 1 tested on a fixed sample of 1,850 of the 10,000 test images (hollow points); epoch 2 on all of them');
});

test('the drawn range of a line', () => {
  assert.deepEqual(drawnRange([0.1, 0.05, Number.NaN, 0.1]), { min: 0.05, max: 0.1, points: 3 });
  assert.deepEqual(drawnRange([]), { min: null, max: null, points: 0 });
});

test('rounding for exports: decimals and significant digits, empty for missing', () => {
  assert.equal(fixed(0.778649, 4), 0.7786);
  assert.equal(fixed(null, 4), null);
  assert.equal(significant(1.2345678e-5), 0.0000123457);
  assert.equal(significant(Number.NaN), null);
});

test('history CSV: long format, one row per run and epoch, empty cells where nothing was logged', () => {
  const r = run({ name: 'a', seed: 1, epochs: [ep(2, 0.41234567, 10000), ep(1, null)] });
  const lines = historyCsv([r]).trimEnd().split('\r\n');
  assert.equal(lines[0], 'run,method,split,seed,epoch,loss,lr,train_acc,test_acc,test_images,val_acc,seconds,images_per_sec');
  assert.equal(lines[1], 'a,ce,s,1,1,1.23457,0.1,0.5,,,,1.235,987.7');
  assert.equal(lines[2], 'a,ce,s,1,2,1.23457,0.1,0.5,0.4123,10000,,1.235,987.7');
  assert.ok(!historyCsv([r]).includes('—'));
});

test('per-class CSV: one row per run and class with its training count and shot group', () => {
  const r = run({ name: 'a', metrics: metrics(0.5, 0.9, 0.5, 0.1, [0.91234, null, 0.1]) });
  const lines = perClassCsv([r], () => split([500, 50, 5]), () => ['shirt', 'bag', '=cmd']).trimEnd().split('\r\n');
  assert.equal(lines[0], 'run,method,split,seed,class_index,class,train_images,shot_group,test_accuracy');
  assert.deepEqual(lines.slice(1), ['a,ce,s,0,0,shirt,500,many,0.9123', 'a,ce,s,0,1,bag,50,medium,', "a,ce,s,0,2,'=cmd,5,few,0.1"]);
});

test('summary CSV: empty cells for missing values and null config fields, figures rounded', () => {
  const r = run({ name: 'a', config: config({ method: 'ce', epochs: 2 }) });
  const csv = comparisonCsv([r], [{ run: 'a', method: 'ce', model: 'mlp', params: '', epochs: 2, status: 'completed', top1: 0.123456, many: null, medium: 0.5, few: 0.25, ece: 0.0312345 }]);
  const [head, row] = csv.trimEnd().split('\r\n');
  const cell = (k: string) => row.split(',')[head.split(',').indexOf(k)];
  assert.deepEqual(['top1', 'many', 'ece', 'params', 'teacher'].map(cell), ['0.1235', '', '0.0312', '', '']);
  // config.teacher and config.threads are null in the stored config: empty, not a dash
  assert.equal(cell('config.threads'), '');
  assert.ok(!csv.includes('—'));
});
