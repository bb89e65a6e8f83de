// Runs of many classes in the store (issue 25): what one costs on disk (per-class results in the
// metrics JSON, the confusion matrix as its non-zero cells) and how fast runs of ImageNet-LT's
// 1,000 and iNaturalist's 8,142 classes are listed and opened (getRun: what the run page and
// Compare fetch, JSON included). Beside them, as the reference, a 1,000-class run stored as before
// issue 25 (a dense matrix inside the metrics JSON). Part of `npm run bench`; figures to read.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConfusionCell } from '../../src-main/core/domain/many-classes';
import { parseRunConfig } from '../../src-main/core/domain/run-config';
import type { RunMetrics } from '../../src-main/core/domain/types';
import { Rng } from '../../src-main/core/rng';
import { commitDataset } from '../../src-main/core/store/datasets';
import { RecordWriter, Staging } from '../../src-main/core/store/files';
import { getRun, insertRun, listRuns, markCompleted, runDir } from '../../src-main/core/store/runs';
import { createSplit } from '../../src-main/core/store/splits';
import { openStore, type Store } from '../../src-main/core/store/store';
import { measure as timed } from './run-list-bench';

const measure = (runs: number, fn: () => unknown) => timed('', runs, fn);

/** runs stored per class count: enough to list, small enough to build in seconds */
const RUNS = 100;

function dataset(store: Store, name: string, C: number, testPerClass: number): void {
  const staging = new Staging(store.dataDir);
  const part = (labels: Int32Array, file: string) => {
    const w = new RecordWriter(staging.path(file), 1);
    w.append(new Uint8Array(labels.length));
    return { pixels: w.close(), labels };
  };
  const train = Int32Array.from({ length: C * 3 }, (_, i) => i % C);
  const test = Int32Array.from({ length: C * testPerClass }, (_, i) => i % C);
  commitDataset(store, name, staging, { format: 'folder', source: {}, imageShape: [1, 1, 1], classNames: Array.from({ length: C }, (_, c) => `species ${c}`), train: part(train, 'train.u8'), test: part(test, 'test.u8') });
  createSplit(store, { dataset: name, name, profile: 'natural' });
}

/** A model's test results: about 40% right, the rest spread over a few confusable classes each. */
function results(C: number, testPerClass: number, rng: Rng): RunMetrics {
  const cells = new Map<number, number>();
  for (let t = 0; t < C; t++) {
    for (let k = 0; k < testPerClass; k++) {
      const p = rng.float() < 0.4 ? t : (t + 1 + rng.int(0, 4)) % C;
      cells.set(t * C + p, (cells.get(t * C + p) ?? 0) + 1);
    }
  }
  const confusionCells = [...cells.entries()].sort((a, b) => a[0] - b[0]).map(([k, n]): ConfusionCell => [Math.floor(k / C), k % C, n]);
  const perClass = Array.from({ length: C }, (_, t) => (cells.get(t * C + t) ?? 0) / testPerClass);
  return { top1: 0.4, many: 0.5, medium: 0.4, few: 0.3, ece: 0.1, perClass, confusionCells, epoch: 30 };
}

