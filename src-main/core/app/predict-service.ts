// `dive predict RUN FILE|DIR...` and the run page's "Try it": a completed run's model on the user's
// own images. Images are decoded as the importers decode them (data/images.ts: the short side
// resized to the dataset's size, centre-cropped, channels matched to the dataset's), normalised as
// the run was trained, and run in eval mode; each gets its top-K classes with softmax
// probabilities. An image that cannot be read or decoded gets one line in its entry; the others
// are still predicted.
import { existsSync, statSync } from 'node:fs';
import type { Prediction, PredictResult } from '../domain/contract';
import { describeError } from '../domain/describe-error';
import { UserError } from '../domain/errors';
import { imagesBelow } from '../data/folder';
import { decodeImageInput, type Channels } from '../data/images';
import type { ReadRoots } from '../data/read-roots';
import { getDataset } from '../store/datasets';
import type { Store } from '../store/store';
import { completed } from './model-export';

/** An image to predict: a path on the core's machine, or a file's bytes with its name. */
export type PredictInput = { path: string; name?: string } | { name: string; bytes: Buffer };

/** The files a list of paths names: a folder gives its images (recursively, in code-point order), a missing path an error entry. */
export function expandInputs(paths: readonly string[], roots?: ReadRoots): { inputs: PredictInput[]; errors: Prediction[] } {
  const inputs: PredictInput[] = [];
  const errors: Prediction[] = [];
  for (const p of paths) {
    try {
      roots?.check(p, 'image', 'files');
      if (!existsSync(p)) throw new UserError(`${p} does not exist`);
      if (statSync(p).isDirectory()) {
        const found = imagesBelow(p);
        if (!found.length) throw new UserError(`${p} holds no images (.jpg, .jpeg, .png, .webp)`);
        inputs.push(...found.map((f) => ({ path: f })));
      } else inputs.push({ path: p });
    } catch (e) {
      errors.push({ file: p, error: describeError(e) });
    }
  }
  return { inputs, errors };
}

/** Top-k (class, label, p) of softmax(logits row), most probable first. */
export function topK(logits: ArrayLike<number>, labels: readonly string[], k: number): { class: number; label: string; p: number }[] {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i]);
  const e = Array.from(logits, (z) => Math.exp(z - max));
  const sum = e.reduce((a, b) => a + b, 0);
  return e
    .map((v, i) => ({ class: i, label: labels[i] ?? String(i), p: v / sum }))
    .sort((a, b) => b.p - a.p || a.class - b.class)
    .slice(0, k);
}

export async function predictImages(store: Store, runName: string, inputs: readonly PredictInput[], top: number, errors: Prediction[] = []): Promise<PredictResult> {
  const { run, weights } = completed(store, runName);
  const ds = getDataset(store, run.dataset);
  const [h, w, c] = ds.imageShape;
  const decoded: { file: string; pixels: Buffer }[] = [];
  const out: Prediction[] = [...errors];
  for (const input of inputs) {
    const file = 'bytes' in input ? input.name : (input.name ?? input.path);
    try {
      decoded.push({ file, pixels: await decodeImageInput('bytes' in input ? input.bytes : input.path, file, h, c as Channels) });
    } catch (e) {
      out.push({ file, error: describeError(e) });
    }
  }
  if (h !== w) throw new UserError(`run "${run.name}" takes ${h}x${w} images; predicting on non-square images is not supported`);
  if (decoded.length) {
    const [{ selectBackend }, inference] = await Promise.all([import('../train/backend'), import('../train/inference')]);
    await selectBackend();
    const model = inference.loadModel(weights);
    try {
      const pixels = new Uint8Array(Buffer.concat(decoded.map((d) => d.pixels)));
      const logits = await inference.logitsOf(model, pixels, new Int32Array(decoded.length));
      const k = model.meta.numClasses;
      decoded.forEach((d, i) => out.push({ file: d.file, top: topK(logits.subarray(i * k, (i + 1) * k), ds.classNames, Math.min(top, k)) }));
    } finally {
      model.model.dispose();
    }
  }
  // the order the inputs were given in
  const order = new Map<string, number>();
  [...errors.map((e) => e.file), ...inputs.map((i) => ('bytes' in i ? i.name : (i.name ?? i.path)))].forEach((f, i) => order.has(f) || order.set(f, i));
  out.sort((a, b) => (order.get(a.file) ?? 0) - (order.get(b.file) ?? 0));
  return { run: run.name, imageShape: ds.imageShape, predictions: out };
}

/** Uploaded images (the call carries them as base64) as inputs. */
export function uploadedInputs(images: readonly { name: string; data: string }[]): PredictInput[] {
  return images.map((im) => ({ name: im.name, bytes: Buffer.from(im.data, 'base64') }));
}
