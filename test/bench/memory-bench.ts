// Memory over a real training run: trainRun() (the app's loop: batch assembly, augmentation,
// evaluation and checkpoint snapshots every epoch) on a seeded synthetic CIFAR-sized long-tailed
// split, with per-epoch figures for throughput, RSS, live tensors and the wasm heap. Figures to
// read, not assertions: a leak shows as tensors or peak RSS climbing epoch after epoch.
// Run: npm run bench:memory -- [--model resnet32] [--images 2000] [--test 500] [--epochs 4]
//        [--batch 128] [--backend wasm] [--threads N]
//      npm run bench:memory -- --case stream [--budget-mb 512] [--pixels-mb 1024] [--classes 1000]
//        [--size 32] [--model mlp] [--compare gather]   (memory-stream.ts: pixels larger than memory)
//
// Default size: the wasm backend trains ResNet-32 at roughly 40 img/s on the 2-core development
// VM, so 2000 training images x 4 epochs (plus 500 test images evaluated per epoch) take about
// four minutes there. Epoch 1 includes the one-off warm-up (kernel set-up, heap growth); growth
// after it is what matters.
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import type { EpochRecord } from '../../src-main/core/domain/types';
import { UserError } from '../../src-main/core/domain/errors';
import { Rng } from '../../src-main/core/rng';
import { shotGroups } from '../../src-main/core/splits/stats';
import { DEFAULT_THRESHOLDS } from '../../src-main/core/domain/split-schema';
import { BACKENDS, selectBackend, type BackendName } from '../../src-main/core/train/backend';
import { MODELS, parseRunConfig, type ModelKind } from '../../src-main/core/domain/run-config';
import { trainRun, type TrainData } from '../../src-main/core/train/loop';

const SHAPE: [number, number, number] = [32, 32, 3];
const CLASSES = 10;
/** CIFAR-10-LT's imbalance ratio (largest class / smallest class) */
const IMBALANCE = 100;
const MB = 1024 * 1024;

interface Row {
  epoch: number;
  seconds: number;
  trainIps: number;
  loss: number;
  rssMb: number;
  peakRssMb: number;
  tensors: number;
  tensorMb: number;
  wasmHeapMb: number | null;
}

function positiveInt(name: string, v: string | undefined): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new UserError(`--${name}: must be a whole number >= 1, got '${v}'`);
  return n;
}

/** Exponential profile n_k = n_0 * IMBALANCE^(-k / (C - 1)), scaled to about `total` images, at least 1 each. */
function longTailCounts(total: number, classes: number, imbalance: number): number[] {
  const w = Array.from({ length: classes }, (_, k) => imbalance ** (-k / Math.max(classes - 1, 1)));
  const sum = w.reduce((a, b) => a + b, 0);
  return w.map((x) => Math.max(1, Math.round((total * x) / sum)));
}

/** Images of class k: a per-class colour plus uniform noise, so the model has something to learn. */
function images(counts: number[], colours: number[][], rng: Rng): { pixels: Uint8Array; labels: Int32Array } {
  const px = SHAPE[0] * SHAPE[1];
  const n = counts.reduce((a, b) => a + b, 0);
  const pixels = new Uint8Array(n * px * 3);
  const labels = new Int32Array(n);
  let i = 0;
  counts.forEach((count, k) => {
    for (let c = 0; c < count; c++, i++) {
      labels[i] = k;
      for (let p = 0; p < px; p++) {
        for (let ch = 0; ch < 3; ch++) pixels[(i * px + p) * 3 + ch] = Math.min(255, colours[k][ch] + rng.int(0, 95));
      }
    }
  });
  return { pixels, labels };
}

function syntheticSplit(trainImages: number, testPerClass: number, seed: number): TrainData {
  const rng = new Rng(seed);
  const colours = Array.from({ length: CLASSES }, () => [rng.int(0, 160), rng.int(0, 160), rng.int(0, 160)]);
  const counts = longTailCounts(trainImages, CLASSES, IMBALANCE);
  const train = images(counts, colours, rng.fork());
  const test = images(new Array<number>(CLASSES).fill(testPerClass), colours, rng.fork());
  return {
    trainImages: train.pixels,
    trainLabels: train.labels,
    testImages: test.pixels,
    testLabels: test.labels,
    imageShape: SHAPE,
    numClasses: CLASSES,
    classCounts: counts,
    groups: shotGroups(counts, DEFAULT_THRESHOLDS),
  };
}

/** The byte length of the wasm backend's linear memory (emscripten's HEAPU8 tracks its growth), or null off wasm. */
function wasmHeapBytes(): number | null {
  if (tf.getBackend() !== 'wasm') return null;
  const b = tf.backend() as unknown as { wasm?: { HEAPU8?: Uint8Array } };
  return b.wasm?.HEAPU8?.buffer.byteLength ?? null;
}

