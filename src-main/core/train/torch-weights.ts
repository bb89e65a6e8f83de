// A model's weights as a PyTorch safetensors file, out and in: `dive export --format safetensors`,
// `--init-weights`, `dive import-run` and bench:parity --exact. The file holds the state_dict of the
// PyTorch modules in docs/pytorch/models.py (torch-layout.ts) and, in __metadata__ (strings, JSON
// where structured), what is needed to use it: model, imageShape, numClasses, classNames, mean,
// std (the per-channel normalisation of pixel / 255), normHead and the run it came from.
import { readFileSync } from 'node:fs';
import { UserError } from '../domain/errors';
import { MODELS, type ImageShape, type ModelKind } from '../domain/run-config';
import type { WrittenFile } from '../store/files';
import { writeFileAtomic, type WeightsMeta } from './checkpoint';
import type { NamedArray } from './layers';
import { modelTensorShapes } from './model-shapes';
import { decodeSafeTensors, encodeSafeTensors, type SafeTensorsFile } from './safetensors';
import { fromStateDict, inferArchitecture, toStateDict, type LayoutSpec } from './torch-layout';

export interface TorchExportInfo {
  classNames: string[];
  /** the run the weights come from: name, id, method, split, dataset, top-1 */
  run: Record<string, unknown>;
  /** training steps taken (batch norm's num_batches_tracked) */
  steps: number;
}

/** The __metadata__ of an exported run. */
export function torchMetadata(meta: WeightsMeta, info: TorchExportInfo): Record<string, string> {
  return {
    format: 'pt',
    model: meta.model,
    imageShape: JSON.stringify(meta.imageShape),
    numClasses: String(meta.numClasses),
    normHead: String(meta.normHead),
    classNames: JSON.stringify(info.classNames),
    mean: JSON.stringify(meta.mean),
    std: JSON.stringify(meta.std),
    input: 'NCHW float32: (pixel / 255 - mean[c]) / std[c]',
    run: JSON.stringify(info.run),
  };
}

export function encodeTorchWeights(meta: WeightsMeta, weights: readonly NamedArray[], info: TorchExportInfo): Buffer[] {
  const spec: LayoutSpec = { kind: meta.model, imageShape: meta.imageShape, numClasses: meta.numClasses, normHead: meta.normHead };
  return encodeSafeTensors(toStateDict(spec, weights, info.steps), torchMetadata(meta, info));
}

export function writeTorchWeights(path: string, meta: WeightsMeta, weights: readonly NamedArray[], info: TorchExportInfo): WrittenFile {
  return writeFileAtomic(path, encodeTorchWeights(meta, weights, info));
}

/** A safetensors file from disk; a missing or unreadable file, or another format, is one line. */
export function readSafeTensorsFile(path: string): SafeTensorsFile {
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UserError(code === 'ENOENT' ? `${path} does not exist` : code === 'EISDIR' ? `${path} is a folder, not a safetensors file` : `cannot read ${path} (${code ?? 'error'})`);
  }
  return decodeSafeTensors(buf, path);
}

function metaJson<T>(file: SafeTensorsFile, key: string, source: string, ok: (v: unknown) => v is T): T | undefined {
  const raw = file.metadata[key];
  if (raw === undefined) return undefined;
  try {
    const v: unknown = JSON.parse(raw);
    if (ok(v)) return v;
  } catch {
    // reported below
  }
  throw new UserError(`${source}: metadata ${key} is not what the workbench writes (${raw.slice(0, 60)})`);
}

const numbers = (n?: number) => (v: unknown): v is number[] => Array.isArray(v) && v.every((x) => typeof x === 'number' && Number.isFinite(x)) && (n === undefined || v.length === n);
const strings = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');

/** What a safetensors file says about itself, its metadata first, its tensor names where it has none. */
export interface TorchFileInfo {
  spec: LayoutSpec;
  /** per-channel normalisation, when the file records it */
  mean?: number[];
  std?: number[];
  classNames?: string[];
  run?: Record<string, unknown>;
}

/** The model a file holds, for data of `imageShape`; the metadata (if any) must agree with its tensors. */
export function describeTorchFile(file: SafeTensorsFile, source: string, imageShape: ImageShape): TorchFileInfo {
  const inferred = inferArchitecture(file.tensors, source);
  const model = file.metadata.model;
  if (model !== undefined && (!(MODELS as readonly string[]).includes(model) || model !== inferred.kind)) {
    throw new UserError(`${source}: metadata says model ${model.slice(0, 40)}, its tensors are a ${inferred.kind}`);
  }
  const shape = metaJson(file, 'imageShape', source, numbers(3));
  if (shape && shape.join() !== imageShape.join()) throw new UserError(`${source}: trained on ${shape.join('x')} images; this dataset's are ${imageShape.join('x')}`);
  const c = imageShape[2];
  const mean = metaJson(file, 'mean', source, numbers(c));
  const std = metaJson(file, 'std', source, numbers(c));
  if (std?.some((s) => !(s > 0))) throw new UserError(`${source}: metadata std must be positive`);
  const run = metaJson(file, 'run', source, (v): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v));
  return {
    spec: { kind: inferred.kind as ModelKind, imageShape, numClasses: inferred.numClasses, normHead: inferred.normHead },
    mean, std, run,
    classNames: metaJson(file, 'classNames', source, strings),
  };
}

/**
 * The file's tensors in our layout for a model of `spec` (the caller's class count: with
 * resetHead, a classifier of another size is left out and the model keeps its fresh one).
 */
export function torchToOurs(file: SafeTensorsFile, spec: LayoutSpec, source: string, resetHead = false): NamedArray[] {
  return fromStateDict(spec, file.tensors, modelTensorShapes(spec), source, { resetHead });
}
