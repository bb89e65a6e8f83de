// The training bench's step, shared by train-bench-child.ts and step-profile.ts. It replicates
// trainStep() of src-main/core/train/loop.ts, which is not exported: tensors from the batch,
// tf.variableGrads over methodLoss('ce') with the training-accuracy count kept, Sgd.step, then loss
// and hits read back (asynchronously: webgpu has no synchronous read). Data are a few seeded
// synthetic batches (normal pixels, uniform labels), cycled; the batch assembler and augmentation
// of the real loop are not timed.
import * as tf from '@tensorflow/tfjs-core';
import { DEFAULT_METHOD_PARAMS } from '../../src-main/core/domain/method';
import type { ImageShape } from '../../src-main/core/domain/run-config';
import type { Rng } from '../../src-main/core/rng';
import { methodLoss } from '../../src-main/core/train/losses';
import type { Model } from '../../src-main/core/train/models';
import type { Sgd } from '../../src-main/core/train/optim';
import { CLASSES, SGD } from './train-bench-types';

/** distinct synthetic batches, cycled (the Python side uses the same count) */
export const DISTINCT = 4;

/** Seeded synthetic batches: standard normal pixels (already "normalised"), uniform labels. */
export function syntheticBatches(rng: Rng, batch: number, shape: ImageShape): { x: Float32Array; y: Int32Array }[] {
  const size = batch * shape[0] * shape[1] * shape[2];
  return Array.from({ length: DISTINCT }, () => {
    const x = new Float32Array(size);
    for (let i = 0; i < size; i++) x[i] = rng.normal();
    const y = new Int32Array(batch);
    for (let i = 0; i < batch; i++) y[i] = rng.int(0, CLASSES - 1);
    return { x, y };
  });
}

/** loop.ts trainStep() for method 'ce' without a teacher (see the note at the top). */
export async function trainStep(model: Model, opt: Sgd, b: { x: Float32Array; y: Int32Array }, classCounts: number[]): Promise<{ loss: number; hits: number }> {
  const [h, w, c] = model.spec.imageShape;
  let hits: tf.Scalar | undefined;
  let loss: tf.Scalar | undefined;
  try {
    loss = tf.tidy(() => {
      const x = tf.tensor4d(b.x, [b.y.length, h, w, c]);
      const y = tf.tensor1d(b.y, 'int32');
      const { value, grads } = tf.variableGrads(() => {
        const logits = model.apply(x, true);
        hits = tf.keep(tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), y), 'int32')) as tf.Scalar);
        return methodLoss('ce', DEFAULT_METHOD_PARAMS, logits, y, { classCounts, epoch: 0 });
      }, Object.values(model.params));
      opt.step(grads, SGD.lr);
      return value;
    });
    const [l, n] = await Promise.all([loss.data(), hits?.data()]);
    return { loss: l[0], hits: n ? n[0] : 0 };
  } finally {
    loss?.dispose();
    hits?.dispose();
  }
}

/** Eval-mode forward as predictLogits() does it, logits read back. */
export async function inferStep(model: Model, b: { x: Float32Array; y: Int32Array }): Promise<void> {
  const [h, w, c] = model.spec.imageShape;
  const logits = tf.tidy(() => model.apply(tf.tensor4d(b.x, [b.y.length, h, w, c]), false));
  await logits.data();
  logits.dispose();
}
