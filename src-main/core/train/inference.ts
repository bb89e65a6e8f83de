// Trained models read back from their weights file: as a frozen teacher, for the virtual-example
// distribution, and for export.
import type { Groups, VirtualExamplesInfo } from '../domain/types';
import { flatness, virtualExamples } from '../eval/virtual-examples';
import { Rng } from '../rng';
import { normalizationTable } from './augment';
import { BatchAssembler } from './batches';
import { readWeights, type WeightsMeta } from './checkpoint';
import { predictLogits } from './loop';
import { createModel, type Model } from './models';

export interface LoadedModel {
  model: Model;
  meta: WeightsMeta;
}

export function loadModel(path: string): LoadedModel {
  const { meta, weights } = readWeights(path);
  // the init is overwritten by restore(); the seed only has to be valid
  const model = createModel({ kind: meta.model, imageShape: meta.imageShape, numClasses: meta.numClasses, normHead: meta.normHead }, new Rng(0));
  model.restore(weights);
  return { model, meta };
}

/** Eval-mode logits of a loaded model over uint8 images, normalised as the model was trained. */
export function logitsOf(m: LoadedModel, images: Uint8Array, labels: Int32Array, batchSize = 256): Float32Array {
  const lut = normalizationTable({ mean: m.meta.mean, std: m.meta.std });
  return predictLogits(m.model, new BatchAssembler(images, labels, m.meta.imageShape, lut, batchSize), batchSize);
}

/** The paper's Figures 1 and 5: V_k = sum over the training split of the (power-normalised) tempered softmax. */
export function virtualExampleInfo(
  run: string,
  logits: Float32Array,
  n: number,
  counts: number[],
  groups: Groups,
  tau: number,
  power: number,
): VirtualExamplesInfo {
  const v = Array.from(virtualExamples(logits, n, counts.length, tau, power));
  return { run, tau, power, v, counts, flatness: flatness(v, counts, groups) };
}
