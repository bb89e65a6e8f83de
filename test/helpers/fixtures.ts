// Small generated datasets in every import format, a temp store, and a snapshot of a store's state
// for "nothing changed" checks. Pixel values follow `pattern`, so a test can compute where each
// byte must land.
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import type { ImportRequest } from '../../src-main/core/domain/import-schema';
import { importDataset } from '../../src-main/core/data/import';
import { UserError } from '../../src-main/core/domain/errors';
import { openStore, type Store } from '../../src-main/core/store/store';

export function tempDir(prefix = 'dive-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export interface TempStore {
  store: Store;
  dir: string;
  cleanup(): void;
}

/** A fresh store (database + data directory) in its own temp folder. */
export function tempStore(): TempStore {
  const dir = tempDir();
  const store = openStore({ db: join(dir, 'dive.sqlite'), dataDir: join(dir, 'data') });
  return {
    store,
    dir,
    cleanup() {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function listTree(dir: string, prefix = ''): string[] {
  let out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const rel = prefix + e.name;
    out.push(rel);
    if (e.isDirectory()) out = out.concat(listTree(join(dir, e.name), rel + '/'));
  }
  return out.sort();
}

/** Row counts of the dataset tables and every path under the data directory. */
export function storeState(store: Store): { rows: Record<string, number>; files: string[] } {
  const rows: Record<string, number> = {};
  for (const t of ['datasets', 'dataset_parts', 'classes', 'blobs']) {
    rows[t] = (store.db.prepare(`SELECT COUNT(*) AS n FROM ${t}`).get() as { n: number }).n;
  }
  return { rows, files: listTree(store.dataDir) };
}

export const EMPTY_STATE = { rows: { datasets: 0, dataset_parts: 0, classes: 0, blobs: 0 }, files: [] as string[] };

/** The byte at image n, row y, column x, channel c of every generated dataset. */
export function pattern(n: number, y: number, x: number, c: number): number {
  return (n * 31 + y * 7 + x * 3 + c * 101) & 255;
}

/** n images of h x w x c as NHWC bytes following `pattern`. */
export function patternPixels(count: number, h: number, w: number, c: number, first = 0): Uint8Array {
  const out = new Uint8Array(count * h * w * c);
  let i = 0;
  for (let n = 0; n < count; n++) for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let ch = 0; ch < c; ch++) out[i++] = pattern(first + n, y, x, ch);
  return out;
}

function writeMaybeGzip(path: string, data: Uint8Array, gzip: boolean): string {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, gzip ? gzipSync(data) : data);
  return path;
}

// ---------- IDX ----------

