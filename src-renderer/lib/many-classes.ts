// The run page and Compare above CLASS_MATRIX_MAX classes: the per-class rows (accuracy, precision
// from the stored summary instead of the full matrix), the columns of the run's table and of
// Compare's (one accuracy column per run), and the virtual examples as a sorted curve.
import type { ChartConfiguration } from 'chart.js';
import type { RunInfo, ShotGroup, ShotThresholds, VirtualExamplesInfo } from '../../src-main/core/domain/types';
import { int, pct } from './format';
import { GROUP_LABEL, groupOf } from './groups';
import { orderByCount } from './histogram';
import type { LargeColumn } from './large-table';
import type { ClassRow } from './run-page';
import { alpha, seriesColour } from './palette';

/** A per-class row without recall and support (the stored summary has no full matrix to give them). */
export type ManyClassRow = Pick<ClassRow, 'cls' | 'name' | 'count' | 'group' | 'accuracy' | 'precision'>;

const GROUP_RANK: Record<ShotGroup, number> = { many: 0, medium: 1, few: 2 };

export function manyClassRows(names: readonly string[], counts: readonly number[], t: ShotThresholds, perClass: readonly (number | null)[], precision: readonly (number | null)[] = []): ManyClassRow[] {
  return counts.map((count, c) => ({ cls: c, name: names[c] ?? String(c), count, group: groupOf(count, t), accuracy: perClass[c] ?? null, precision: precision[c] ?? null }));
}

/** "class-00042 42": what the search box matches (the name and the class index). */
export const searchText = (r: { cls: number; name: string }): string => `${r.name} ${r.cls}`;

const base: LargeColumn<ManyClassRow>[] = [
  { key: 'cls', label: '#', numeric: true, value: (r) => r.cls, show: (r) => String(r.cls) },
  { key: 'name', label: 'Class', numeric: false, value: (r) => r.name, show: (r) => r.name },
  { key: 'count', label: 'Train images', numeric: true, value: (r) => r.count, show: (r) => int(r.count) },
  { key: 'group', label: 'Shot group', numeric: false, value: (r) => GROUP_RANK[r.group], show: (r) => GROUP_LABEL[r.group] },
];

/** The run page's columns: accuracy (recall on the balanced test set) and precision. */
export const RUN_COLUMNS: LargeColumn<ManyClassRow>[] = [
  ...base,
  { key: 'accuracy', label: 'Accuracy', numeric: true, value: (r) => r.accuracy, show: (r) => pct(r.accuracy) },
  { key: 'precision', label: 'Precision', numeric: true, value: (r) => r.precision, show: (r) => pct(r.precision) },
];

/** Compare's columns: each run's accuracy on the class. */
export function compareColumns(runs: readonly Pick<RunInfo, 'name' | 'metrics'>[]): LargeColumn<ManyClassRow>[] {
  return [
    ...base,
    ...runs.map((r, i): LargeColumn<ManyClassRow> => ({
      key: `run${i}`,
      label: r.name,
      numeric: true,
      value: (row) => r.metrics?.perClass[row.cls] ?? null,
      show: (row) => pct(r.metrics?.perClass[row.cls] ?? null),
    })),
  ];
}

/** V and n per class as two curves over the classes sorted by n (a bar per class is unreadable past a hundred). */
export function veCurveChart(ve: VirtualExamplesInfo, names: readonly string[]): ChartConfiguration {
  const order = orderByCount(ve.counts);
  const pts = (values: readonly number[]) => order.map((c, i) => ({ x: i + 1, y: values[c], cls: c }));
  const line = (label: string, data: { x: number; y: number }[], colour: string, fill: boolean) => ({ label, data, borderColor: colour, backgroundColor: alpha(colour, 0.25), fill, pointRadius: 0, pointHitRadius: 4, borderWidth: 1.5 });
  return {
    type: 'line',
    data: { datasets: [line('input n (training images)', pts(ve.counts), '#8b90a0', true), line(`virtual examples V (T=${ve.tau}, p=${ve.power})`, pts(ve.v), seriesColour(0), false)] },
    options: {
      parsing: false,
      normalized: true,
      interaction: { mode: 'nearest', axis: 'x', intersect: false },
      scales: { x: { type: 'linear', min: 1, max: ve.counts.length, title: { display: true, text: `classes sorted by n (${ve.counts.length.toLocaleString('en-US')})` } }, y: { type: 'logarithmic', title: { display: true, text: 'examples (log scale)' } } },
      plugins: { tooltip: { callbacks: { title: (items) => { const p = items[0]?.raw as { cls: number } | undefined; return p ? (names[p.cls] ?? String(p.cls)) : ''; } } } },
    },
  };
}
