// The run page and Compare above 100 classes: the virtual table's window, search and sort; the
// per-class rows and columns; the sorted virtual-example curve; the post-hoc sweep's series.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PosthocSweep } from '../../src-main/core/domain/posthoc';
import { filterRows, rowWindow, sortRows } from '../../src-renderer/lib/large-table';
import { compareColumns, manyClassRows, RUN_COLUMNS, searchText, veCurveChart } from '../../src-renderer/lib/many-classes';
import { posthocChart, posthocSeries } from '../../src-renderer/lib/posthoc-chart';

const T = { many: 100, few: 20 };
const names = ['ant', 'bee', 'cat', 'dog'];
const rows = manyClassRows(names, [150, 50, 5, 50], T, [0.9, null, 0.1, 0.5], [0.8, 0.4, null, 0.5]);

test('only the rows in view (and a few more) are rendered, with spacers of the right height', () => {
  // 8,142 rows of 28 px in a 420 px viewport scrolled to row 1,000
  assert.deepEqual(rowWindow(28_000, 28, 420, 8142), { start: 992, end: 1023, top: 992 * 28, bottom: (8142 - 1023) * 28 });
  assert.deepEqual(rowWindow(0, 28, 420, 8142, 8), { start: 0, end: 23, top: 0, bottom: (8142 - 23) * 28 });
  assert.deepEqual(rowWindow(1e9, 28, 420, 100), { start: 100, end: 100, top: 2800, bottom: 0 });
  assert.deepEqual(rowWindow(0, 28, 420, 5), { start: 0, end: 5, top: 0, bottom: 0 });
});

test('search matches every word in the name or the class number; sort puts missing values last', () => {
  assert.deepEqual(filterRows(rows, 'a', searchText).map((r) => r.name), ['ant', 'cat']);
  assert.deepEqual(filterRows(rows, ' 3 ', searchText).map((r) => r.name), ['dog']);
  assert.deepEqual(filterRows(rows, 'DO 3', searchText).map((r) => r.name), ['dog']);
  assert.equal(filterRows(rows, '', searchText).length, 4);
  const acc = RUN_COLUMNS.find((c) => c.key === 'accuracy')!;
  assert.deepEqual(sortRows(rows, acc, 'desc', (r) => r.cls).map((r) => r.name), ['ant', 'dog', 'cat', 'bee']);
  assert.deepEqual(sortRows(rows, acc, 'asc', (r) => r.cls).map((r) => r.name), ['cat', 'dog', 'ant', 'bee']);
  const count = RUN_COLUMNS.find((c) => c.key === 'count')!;
  // ties (50, 50) by class index
  assert.deepEqual(sortRows(rows, count, 'desc', (r) => r.cls).map((r) => r.cls), [0, 1, 3, 2]);
  const group = RUN_COLUMNS.find((c) => c.key === 'group')!;
  assert.deepEqual(sortRows(rows, group, 'asc', (r) => r.cls).map((r) => r.group), ['many', 'medium', 'medium', 'few']);
});

test('rows carry the count, shot group, accuracy and precision; Compare has a column per run', () => {
  assert.deepEqual(rows[2], { cls: 2, name: 'cat', count: 5, group: 'few', accuracy: 0.1, precision: null });
  assert.deepEqual(RUN_COLUMNS.map((c) => c.show(rows[0])), ['0', 'ant', '150', 'Many-shot', '90.0%', '80.0%']);
  const cols = compareColumns([{ name: 'ce', metrics: { top1: 0, many: null, medium: null, few: null, ece: 0, perClass: [0.5, 0.25, null, 1] } }, { name: 'la', metrics: null }]);
  assert.deepEqual(cols.slice(4).map((c) => [c.label, c.value(rows[1]), c.show(rows[2])]), [['ce', 0.25, '—'], ['la', null, '—']]);
});

test('virtual examples above 100 classes are two curves over the classes sorted by n', () => {
  const ve = { run: 'r', tau: 3, power: 0.5, v: [10, 20, 30], counts: [5, 40, 1], flatness: {} as never };
  const c = veCurveChart(ve, ['a', 'b', 'c']);
  const [n, v] = c.data.datasets.map((d) => d.data as { x: number; y: number; cls: number }[]);
  assert.deepEqual(n.map((p) => [p.x, p.y, p.cls]), [[1, 40, 1], [2, 5, 0], [3, 1, 2]]);
  assert.deepEqual(v.map((p) => p.y), [20, 10, 30]);
});

test('the post-hoc sweep chart has test top-1 and the groups with classes in %, validation only where there is some, this run marked', () => {
  const s: PosthocSweep = {
    method: 'logit-adjust', param: 'laTau', chosen: 1, bestOnVal: null, note: 'n',
    points: [{ t: 0, top1: 0.5, many: 0.9, medium: null, few: 0.1, val: null }, { t: 1, top1: 0.6, many: 0.8, medium: null, few: 0.4, val: null }],
  };
  assert.deepEqual(posthocSeries(s, 'few'), [{ x: 0, y: 10 }, { x: 1, y: 40 }]);
  assert.deepEqual(posthocSeries(s, 'medium'), []);
  const labels = posthocChart(s, false).data.datasets.map((d) => d.label);
  assert.deepEqual(labels, ['top-1 (test)', 'many', 'few', 'this run: t = 1'], 'no medium-shot class: no medium line in the legend');
  assert.ok(posthocChart({ ...s, points: s.points.map((p) => ({ ...p, val: 0.5 })) }, true).data.datasets.some((d) => d.label === 'validation (balanced)'));
});
