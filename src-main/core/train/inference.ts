// Trained models read back from their weights file: as a frozen teacher, for the virtual-example
// distribution, and for export.
import type { Groups, VirtualExamplesInfo } from '../domain/types';
import { addVirtualExamples, flatness } from '../eval/virtual-examples';
import { Rng } from '../rng';
import { normalizationTable } from './augment';
import { BatchAssembler } from './batches';
import { readWeights, type WeightsMeta } from './checkpoint';
import { forEachLogits, predictLogits } from './evaluation';
import { createModel, type Model } from './models';
import type { NamedArray } from './layers';
import type { PixelSource } from './pixel-source';

export interface LoadedModel {
  model: Model;
  meta: WeightsMeta;
  /** the arrays the model was restored from (a decoupled or post-hoc run starts from them) */
  weights: NamedArray[];
}

export function loadModel(path: string): LoadedModel {
  const { meta, weights } = readWeights(path);
  // the init is overwritten by restore(); the seed only has to be valid
  const model = createModel({ kind: meta.model, imageShape: meta.imageShape, numClasses: meta.numClasses, normHead: meta.normHead }, new Rng(0));
  model.restore(weights);
  return { model, meta, weights };
}

function assembler(m: LoadedModel, images: Uint8Array | PixelSource, labels: Int32Array, batchSize: number): BatchAssembler {
  return new BatchAssembler(images, labels, m.meta.imageShape, normalizationTable({ mean: m.meta.mean, std: m.meta.std }), batchSize);
}

/** Eval-mode logits of a loaded model over uint8 images, normalised as the model was trained. */
export function logitsOf(m: LoadedModel, images: Uint8Array | PixelSource, labels: Int32Array, batchSize = 256): Promise<Float32Array> {
  return predictLogits(m.model, assembler(m, images, labels, batchSize), batchSize);
}

/** The same a batch at a time: `fn(logits, start, count)` (the N x C logits are never held). */
export function eachLogitsOf(m: LoadedModel, images: Uint8Array | PixelSource, labels: Int32Array, fn: (logits: Float32Array, start: number, count: number) => void, batchSize = 256): Promise<void> {
  return forEachLogits(m.model, assembler(m, images, labels, batchSize), batchSize, fn);
}

/** The virtual-example distribution of a loaded model over a training split, streamed. */
export async function virtualExamplesOf(
  run: string,
  m: LoadedModel,
  data: { trainImages: Uint8Array | PixelSource; trainLabels: Int32Array; classCounts: number[]; groups: Groups },
  tau: number,
  power: number,
): Promise<VirtualExamplesInfo> {
  const v = new Float64Array(data.classCounts.length);
  await eachLogitsOf(m, data.trainImages, data.trainLabels, (logits, start, count) => addVirtualExamples(v, logits, count, v.length, tau, power, start));
  return { run, tau, power, v: Array.from(v), counts: data.classCounts, flatness: flatness(v, data.classCounts, data.groups) };
}

