// The exports of a trained model, behind `exportRun` (the CLI's `dive export`) and `prepareExport`
// (one file the web server and the desktop shell hand to the user as a download), in three formats:
// tfjs (a folder: model.json weights manifest, weights.bin, run.json; as a download one .tar.gz),
// onnx (one .onnx file, train/onnx-graph.ts) and safetensors (PyTorch's state_dict,
// train/torch-weights.ts). Either way a failure leaves nothing half-written behind.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import type { ExportResult } from '../domain/contract';
import { UserError } from '../domain/errors';
import { EXPORT_EXTENSIONS, type ExportFormat } from '../domain/run-requests';
import type { RunInfo } from '../domain/types';
import { getDataset } from '../store/datasets';
import { getRun, runFilePath } from '../store/runs';
import type { Store } from '../store/store';
import { appVersion } from './app-version';
import { sha256OfFile } from '../store/files';

export const MODEL_FILES = ['model.json', 'weights.bin', 'run.json'] as const;

/** A file built for one download: where it is, what to call it, and how to remove it. */
export interface PreparedFile {
  path: string;
  filename: string;
  contentType: string;
  bytes: number;
  sha256: string;
  /** removes the file and its temporary folder (safe to call more than once) */
  dispose(): void;
}

export function completed(store: Store, name: string): { run: RunInfo; weights: string } {
  const run = getRun(store, name);
  const weights = runFilePath(store, run.id, 'weights');
  if (run.status !== 'completed' || !weights) throw new UserError(`run "${run.name}" is ${run.status}; only completed runs have a trained model`);
  if (!existsSync(weights)) throw new UserError(`run "${run.name}": its weights file is missing; run \`dive doctor\`, then train it again`);
  return { run, weights };
}

/**
 * Writes model.json (a TF.js weights manifest, loadable with tf.io.loadWeights), weights.bin and
 * run.json (configuration, normalisation, metrics) into `dir`, which must be new or empty. Files
 * it wrote are removed again if it fails half-way.
 */
export async function writeModelFiles(store: Store, name: string, dir: string): Promise<ExportResult> {
  const { run, weights: path } = completed(store, name);
  if (existsSync(dir) && readdirSync(dir).length > 0) throw new UserError(`export folder ${dir} is not empty`);
  const created = !existsSync(dir);
  mkdirSync(dir, { recursive: true });
  try {
    const { readWeights } = await import('../train/checkpoint');
    const { meta, weights } = readWeights(path);
    const bytes = Buffer.concat(weights.map((w) => Buffer.from(w.data.buffer, w.data.byteOffset, w.data.byteLength)));
    writeFileSync(join(dir, 'weights.bin'), bytes);
    const manifest = {
      format: 'dive-workbench-weights',
      generatedBy: 'DiVE Workbench',
      architecture: { model: meta.model, imageShape: meta.imageShape, numClasses: meta.numClasses, normHead: meta.normHead },
      normalization: { mean: meta.mean, std: meta.std, input: 'pixel / 255, NHWC' },
      weightsManifest: [{ paths: ['weights.bin'], weights: weights.map((w) => ({ name: w.name, shape: w.shape, dtype: 'float32' })) }],
    };
    writeFileSync(join(dir, 'model.json'), JSON.stringify(manifest, null, 2));
    writeFileSync(join(dir, 'run.json'), JSON.stringify(run, null, 2));
    return { dir, files: [...MODEL_FILES] };
  } catch (e) {
    if (created) rmSync(dir, { recursive: true, force: true });
    else for (const f of MODEL_FILES) rmSync(join(dir, f), { force: true });
    throw e;
  }
}

/** What an exported file says about its run (the `run` metadata of the onnx and safetensors files). */
export function runRecord(run: RunInfo): Record<string, unknown> {
  return { name: run.name, id: run.id, method: run.method, model: run.model, split: run.split, dataset: run.dataset, top1: run.metrics?.top1 ?? null, ...(run.origin ? { origin: run.origin } : {}) };
}

