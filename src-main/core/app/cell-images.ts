// The test images of one confusion-matrix cell of a completed run. The per-image predictions are
// computed once (by `compute`: a worker under the window or the server, since TF.js never runs on
// the front door's event loop) and stored with the run, so later clicks only read pixels.
import { existsSync } from 'node:fs';
import type { CellImages, ParsedArgs } from '../domain/contract';
import { UserError } from '../domain/errors';
import { datasetPart, getDataset } from '../store/datasets';
import { loadPredictions } from '../store/predictions';
import { getRun, runFilePath } from '../store/runs';
import { partImages } from '../store/samples';
import type { Store } from '../store/store';

/** Indices i (ascending) with labels[i] === actual and predictions[i] === predicted. */
export function cellIndices(labels: ArrayLike<number>, predictions: ArrayLike<number>, actual: number, predicted: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < labels.length; i++) if (labels[i] === actual && predictions[i] === predicted) out.push(i);
  return out;
}

export async function cellImages(store: Store, a: ParsedArgs<'cellImages'>, compute: (run: string) => Promise<unknown>): Promise<CellImages> {
  const run = getRun(store, a.run);
  if (run.status !== 'completed') throw new UserError(`run "${run.name}" is ${run.status}; only a completed run has test predictions to show`);
  const weights = runFilePath(store, run.id, 'weights');
  if (!weights || !existsSync(weights)) throw new UserError(`run "${run.name}" has no weights file${weights ? ` (${weights} is missing)` : ''}; train it again to see its test images`);
  const d = getDataset(store, run.dataset);
  for (const [field, k] of [['actual', a.actual], ['predicted', a.predicted]] as const) {
    if (k >= d.numClasses) throw new UserError(`${field}: ${k} is not a class of "${d.name}" (0..${d.numClasses - 1})`);
  }
  const test = datasetPart(store, d.id, 'test');
  const labels = test.labels;
  let predictions = loadPredictions(store, run.id);
  if (!predictions) {
    await compute(run.name);
    predictions = loadPredictions(store, run.id);
  }
  if (!predictions || predictions.length !== labels.length) {
    throw new UserError(`run "${run.name}": its test predictions do not match the test set of "${d.name}" (${predictions?.length ?? 0} for ${labels.length} images)`);
  }
  const all = cellIndices(labels, predictions, a.actual, a.predicted);
  const indices = all.slice(a.offset, a.offset + a.limit);
  return { run: run.name, actual: a.actual, predicted: a.predicted, total: all.length, indices, imageShape: d.imageShape, images: partImages(test, d.imageShape, indices) };
}
