import { randomBytes } from 'node:crypto';
import { createReadStream, existsSync, rmSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { ClassStats, DatasetFormat, DatasetInfo } from '../domain/types';
import { fieldError, UserError } from '../domain/errors';
import { MAX_CLASSES, NAME_MAX } from '../domain/fields';
import { killPoint } from '../kill-point';
import { classStats } from '../splits/stats';
import { DEFAULT_THRESHOLDS } from '../domain/split-schema';
import type { Staging, WrittenFile } from './files';
import type { Store } from './store';
import { int32FromBlob, int32ToBlob } from './int32-blob';

export interface DecodedPart {
  /** uint8 NHWC pixels, written into the staging folder */
  pixels: WrittenFile;
  labels: Int32Array;
}

/** What an importer hands the store: everything decoded, files still in staging. */
export interface ImportedDataset {
  format: DatasetFormat;
  source: Record<string, unknown>;
  imageShape: [number, number, number];
  classNames: string[];
  train: DecodedPart;
  test: DecodedPart;
  /** the class names were declared by the user, who accepts classes without training images */
  allowEmptyClasses?: boolean;
  /** image-file datasets: each training image's path relative to `root`, in training-part order */
  trainPaths?: TrainPaths;
}

export interface TrainPaths {
  /** absolute image root at import time */
  root: string;
  paths: string[];
}

export function countsOf(labels: ArrayLike<number>, numClasses: number): number[] {
  const counts = new Array<number>(numClasses).fill(0);
  for (let i = 0; i < labels.length; i++) counts[labels[i]]++;
  return counts;
}

export function assertNameFree(store: Store, table: 'datasets' | 'splits' | 'runs', name: string): void {
  if (!name.trim()) throw fieldError(`name must not be empty`, ['name'], 'required');
  // the same limit for datasets, splits and runs, checked before any row or file is written
  if (name.length > NAME_MAX) throw fieldError(`name is ${name.length} characters long; at most ${NAME_MAX} are allowed`, ['name'], `at most ${NAME_MAX} characters (this one has ${name.length})`);
  const row = store.db.prepare(`SELECT 1 FROM ${table} WHERE name = ?`).get(name);
  const what = table.slice(0, -1);
  if (row) throw fieldError(`a ${what} named "${name}" already exists; choose another --name or delete it first`, ['name'], `a ${what} named "${name}" already exists; choose another name`);
}

/**
 * Commits an import: checks it, moves its staging folder into `datasets/`, and inserts every row
 * in one transaction. On any failure the data directory and the database are left as they were.
 */
export function commitDataset(store: Store, name: string, staging: Staging, d: ImportedDataset): DatasetInfo {
  assertNameFree(store, 'datasets', name);
  const [h, w, c] = d.imageShape;
  const C = d.classNames.length;
  if (C < 2) throw new UserError(`dataset "${name}" has ${C} class; at least 2 are needed`);
  if (C > MAX_CLASSES) throw new UserError(`dataset "${name}" has ${C} classes; at most ${MAX_CLASSES} are supported`);
  // an empty test set is allowed (a tiny folder's hold-out may be empty); an empty training set is not
  if (d.train.labels.length === 0) throw new UserError(`dataset "${name}": the training set has no images; check the training files`);
  for (const part of ['train', 'test'] as const) {
    const p = d[part];
    if (p.pixels.bytes !== p.labels.length * h * w * c) {
      throw new Error(`${part}: ${p.pixels.bytes} pixel bytes for ${p.labels.length} images of ${h}x${w}x${c}`);
    }
    for (let i = 0; i < p.labels.length; i++) {
      if (!(p.labels[i] >= 0 && p.labels[i] < C)) throw new UserError(`${part} image ${i}: label ${p.labels[i]} is outside 0..${C - 1}`);
    }
  }
  const trainCounts = countsOf(d.train.labels, C);
  const testCounts = countsOf(d.test.labels, C);
  checkClasses(name, d, trainCounts);
  const stats = classStats(trainCounts, DEFAULT_THRESHOLDS);
  const rel = join('datasets', `${name.replace(/[^\w.-]+/g, '_').slice(0, 40)}-${randomBytes(4).toString('hex')}`);
  const db = store.db;
  let dir: string | undefined;
  try {
    const insertBlob = db.prepare('INSERT INTO blobs (path, bytes, sha256, kind) VALUES (?, ?, ?, ?)');
    const id = db
      .transaction(() => {
        const info = db
          .prepare(
            `INSERT INTO datasets (name, format, source, height, width, channels, num_classes, dir, stats)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          )
          .run(name, d.format, JSON.stringify(d.source), h, w, c, C, rel, JSON.stringify(stats));
        const datasetId = Number(info.lastInsertRowid);
        for (const part of ['train', 'test'] as const) {
          const p = d[part];
          const file = join(rel, p.pixels.path.split(/[\\/]/).pop()!);
          const blob = insertBlob.run(file, p.pixels.bytes, p.pixels.sha256, 'pixels');
          db.prepare('INSERT INTO dataset_parts (dataset_id, part, count, pixels_blob, labels) VALUES (?, ?, ?, ?, ?)').run(
            datasetId, part, p.labels.length, Number(blob.lastInsertRowid), int32ToBlob(p.labels),
          );
        }
        if (d.trainPaths) {
          if (d.trainPaths.paths.length !== d.train.labels.length) throw new Error(`${d.trainPaths.paths.length} training paths for ${d.train.labels.length} images`);
          db.prepare('INSERT INTO dataset_paths (dataset_id, root, paths) VALUES (?, ?, ?)').run(datasetId, d.trainPaths.root, JSON.stringify(d.trainPaths.paths));
        }
        const insClass = db.prepare('INSERT INTO classes (dataset_id, idx, name, train_count, test_count) VALUES (?, ?, ?, ?, ?)');
        d.classNames.forEach((n, i) => insClass.run(datasetId, i, n, trainCounts[i], testCounts[i]));
        // the folder moves into place under the write lock, just before COMMIT: the start-up sweep
        // (which takes the same lock) sees it either with its rows or, after a crash here, as an orphan
        dir = staging.commit(rel);
        killPoint('import-after-move');
        return datasetId;
      })
      .immediate();
    return getDataset(store, id);
  } catch (e) {
    if (dir) rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}

/** Unique class names; every class in the training set, unless declared names and allowEmptyClasses say otherwise. */
function checkClasses(name: string, d: ImportedDataset, trainCounts: number[]): void {
  const seen = new Map<string, number>();
  d.classNames.forEach((n, i) => {
    const first = seen.get(n);
    if (first !== undefined) throw new UserError(`dataset "${name}": class name "${n.slice(0, 80)}" is given twice (classes ${first} and ${i}); class names must be unique`);
    seen.set(n, i);
  });
  const empty = trainCounts.flatMap((n, k) => (n === 0 ? [k] : []));
  if (empty.length && !d.allowEmptyClasses) {
    const list = empty.slice(0, 5).join(', ') + (empty.length > 5 ? `, … (${empty.length} in all)` : '');
    throw new UserError(
      `dataset "${name}": ${empty.length} of ${d.classNames.length} classes have no training images (${list}); check the labels, or declare the class names and allow empty classes (--allow-empty-classes) if that is intended`,
      [{ path: [], message: `${empty.length} of ${d.classNames.length} classes have no training images (${list}); check the labels` }],
    );
  }
}

interface DatasetRow {
  id: number;
  name: string;
  format: DatasetFormat;
  source: string;
  height: number;
  width: number;
  channels: number;
  num_classes: number;
  dir: string;
  stats: string;
  created_at: string;
}

function findRow(store: Store, ref: string | number): DatasetRow {
  const row = (typeof ref === 'number'
    ? store.db.prepare('SELECT * FROM datasets WHERE id = ?').get(ref)
    : store.db.prepare('SELECT * FROM datasets WHERE name = ?').get(ref)) as DatasetRow | undefined;
  if (!row) throw new UserError(`no dataset named "${ref}" (see \`dive datasets\`)`, [{ path: [], message: `no dataset named "${ref}"` }]);
  return row;
}

export function getDataset(store: Store, ref: string | number): DatasetInfo {
  const row = findRow(store, ref);
  const classes = store.db
    .prepare('SELECT name, train_count, test_count FROM classes WHERE dataset_id = ? ORDER BY idx')
    .all(row.id) as { name: string; train_count: number; test_count: number }[];
  const train = classes.map((c) => c.train_count);
  const test = classes.map((c) => c.test_count);
  const sum = (a: number[]) => a.reduce((s, x) => s + x, 0);
  return {
    id: row.id,
    name: row.name,
    format: row.format,
    numClasses: row.num_classes,
    imageShape: [row.height, row.width, row.channels],
    classNames: classes.map((c) => c.name),
    train: { counts: train, total: sum(train) },
    test: { counts: test, total: sum(test) },
    stats: JSON.parse(row.stats) as ClassStats,
    source: JSON.parse(row.source) as Record<string, unknown>,
    createdAt: row.created_at,
  };
}

export function listDatasets(store: Store): DatasetInfo[] {
  const ids = store.db.prepare('SELECT id FROM datasets WHERE trash_id IS NULL ORDER BY id').all() as { id: number }[];
  return ids.map((r) => getDataset(store, r.id));
}

export interface PartData {
  count: number;
  labels: Int32Array;
  /** absolute path of the uint8 NHWC pixel file */
  pixelsPath: string;
  sha256: string;
  bytes: number;
}

export function datasetPart(store: Store, ref: string | number, part: 'train' | 'test'): PartData {
  const row = findRow(store, ref);
  const p = store.db
    .prepare(
      `SELECT p.count, p.labels, b.path, b.sha256, b.bytes FROM dataset_parts p JOIN blobs b ON b.id = p.pixels_blob
       WHERE p.dataset_id = ? AND p.part = ?`,
    )
    .get(row.id, part) as { count: number; labels: Buffer; path: string; sha256: string; bytes: number };
  return { count: p.count, labels: int32FromBlob(p.labels), pixelsPath: join(store.dataDir, p.path), sha256: p.sha256, bytes: p.bytes };
}

/** Re-hashes a blob file; a mismatch means the data directory was altered outside the app. */
export async function verifyFile(path: string, sha256: string): Promise<void> {
  if (!existsSync(path)) throw new UserError(`data file ${path} is missing; re-import the dataset`);
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  const got = h.digest('hex');
  if (got !== sha256) throw new UserError(`data file ${path} is corrupt (checksum ${got.slice(0, 12)}… expected ${sha256.slice(0, 12)}…); re-import the dataset`);
}


/** The training images' paths of an image-file dataset (db/011_dataset_paths.sql); null for array datasets and older imports. */
export function datasetTrainPaths(store: Store, datasetId: number): TrainPaths | null {
  const row = store.db.prepare('SELECT root, paths FROM dataset_paths WHERE dataset_id = ?').get(datasetId) as { root: string; paths: string } | undefined;
  if (!row) return null;
  const paths: unknown = JSON.parse(row.paths);
  if (!Array.isArray(paths) || !paths.every((p): p is string => typeof p === 'string')) throw new UserError(`the stored image paths of dataset ${datasetId} are damaged; re-import the dataset`);
  return { root: row.root, paths };
}