export function idxBytes(magic: number, dims: number[], data: Uint8Array): Buffer {
  const head = Buffer.alloc(4 + 4 * dims.length);
  head.writeUInt32BE(magic, 0);
  dims.forEach((d, i) => head.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([head, data]);
}

export const idxImages = (count: number, h: number, w: number, first = 0) => idxBytes(0x803, [count, h, w], patternPixels(count, h, w, 1, first));
export const idxLabels = (labels: number[]) => idxBytes(0x801, [labels.length], Uint8Array.from(labels));

export interface IdxFixture {
  trainImages: string;
  trainLabels: string;
  testImages: string;
  testLabels: string;
}

/**
 * An IDX dataset of h x w images: train image n follows pattern(n, ...), test image n pattern(100 + n, ...).
 */
export function writeIdxDataset(
  dir: string,
  o: { trainLabels: number[]; testLabels: number[]; h?: number; w?: number; gzip?: boolean; suffix?: string },
): IdxFixture {
  const h = o.h ?? 4;
  const w = o.w ?? 3;
  const gz = o.gzip ?? false;
  const ext = o.suffix ?? (gz ? '.gz' : '');
  return {
    trainImages: writeMaybeGzip(join(dir, `train-images-idx3-ubyte${ext}`), idxImages(o.trainLabels.length, h, w), gz),
    trainLabels: writeMaybeGzip(join(dir, `train-labels-idx1-ubyte${ext}`), idxLabels(o.trainLabels), gz),
    testImages: writeMaybeGzip(join(dir, `t10k-images-idx3-ubyte${ext}`), idxImages(o.testLabels.length, h, w, 100), gz),
    testLabels: writeMaybeGzip(join(dir, `t10k-labels-idx1-ubyte${ext}`), idxLabels(o.testLabels), gz),
  };
}

// ---------- CIFAR ----------

/**
 * CIFAR records (32x32x3, planar R, G, B): record n's pixel (y, x, c) is pattern(first + n, y, x, c).
 * `labels` are the class bytes; for CIFAR-100 pass `coarse` too (the byte before the fine label).
 */
export function cifarRecords(labels: number[], first = 0, coarse?: number[]): Buffer {
  const lb = coarse ? 2 : 1;
  const rb = lb + 3072;
  const out = Buffer.alloc(labels.length * rb);
  labels.forEach((l, n) => {
    const off = n * rb;
    if (coarse) out[off] = coarse[n];
    out[off + lb - 1] = l;
    for (let c = 0; c < 3; c++) for (let y = 0; y < 32; y++) for (let x = 0; x < 32; x++) out[off + lb + c * 1024 + y * 32 + x] = pattern(first + n, y, x, c);
  });
  return out;
}

/**
 * CIFAR-10 batches: data_batch_k holds `perBatch[k-1]` labels; records are numbered across batches
 * (train 0.., test from 1000) for `pattern`. `names` writes batches.meta.txt.
 */
export function writeCifar10(dir: string, o: { batches: number[][]; test: number[]; names?: string[] }): string {
  mkdirSync(dir, { recursive: true });
  let first = 0;
  o.batches.forEach((labels, k) => {
    writeFileSync(join(dir, `data_batch_${k + 1}.bin`), cifarRecords(labels, first));
    first += labels.length;
  });
  writeFileSync(join(dir, 'test_batch.bin'), cifarRecords(o.test, 1000));
  if (o.names) writeFileSync(join(dir, 'batches.meta.txt'), o.names.join('\n') + '\n\n');
  return dir;
}

/** CIFAR-100 train.bin / test.bin (test records numbered from 1000); coarse label = fine % 20. */
export function writeCifar100(dir: string, o: { train: number[]; test: number[]; names?: string[] }): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'train.bin'), cifarRecords(o.train, 0, o.train.map((l) => l % 20)));
  writeFileSync(join(dir, 'test.bin'), cifarRecords(o.test, 1000, o.test.map((l) => l % 20)));
  if (o.names) writeFileSync(join(dir, 'fine_label_names.txt'), o.names.join('\n') + '\n');
  return dir;
}

// ---------- image files ----------

export type ImageFormat = 'png' | 'jpeg' | 'webp';

/** A solid-colour image; gray when `color` has one value (written as a 1-channel file). */
export async function writeImage(path: string, o: { color: number[]; width?: number; height?: number; format?: ImageFormat; alpha?: boolean }): Promise<string> {
  const width = o.width ?? 8;
  const height = o.height ?? 8;
  const px = o.color.length + (o.alpha ? 1 : 0);
  const raw = Buffer.alloc(width * height * px);
  for (let i = 0; i < width * height; i++) {
    o.color.forEach((v, c) => (raw[i * px + c] = v));
    if (o.alpha) raw[i * px + px - 1] = 128;
  }
  let img = sharp(raw, { raw: { width, height, channels: px as 1 | 2 | 3 | 4 } });
  if (o.color.length === 1) img = img.toColourspace('b-w');
  const format = o.format ?? 'png';
  mkdirSync(dirname(path), { recursive: true });
  await img.toFormat(format, format === 'png' ? {} : { quality: 100 }).toFile(path);
  return path;
}

/** The colour generated images of class c get: distinct per class, exact in PNG. */
export function classColor(c: number, channels: 1 | 3 = 3): number[] {
  return channels === 1 ? [(c * 50 + 20) & 255] : [(c * 50 + 20) & 255, (200 - c * 30) & 255, (c * 90 + 5) & 255];
}

/**
 * A class-folder tree: `counts[name]` solid images of classColor(index in sorted names) each.
 * Returns the image paths per class in sorted order.
 */
