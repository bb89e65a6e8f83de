// Weights that come in from outside: a run's initial weights (`dive train --init-weights FILE`, or
// `--init-from RUN`), and a whole run trained elsewhere (`dive import-run FILE`). A safetensors file
// is read as PyTorch's state_dict of docs/pytorch/models.py (train/torch-weights.ts), checked
// against the model it must fill (a missing, extra or mis-shaped tensor named in one line), and
// stored in the workbench's own weights format, owned by the run, so a worker anywhere reads it as
// it reads a teacher. Nothing is written until the file has passed every check.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { UserError, fieldError } from '../domain/errors';
import type { ImageShape, RunConfig } from '../domain/run-config';
import type { RunOrigin } from '../domain/types';
import type { ReadRoots } from '../data/read-roots';
import { getDataset } from '../store/datasets';
import { runDir, runFilePath, runRow, setInitWeights } from '../store/runs';
import type { Store } from '../store/store';
import { readWeights, writeWeights, type WeightsMeta } from '../train/checkpoint';
import type { NamedArray } from '../train/layers';
import { describeTorchFile, readSafeTensorsFile, torchToOurs, type TorchFileInfo } from '../train/torch-weights';

/** Where a run's initial weights come from, as the train request names it. */
export interface InitSource {
  /** a safetensors file on the core's machine */
  file?: string;
  /** a completed run on the same dataset */
  run?: string;
  /** leave the classifier fresh (the file's has another class count) */
  resetHead?: boolean;
}

export interface InitWeights {
  weights: NamedArray[];
  origin: RunOrigin;
}

const sha256Of = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

/** A safetensors file as a model of the dataset's image shape: its tensors, read and described once. */
export function readTorchRun(path: string, imageShape: ImageShape, roots?: ReadRoots, field = 'file') {
  roots?.check(path, 'weights file', field);
  const file = readSafeTensorsFile(path);
  return { file, info: describeTorchFile(file, path, imageShape), sha256: sha256Of(path) };
}

function sameModel(info: TorchFileInfo, cfg: RunConfig, source: string): void {
  if (info.spec.kind !== cfg.model) throw new UserError(`${source} holds a ${info.spec.kind}, the run trains a ${cfg.model}: add --model ${info.spec.kind}`);
  if (info.spec.normHead !== cfg.normHead) {
    throw new UserError(`${source} has ${info.spec.normHead ? "LDAM-DRW's cosine classifier" : 'a linear classifier'}; the run's ${cfg.method} uses ${cfg.normHead ? 'the cosine one' : 'a linear one'}`);
  }
}

/**
 * The initial weights of a new run of `cfg` on a split of `datasetId` with `numClasses` classes, in
 * our layout, with the origin the run records. Checked here, before the run exists.
 */
export function resolveInitWeights(store: Store, src: InitSource, cfg: RunConfig, datasetId: number, numClasses: number, roots?: ReadRoots): InitWeights {
  const at = new Date().toISOString();
  const ds = getDataset(store, datasetId);
  if (src.file && src.run) throw fieldError('give --init-weights FILE or --init-from RUN, not both', ['initWeights'], 'choose one: a file or a run');
  if (src.run) {
    const r = runRow(store, src.run);
    const path = runFilePath(store, r.id, 'weights');
    if (r.status !== 'completed' || !path) throw fieldError(`run "${r.name}" is ${r.status}; only a completed run's weights can start another`, ['initFrom'], `${r.name} is ${r.status}`);
    const { meta, weights } = readWeights(path);
    const source = `run "${r.name}"`;
    if (meta.imageShape.join() !== ds.imageShape.join() || meta.numClasses !== numClasses) {
      throw fieldError(`${source} was trained on ${meta.imageShape.join('x')} images of ${meta.numClasses} classes; this split has ${ds.imageShape.join('x')} and ${numClasses}`, ['initFrom'], 'trained on other data');
    }
    sameModel({ spec: { kind: meta.model, imageShape: meta.imageShape, numClasses: meta.numClasses, normHead: meta.normHead } }, cfg, source);
    return { weights, origin: { kind: 'initialised', file: `run ${r.name}`, sha256: sha256Of(path), at, source: { run: r.name } } };
  }
  const path = src.file!;
  const { file, info, sha256 } = readTorchRun(path, ds.imageShape, roots, 'initWeights');
  sameModel(info, cfg, path);
  const spec = { ...info.spec, numClasses };
  if (info.spec.numClasses !== numClasses && !src.resetHead) {
    throw new UserError(`${path}: its classifier has ${info.spec.numClasses} classes and this split ${numClasses}; add --reset-head to train a new classifier on its features`);
  }
  const weights = torchToOurs(file, spec, path, src.resetHead);
  return { weights, origin: { kind: 'initialised', file: basename(path), sha256, at, resetHead: !!src.resetHead && info.spec.numClasses !== numClasses, source: info.run ?? null } };
}

/** Stores a new run's initial weights in its folder and on its row (inside the caller's transaction). */
export function storeInitWeights(store: Store, runId: number, cfg: RunConfig, imageShape: ImageShape, numClasses: number, w: InitWeights): void {
  const dir = runDir(store, runId);
  mkdirSync(dir, { recursive: true });
  try {
    // mean / std are the split's, computed when training starts; the init file carries tensors only
    const meta: WeightsMeta = { model: cfg.model, imageShape, numClasses, normHead: cfg.normHead, mean: [], std: [] };
    setInitWeights(store, runId, writeWeights(join(dir, 'init.bin'), meta, w.weights));
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}