/** A completed run's model as the bytes of one onnx or safetensors file. */
export async function modelFileBytes(store: Store, name: string, format: Exclude<ExportFormat, 'tfjs'>): Promise<{ run: RunInfo; chunks: Uint8Array[] }> {
  const { run, weights: path } = completed(store, name);
  const { readWeights } = await import('../train/checkpoint');
  const { meta, weights } = readWeights(path);
  const classNames = getDataset(store, run.dataset).classNames;
  const spec = { kind: meta.model, imageShape: meta.imageShape, numClasses: meta.numClasses, normHead: meta.normHead };
  if (format === 'onnx') {
    const { encodeOnnx } = await import('../train/onnx-graph');
    return { run, chunks: [encodeOnnx(spec, weights, { classNames, mean: meta.mean, std: meta.std, run: runRecord(run), producerVersion: appVersion() })] };
  }
  const { encodeTorchWeights } = await import('../train/torch-weights');
  return { run, chunks: encodeTorchWeights(meta, weights, { classNames, run: runRecord(run), steps: meta.steps ?? 0 }) };
}

/** Writes a one-file export to `out`, which must not exist yet (its folder is made if needed); atomic. */
async function writeModelFile(store: Store, name: string, format: Exclude<ExportFormat, 'tfjs'>, out: string): Promise<ExportResult> {
  const path = resolve(out);
  if (existsSync(path)) throw new UserError(`${out} exists; choose another --out or remove it first`);
  const { chunks } = await modelFileBytes(store, name, format);
  mkdirSync(dirname(path), { recursive: true });
  const { writeFileAtomic } = await import('../train/checkpoint');
  writeFileAtomic(path, chunks);
  return { dir: dirname(path), files: [basename(path)], format, path };
}

/** `dive export RUN --format F --out PATH`: a tfjs folder, or one onnx / safetensors file. */
export async function exportModel(store: Store, r: { run: string; format: ExportFormat; dir?: string; out?: string }): Promise<ExportResult> {
  const out = r.out ?? r.dir!;
  if (r.format === 'tfjs') return { ...(await writeModelFiles(store, r.run, out)), format: 'tfjs' };
  return writeModelFile(store, r.run, r.format, out);
}

/** A name safe in a file system and a Content-Disposition header: the run's name, other characters as "_". */
export function safeFileStem(name: string): string {
  const s = name.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+/, '');
  return s.slice(0, 120) || 'run';
}

/**
 * The model export of a run as one gzipped tarball, `RUN-model.tar.gz`, holding the folder `RUN/`
 * that `dive export RUN --dir RUN` writes. Built in a fresh folder under `tmp` (default the OS's),
 * which is removed on failure and by dispose().
 */
export async function prepareModelArchive(store: Store, name: string, tmp = tmpdir(), format: ExportFormat = 'tfjs'): Promise<PreparedFile> {
  const { run } = completed(store, name);
  const stem = safeFileStem(run.name);
  mkdirSync(tmp, { recursive: true });
  const work = mkdtempSync(join(tmp, 'dive-export-'));
  const dispose = () => rmSync(work, { recursive: true, force: true });
  try {
    if (format !== 'tfjs') {
      const filename = `${stem}${EXPORT_EXTENSIONS[format]}`;
      const { path } = await writeModelFile(store, run.name, format, join(work, filename));
      return { path: path!, filename, contentType: 'application/octet-stream', bytes: statSync(path!).size, sha256: await sha256OfFile(path!), dispose };
    }
    await writeModelFiles(store, run.name, join(work, stem));
    const filename = `${stem}-model.tar.gz`;
    const path = join(work, filename);
    const { c } = await import('tar');
    await c({ gzip: true, file: path, cwd: work, portable: true }, [stem]);
    rmSync(join(work, stem), { recursive: true, force: true });
    return { path, filename, contentType: 'application/gzip', bytes: statSync(path).size, sha256: await sha256OfFile(path), dispose };
  } catch (e) {
    dispose();
    throw e;
  }
}

