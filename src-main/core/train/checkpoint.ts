// Tensor files: a JSON header and the float32 values of named tensors, one format for the
// end-of-epoch checkpoint (weights, batch-norm state, optimiser momentum, rng state, history)
// and for exported weights. Layout:
//   8 bytes  magic "DIVETNS1"
//   4 bytes  header length L (uint32 little-endian)
//   L bytes  header JSON (utf-8): { kind, meta, tensors: [{ group, name, shape }] }
//   0-3 bytes zero padding to a multiple of 4
//   float32 little-endian values of every tensor, in header order
// Files are written to a temporary name in the same folder, fsynced, then renamed into place,
// so a crash leaves either the old file or the new one.
import { createHash } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { endianness } from 'node:os';
import type { EpochRecord, RunMetrics } from '../domain/types';
import { UserError } from '../domain/errors';
import type { WrittenFile } from '../store/files';
import type { RunConfig } from '../domain/run-config';
import type { NamedArray } from './layers';

const MAGIC = 'DIVETNS1';

if (endianness() !== 'LE') throw new Error('tensor files assume a little-endian machine');

export interface TensorFile<M> {
  kind: string;
  meta: M;
  groups: Record<string, NamedArray[]>;
}

export function encodeTensorFile<M>(file: TensorFile<M>): Buffer[] {
  const tensors: { group: string; name: string; shape: number[] }[] = [];
  const bodies: Buffer[] = [];
  for (const [group, arrays] of Object.entries(file.groups)) {
    for (const a of arrays) {
      const expected = a.shape.reduce((p, d) => p * d, 1);
      if (expected !== a.data.length) throw new Error(`tensor ${group}/${a.name}: ${a.data.length} values for shape [${a.shape}]`);
      tensors.push({ group, name: a.name, shape: a.shape });
      bodies.push(Buffer.from(a.data.buffer, a.data.byteOffset, a.data.byteLength));
    }
  }
  const header = Buffer.from(JSON.stringify({ kind: file.kind, meta: file.meta, tensors }), 'utf8');
  const pre = Buffer.alloc(12);
  pre.write(MAGIC, 0, 'latin1');
  pre.writeUInt32LE(header.length, 8);
  const pad = Buffer.alloc((4 - ((12 + header.length) % 4)) % 4);
  return [pre, header, pad, ...bodies];
}

export function decodeTensorFile<M>(buf: Buffer, source: string, kind: string): TensorFile<M> {
  const bad = (why: string) => new UserError(`${source}: not a readable ${kind} file (${why})`);
  if (buf.length < 12 || buf.toString('latin1', 0, 8) !== MAGIC) throw bad('wrong magic bytes');
  const len = buf.readUInt32LE(8);
  if (12 + len > buf.length) throw bad('truncated header');
  let header: { kind: string; meta: M; tensors: { group: string; name: string; shape: number[] }[] };
  try {
    header = JSON.parse(buf.toString('utf8', 12, 12 + len));
  } catch {
    throw bad('corrupt header');
  }
  if (header.kind !== kind) throw bad(`it holds a ${header.kind}`);
  let off = 12 + len + ((4 - ((12 + len) % 4)) % 4);
  const groups: Record<string, NamedArray[]> = {};
  for (const t of header.tensors) {
    const n = t.shape.reduce((p, d) => p * d, 1);
    if (off + 4 * n > buf.length) throw bad(`truncated at tensor ${t.name}`);
    // Copy into an aligned array of its own (the file buffer's offset need not be aligned).
    const data = new Float32Array(n);
    new Uint8Array(data.buffer).set(buf.subarray(off, off + 4 * n));
    off += 4 * n;
    (groups[t.group] ??= []).push({ name: t.name, shape: t.shape, data });
  }
  if (off !== buf.length) throw bad('trailing bytes');
  return { kind: header.kind, meta: header.meta, groups };
}

/**
 * Writes chunks to `path` atomically (temporary file in the same folder, fsync, rename) and returns
 * the size and SHA-256 the store records, hashed from the chunks as they are written.
 */
export function writeFileAtomic(path: string, chunks: readonly Uint8Array[]): WrittenFile {
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w');
  const hash = createHash('sha256');
  let bytes = 0;
  try {
    for (const c of chunks) {
      let off = 0;
      while (off < c.length) off += writeSync(fd, c, off, c.length - off);
      hash.update(c);
      bytes += c.length;
    }
    fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw e;
  }
  closeSync(fd);
  renameSync(tmp, path);
  return { path, bytes, sha256: hash.digest('hex') };
}

/** Everything needed to continue a run exactly where an epoch ended. */
export interface Checkpoint {
  config: RunConfig;
  /** completed epochs; training resumes at 0-based epoch `epochsDone` */
  epochsDone: number;
  records: EpochRecord[];
  /** always null: no epoch is chosen on the test set any more (the field stays for older checkpoint files) */
  best: RunMetrics | null;
  /** state of the data-order / augmentation rng after epoch `epochsDone` */
  rngState: number[];
  /** parameters and batch-norm running statistics (Model.snapshot()) */
  weights: NamedArray[];
  /** SGD momentum buffers (Sgd.snapshot()) */
  momentum: NamedArray[];
}

type CheckpointMeta = Omit<Checkpoint, 'weights' | 'momentum'>;

export function encodeCheckpoint(c: Checkpoint): Buffer[] {
  const meta: CheckpointMeta = { config: c.config, epochsDone: c.epochsDone, records: c.records, best: c.best, rngState: c.rngState };
  return encodeTensorFile<CheckpointMeta>({ kind: 'checkpoint', meta, groups: { weights: c.weights, momentum: c.momentum } });
}

export function decodeCheckpoint(buf: Buffer, source: string): Checkpoint {
  const f = decodeTensorFile<CheckpointMeta>(buf, source, 'checkpoint');
  return { ...f.meta, weights: f.groups.weights ?? [], momentum: f.groups.momentum ?? [] };
}

export function writeCheckpoint(path: string, c: Checkpoint): WrittenFile {
  return writeFileAtomic(path, encodeCheckpoint(c));
}

export function readCheckpoint(path: string): Checkpoint {
  return decodeCheckpoint(readFileSync(path), path);
}

/** Exported weights of a trained model: what is needed to rebuild it (e.g. as a teacher). */
export interface WeightsMeta {
  model: RunConfig['model'];
  imageShape: [number, number, number];
  numClasses: number;
  normHead: boolean;
  /** normalisation the model was trained with (pixel / 255 space) */
  mean: number[];
  std: number[];
  /** SGD steps taken (absent in files from before it was kept, and in imported weights) */
  steps?: number;
}

export function writeWeights(path: string, meta: WeightsMeta, weights: NamedArray[]): WrittenFile {
  return writeFileAtomic(path, encodeTensorFile<WeightsMeta>({ kind: 'weights', meta, groups: { weights } }));
}

export function readWeights(path: string): { meta: WeightsMeta; weights: NamedArray[] } {
  const f = decodeTensorFile<WeightsMeta>(readFileSync(path), path, 'weights');
  return { meta: f.meta, weights: f.groups.weights ?? [] };
}
