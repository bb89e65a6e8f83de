// Timings of the split builder and the store (figures to read, not assertions).
// Run: node --import tsx test/bench/store-bench.ts
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FASHION_MNIST_DEFAULT_DIR } from '../../src-main/core/domain/import-schema';
import { importDataset } from '../../src-main/core/data/import';
import { Rng } from '../../src-main/core/rng';
import { previewFromCounts, previewFromLabels } from '../../src-main/core/splits/preview';
import { sampleSplit } from '../../src-main/core/splits/sample';
import { commitDataset } from '../../src-main/core/store/datasets';
import { RecordWriter, Staging } from '../../src-main/core/store/files';
import { int32ToBlob } from '../../src-main/core/store/int32-blob';
import { createSplit, previewSplit } from '../../src-main/core/store/splits';
import { openStore, type Store } from '../../src-main/core/store/store';
import { benchManyClassRuns } from './many-class-runs-bench';
import { benchRunListing } from './run-list-bench';

/** iNaturalist 2018's training set: 437,513 images in 8,142 classes, at most 1,000 per class. */
const INAT = { images: 437_513, classes: 8_142, max: 1000, min: 2 };

/**
 * A long-tailed count vector of iNaturalist's size: a shifted Zipf curve
 * n(r) = max * ((r + 100) / 100)^-a, a found by bisection so the total is right. With the shift
 * of 100 it has 886 / 4,057 / 3,199 many / medium / few classes (about 11% / 50% / 39%, in line
 * with what papers report for iNaturalist 2018); the rounding remainder is spread over the tail.
 */
function inatLikeCounts(): number[] {
  const { images, classes: C, max, min } = INAT;
  const shape = (a: number) => Array.from({ length: C }, (_, r) => Math.max(min, Math.round(max * ((r + 100) / 100) ** -a)));
  const total = (a: number) => shape(a).reduce((s, x) => s + x, 0);
  let lo = 0.01;
  let hi = 10;
  for (let k = 0; k < 60; k++) {
    const mid = (lo + hi) / 2;
    if (total(mid) > images) lo = mid; // a steeper curve has fewer images
    else hi = mid;
  }
  const counts = shape(hi);
  let rest = images - counts.reduce((s, x) => s + x, 0);
  for (let r = C - 1; rest !== 0; r = r === 1 ? C - 1 : r - 1) {
    const step = Math.sign(rest);
    if (counts[r] + step >= min && counts[r] + step <= max) {
      counts[r] += step;
      rest -= step;
    }
  }
  return counts;
}

function labelsOf(counts: number[]): Int32Array {
  const labels = new Int32Array(counts.reduce((s, x) => s + x, 0));
  let k = 0;
  counts.forEach((n, c) => labels.fill(c, k, (k += n)));
  return new Rng(2018).shuffle(labels);
}

interface Timing {
  name: string;
  runs: number;
  median: number;
  min: number;
  p90: number;
}

function time(name: string, runs: number, fn: (i: number) => unknown): Timing {
  for (let i = 0; i < Math.min(5, runs); i++) fn(-1 - i); // warm-up (JIT)
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn(i);
    ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  return { name, runs, median: ms[Math.floor(runs / 2)], min: ms[0], p90: ms[Math.floor(runs * 0.9)] };
}

function print(rows: Timing[]): void {
  const w = Math.max(...rows.map((r) => r.name.length));
  console.log(`${'what'.padEnd(w)}  runs   median ms      min ms      p90 ms`);
  for (const r of rows) {
    console.log(`${r.name.padEnd(w)}  ${String(r.runs).padStart(4)}  ${r.median.toFixed(3).padStart(10)}  ${r.min.toFixed(3).padStart(10)}  ${r.p90.toFixed(3).padStart(10)}`);
  }
}