function sample(epoch: number, r: Pick<EpochRecord, 'seconds' | 'imagesPerSec' | 'loss'>): Row {
  const m = tf.memory();
  const heap = wasmHeapBytes();
  return {
    epoch,
    seconds: r.seconds,
    trainIps: r.imagesPerSec,
    loss: r.loss,
    rssMb: process.memoryUsage().rss / MB,
    // maxRSS is in kilobytes
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    tensors: m.numTensors,
    tensorMb: m.numBytes / MB,
    wasmHeapMb: heap === null ? null : heap / MB,
  };
}

function table(rows: Row[]): string {
  const head = ['epoch', 'seconds', 'train img/s', 'loss', 'RSS MB', 'peak RSS MB', 'tensors', 'tensor MB', 'wasm heap MB'];
  const f = (n: number, d: number) => n.toFixed(d);
  const body = rows.map((r) => [
    r.epoch === 0 ? 'start' : String(r.epoch),
    r.epoch === 0 ? '-' : f(r.seconds, 1),
    r.epoch === 0 ? '-' : f(r.trainIps, 1),
    r.epoch === 0 ? '-' : f(r.loss, 4),
    f(r.rssMb, 0),
    f(r.peakRssMb, 0),
    String(r.tensors),
    f(r.tensorMb, 2),
    r.wasmHeapMb === null ? '-' : f(r.wasmHeapMb, 0),
  ]);
  // fixed widths: rows are printed one at a time as epochs end
  const widths = head.map((h) => Math.max(h.length, 8));
  const line = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i])).join('  ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      model: { type: 'string', default: 'resnet32' },
      images: { type: 'string', default: '2000' },
      test: { type: 'string', default: '500' },
      epochs: { type: 'string', default: '4' },
      batch: { type: 'string', default: '128' },
      backend: { type: 'string', default: 'wasm' },
      threads: { type: 'string' },
      seed: { type: 'string', default: '0' },
    },
  });
  const model = values.model as ModelKind;
  if (!(MODELS as readonly string[]).includes(model)) throw new UserError(`--model: unknown model '${values.model}' (use ${MODELS.join(', ')})`);
  const backend = values.backend as BackendName;
  if (!(BACKENDS as readonly string[]).includes(backend)) throw new UserError(`--backend: unknown backend '${backend}' (use ${BACKENDS.join(', ')})`);
  const nImages = positiveInt('images', values.images);
  const nTest = positiveInt('test', values.test);
  const epochs = positiveInt('epochs', values.epochs);
  const batchSize = positiveInt('batch', values.batch);
  const threads = values.threads === undefined ? undefined : positiveInt('threads', values.threads);
  const seed = Number(values.seed);
  if (!Number.isInteger(seed)) throw new UserError(`--seed: must be a whole number, got '${values.seed}'`);

  const report = await selectBackend(backend, { threads });
  const data = syntheticSplit(nImages, Math.max(1, Math.round(nTest / CLASSES)), seed);
  const config = parseRunConfig({ method: 'ce', model, epochs, batchSize, seed });
  process.stdout.write(
    `${model}, ${data.trainLabels.length} training images (class counts ${data.classCounts.join('/')}), ${data.testLabels.length} test images, ` +
      `${SHAPE.join('x')}, batch ${batchSize}, ${epochs} epochs; ${report.name}: ${report.detail}\n`,
  );
  const rows: Row[] = [sample(0, { seconds: 0, imagesPerSec: 0, loss: 0 })];
  process.stdout.write(`${table(rows)}\n`);
  const result = await trainRun({
    config,
    data,
    hooks: {
      onEpoch: (record) => {
        rows.push(sample(record.epoch, record));
        process.stdout.write(`${table(rows).split('\n').pop()}\n`);
      },
    },
  });
  if (result.status !== 'completed') throw new Error(`the run ended ${result.status}`);
  const after = tf.memory().numTensors;
  const epochRows = rows.slice(1);
  const growth = epochRows[epochRows.length - 1].peakRssMb - epochRows[0].peakRssMb;
  process.stdout.write(`\ntensors before the run ${rows[0].tensors}, after it ${after}; final test top-1 ${result.final.top1.toFixed(3)}\n`);
  process.stdout.write(`peak RSS growth after epoch 1: ${growth.toFixed(0)} MB; tensors at each epoch end: [${epochRows.map((r) => r.tensors).join(', ')}]\n`);
}

// `--case stream`: a dataset larger than a memory budget, read from its pixel file (memory-stream.ts)
const run = process.argv.includes('--case') ? async () => (await import('./memory-stream')).streamCase(process.argv.slice(2)) : main;
run().catch((e: unknown) => {
  process.stderr.write(`${e instanceof UserError ? e.message : e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