export async function writeImageFolder(
  root: string,
  counts: Record<string, number>,
  o: { channels?: 1 | 3; size?: number; format?: ImageFormat } = {},
): Promise<Record<string, string[]>> {
  const names = Object.keys(counts).sort();
  const out: Record<string, string[]> = {};
  for (const [c, name] of names.entries()) {
    mkdirSync(join(root, name), { recursive: true });
    out[name] = [];
    for (let i = 0; i < counts[name]; i++) {
      const file = join(root, name, `img${String(i).padStart(3, '0')}.${o.format ?? 'png'}`);
      await writeImage(file, { color: classColor(c, o.channels), width: o.size, height: o.size, format: o.format });
      out[name].push(file);
    }
  }
  return out;
}

/**
 * An ImageNet-LT style dataset under root: images/<label>/<i>.png of classColor(label), and list
 * files train.txt / test.txt ("images/<label>/<i>.png <label>" per line).
 */
export async function writeListDataset(
  root: string,
  o: { train: number[]; test: number[]; names?: string[]; size?: number },
): Promise<{ root: string; trainList: string; testList: string; classNamesFile?: string }> {
  const lines = async (labels: number[], part: string) => {
    const out: string[] = [];
    for (const [i, l] of labels.entries()) {
      const rel = `images/${part}/${l}/${i}.png`;
      await writeImage(join(root, rel), { color: classColor(l), width: o.size, height: o.size });
      out.push(`${rel} ${l}`);
    }
    return out.join('\n') + '\n';
  };
  writeFileSync(join(root, 'train.txt'), await lines(o.train, 'train'));
  writeFileSync(join(root, 'test.txt'), await lines(o.test, 'test'));
  let classNamesFile: string | undefined;
  if (o.names) writeFileSync((classNamesFile = join(root, 'names.txt')), o.names.join('\n') + '\n');
  return { root, trainList: join(root, 'train.txt'), testList: join(root, 'test.txt'), classNamesFile };
}

/**
 * An iNaturalist style dataset: `categories` (id -> name) and per part the category id of each image;
 * image ids are unique across parts, images are solid classColor(rank of the category id).
 */
export async function writeInatDataset(
  root: string,
  o: { categories: Record<number, string>; train: number[]; test: number[]; size?: number },
): Promise<{ root: string; trainJson: string; testJson: string }> {
  const ids = Object.keys(o.categories).map(Number).sort((a, b) => a - b);
  const categories = ids.map((id) => ({ id, name: o.categories[id], supercategory: 'Plantae' }));
  let nextId = 500;
  const json = async (cats: number[], part: string) => {
    const images: { id: number; file_name: string; width: number; height: number }[] = [];
    const annotations: { id: number; image_id: number; category_id: number }[] = [];
    for (const [i, cat] of cats.entries()) {
      const id = nextId++;
      const file = `${part}/${cat}/${i}.png`;
      await writeImage(join(root, file), { color: classColor(ids.indexOf(cat)), width: o.size, height: o.size });
      images.push({ id, file_name: file, width: o.size ?? 8, height: o.size ?? 8 });
      annotations.push({ id: id * 10, image_id: id, category_id: cat });
    }
    return JSON.stringify({ info: { year: 2018 }, images, annotations, categories, licenses: [] });
  };
  writeFileSync(join(root, 'train.json'), await json(o.train, 'train'));
  writeFileSync(join(root, 'val.json'), await json(o.test, 'val'));
  return { root, trainJson: join(root, 'train.json'), testJson: join(root, 'val.json') };
}

// ---------- import checks ----------

/**
 * Runs an import that must fail with a UserError whose message matches `message`, and checks the
 * store is exactly as it was: no dataset rows, no files (no staging folder left) in the data dir.
 */
export async function assertImportFailsCleanly(store: Store, req: ImportRequest, message: RegExp): Promise<string> {
  const before = storeState(store);
  let caught: unknown;
  try {
    await importDataset(store, req);
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof UserError, `expected a UserError, got ${caught instanceof Error ? caught.stack : String(caught)}`);
  assert.match(caught.message, message);
  assert.doesNotMatch(caught.message, /\n/, 'a UserError message is one line');
  assert.deepEqual(storeState(store), before);
  return caught.message;
}