/** Split preview and sampling without the database. */
function benchSplitCore(counts: number[], labels: Int32Array): Timing[] {
  const C = counts.length;
  // a valid split of this long-tailed source: rho 1, n_max = the default (smallest class)
  const params = { ratio: 1 };
  const plan = previewFromCounts({ counts }, params);
  return [
    // the slider: ratio changes on every call, like a drag
    time('preview from counts, exp, label order', 200, (i) => previewFromCounts({ counts }, { ratio: 1 + Math.abs(i) / 1000, maxPerClass: 2 })),
    time('preview from counts, step, shuffled order', 200, (i) => previewFromCounts({ counts }, { ratio: 1 + Math.abs(i) / 1000, maxPerClass: 2, profile: 'step', classOrder: 'shuffle', seed: 3 })),
    time('preview from labels (437,513)', 200, (i) => previewFromLabels(labels, C, { ratio: 1 + Math.abs(i) / 1000, maxPerClass: 2 })),
    time(`sample the split (${plan.total} of 437,513)`, 20, () => sampleSplit(labels, plan.counts, 0)),
    time('sample keeping every image', 20, () => sampleSplit(labels, counts, 0)),
    time('createSplit without DB: labels -> plan -> sample -> blob', 20, () => int32ToBlob(sampleSplit(labels, previewFromLabels(labels, C, params).counts, 0))),
  ];
}

/** A store holding an iNaturalist-sized dataset of 1x1 grey images, so only the split work costs. */
function inatStore(dir: string, labels: Int32Array, C: number): Store {
  const store = openStore({ db: join(dir, 'dive.sqlite'), dataDir: join(dir, 'data') });
  const staging = new Staging(store.dataDir);
  const part = (l: Int32Array, file: string) => {
    const w = new RecordWriter(staging.path(file), 1);
    w.append(new Uint8Array(l.length));
    return { pixels: w.close(), labels: l };
  };
  commitDataset(store, 'inat-like', staging, {
    format: 'inat',
    source: { generated: true },
    imageShape: [1, 1, 1],
    classNames: Array.from({ length: C }, (_, c) => `species ${c}`),
    train: part(labels, 'train.u8'),
    test: part(Int32Array.from({ length: C * 3 }, (_, i) => i % C), 'test.u8'),
  });
  return store;
}

function benchSplitStore(counts: number[], labels: Int32Array): Timing[] {
  const dir = mkdtempSync(join(tmpdir(), 'dive-bench-'));
  try {
    const store = inatStore(dir, labels, counts.length);
    const rows = [
      time('store previewSplit (reads 8,142 class rows)', 200, (i) => previewSplit(store, { dataset: 'inat-like', ratio: 1 + Math.abs(i) / 1000, maxPerClass: 2 })),
      time('store createSplit (default split, one transaction)', 10, (i) => createSplit(store, { dataset: 'inat-like', name: `s${i}`, ratio: 1 })),
    ];
    store.close();
    return rows;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Imports Debian's Fashion-MNIST (gunzip, decode, write, checksum, commit) into fresh stores. */
async function benchFashionMnistImport(runs = 5): Promise<Timing[]> {
  if (!existsSync(FASHION_MNIST_DEFAULT_DIR)) {
    console.log(`(Fashion-MNIST import skipped: ${FASHION_MNIST_DEFAULT_DIR} is missing; apt-get install dataset-fashion-mnist)\n`);
    return [];
  }
  const ms: number[] = [];
  for (let i = 0; i < runs + 1; i++) {
    const dir = mkdtempSync(join(tmpdir(), 'dive-bench-fm-'));
    const store = openStore({ db: join(dir, 'dive.sqlite'), dataDir: join(dir, 'data') });
    try {
      const t0 = performance.now();
      await importDataset(store, { format: 'fashion-mnist' });
      if (i > 0) ms.push(performance.now() - t0); // the first run warms the JIT and the page cache
    } finally {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }
  ms.sort((a, b) => a - b);
  return [{ name: 'import fashion-mnist (70,000 images, 28x28x1)', runs, median: ms[ms.length >> 1], min: ms[0], p90: ms[Math.min(ms.length - 1, Math.floor(ms.length * 0.9))] }];
}

async function main(): Promise<void> {
  const counts = inatLikeCounts();
  const labels = labelsOf(counts);
  const sorted = [...counts].sort((a, b) => a - b);
  console.log(
    `iNaturalist-sized labels: ${labels.length} images, ${counts.length} classes, ` +
      `max ${sorted.at(-1)}, median ${sorted[counts.length >> 1]}, min ${sorted[0]}, ` +
      `many / medium / few: ${counts.filter((n) => n > 100).length} / ${counts.filter((n) => n >= 20 && n <= 100).length} / ${counts.filter((n) => n < 20).length}; ` +
      `node ${process.version}\n`,
  );
  print([...(await benchFashionMnistImport()), ...benchSplitCore(counts, labels), ...benchSplitStore(counts, labels)]);
  benchRunListing();
  benchManyClassRuns();
}

await main();
