// The one export of a trained model, behind `exportRun` (a folder: the CLI's `dive export`) and
// `prepareExport` (one .tar.gz of that same folder, which the web server and the desktop shell hand
// to the user as a download). Either way a failure leaves nothing half-written behind.
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExportResult } from '../domain/contract';
import { UserError } from '../domain/errors';
import type { RunInfo } from '../domain/types';
import { getRun, runFilePath } from '../store/runs';
import type { Store } from '../store/store';

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

function completed(store: Store, name: string): { run: RunInfo; weights: string } {
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
export async function prepareModelArchive(store: Store, name: string, tmp = tmpdir()): Promise<PreparedFile> {
  const { run } = completed(store, name);
  const stem = safeFileStem(run.name);
  mkdirSync(tmp, { recursive: true });
  const work = mkdtempSync(join(tmp, 'dive-export-'));
  const dispose = () => rmSync(work, { recursive: true, force: true });
  try {
    await writeModelFiles(store, run.name, join(work, stem));
    const filename = `${stem}-model.tar.gz`;
    const path = join(work, filename);
    const { c } = await import('tar');
    await c({ gzip: true, file: path, cwd: work, portable: true }, [stem]);
    rmSync(join(work, stem), { recursive: true, force: true });
    return { path, filename, contentType: 'application/gzip', bytes: statSync(path).size, sha256: await sha256Of(path), dispose };
  } catch (e) {
    dispose();
    throw e;
  }
}

async function sha256Of(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}