/** Prints its own table. */
export function benchManyClassRuns(): void {
  const dir = mkdtempSync(join(tmpdir(), 'dive-bench-many-'));
  try {
    const store = openStore({ db: join(dir, 'dive.sqlite'), dataDir: join(dir, 'data') });
    const rng = new Rng(7);
    const cfg = parseRunConfig({ method: 'ce', model: 'resnet32', epochs: 30 });
    // ImageNet-LT: 1,000 classes, 50 test images each; iNaturalist 2018: 8,142 classes, 3 each (24,426)
    const shapes = [['imagenet-lt-like', 1000, 50], ['inat-like', 8142, 3]] as const;
    const lines: string[][] = [];
    for (const [name, C, perClass] of shapes) {
      dataset(store, name, C, perClass);
      const splitId = store.db.prepare('SELECT id FROM splits WHERE name = ?').pluck().get(name) as number;
      const metrics = results(C, perClass, rng);
      for (let i = 0; i < RUNS; i++) {
        const id = insertRun(store, { name: `${name}-${i}`, splitId, teacherId: null, method: 'ce', model: 'resnet32', config: cfg });
        markCompleted(store, id, { metrics, imagesPerSecond: 100, weights: { path: join(runDir(store, id), 'weights.bin'), bytes: 1, sha256: 'ab' } });
      }
      const id = store.db.prepare('SELECT id FROM runs WHERE name = ?').pluck().get(`${name}-0`) as number;
      const json = (store.db.prepare('SELECT length(metrics) FROM runs WHERE id = ?').pluck().get(id) as number);
      const cells = (store.db.prepare('SELECT length(cells) FROM run_confusion WHERE run_id = ?').pluck().get(id) as number);
      const open = measure(21, () => JSON.stringify(getRun(store, `${name}-0`)));
      const answer = JSON.stringify(getRun(store, `${name}-0`)).length;
      const withCells = measure(11, () => JSON.stringify(getRun(store, `${name}-0`, { cells: true })));
      lines.push([`${C.toLocaleString('en')} classes, ${(C * perClass).toLocaleString('en')} test images`, `${(json / 1024).toFixed(0)} KB`, `${(cells / 1024).toFixed(0)} KB (${(cells / 12).toLocaleString('en')} cells)`, `${((C * C * 4) / 2 ** 20).toFixed(1)} MB`, `${open.wall.toFixed(1)} / ${open.cpu.toFixed(1)}`, `${(answer / 1024).toFixed(0)} KB`, `${withCells.wall.toFixed(1)} / ${withCells.cpu.toFixed(1)}`]);
    }
    const listing = measure(11, () => JSON.stringify(listRuns(store)));

    // the reference: a 1,000-class run as stored before issue 25, its dense matrix in the JSON
    const [, C, perClass] = shapes[0];
    const m = results(C, perClass, rng);
    const dense = Array.from({ length: C }, () => new Array<number>(C).fill(0));
    for (const [t, p, n] of m.confusionCells!) dense[t][p] = n;
    const id = insertRun(store, { name: 'legacy', splitId: 1, teacherId: null, method: 'ce', model: 'resnet32', config: cfg });
    markCompleted(store, id, { metrics: { ...m, confusionCells: undefined }, imagesPerSecond: 100, weights: { path: join(runDir(store, id), 'weights.bin'), bytes: 1, sha256: 'ab' } });
    const legacyJson = JSON.stringify({ ...m, confusionCells: undefined, confusion: dense });
    store.db.prepare('DELETE FROM run_confusion WHERE run_id = ?').run(id);
    store.db.prepare('UPDATE runs SET metrics = ? WHERE id = ?').run(legacyJson, id);
    const legacy = measure(11, () => JSON.stringify(getRun(store, 'legacy')));
    store.close();

    const head = ['runs of', 'metrics JSON', 'confusion cells', 'dense int32 would be', 'getRun + JSON ms (wall / CPU)', 'answer', 'with every cell ms'];
    const rows = [...lines, ['1,000 classes stored as before (dense matrix in the JSON)', `${(legacyJson.length / 1024).toFixed(0)} KB`, '-', '-', `${legacy.wall.toFixed(1)} / ${legacy.cpu.toFixed(1)}`, '-', '-']];
    const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    const line = (c: string[]) => c.map((x, i) => (i ? x.padStart(w[i]) : x.padEnd(w[i]))).join('  ');
    console.log(`\n${line(head)}\n${w.map((n) => '-'.repeat(n)).join('  ')}\n${rows.map(line).join('\n')}`);
    console.log(`listing all ${2 * RUNS + 1} of these runs (listRuns + JSON): ${listing.wall.toFixed(1)} ms wall, ${listing.cpu.toFixed(1)} ms CPU (median of 11)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
