// The wasm backend with the project's training kernels (src-main/core/train/wasm-kernels) must
// train the same as TF.js's reference cpu backend: the same tiny runs through trainRun() on both,
// in one process (selectBackend loads both, tf.setBackend switches), compared epoch by epoch.
//
// The two backends are not bit-identical (different summation orders, XNNPACK's kernels), so
// the comparison has a tolerance. Measured differences between them (2-core VM, wasm SIMD build,
// 1 thread; each test prints its figures):
//   cnn:     loss rel. diff 5e-8 / 1.7e-7 (epochs 1 / 2), test logits max abs 7.6e-6, weights 3.6e-7
//   resnet8: loss rel. diff 1.4e-8 / 8.9e-8, test logits max abs 3.8e-6, weights 7.2e-7
// The tolerances below are 10 to 15 times those. A wrong kernel is far outside them: scaling the
// output of one wasm kernel by 1.001 (Conv2DBackpropFilter, Conv2DBackpropInput, BatchMatMul,
// MaxPoolGrad, Sum or Mean) gave loss rel. diffs of 1e-5 to 8e-3 and logit diffs of 3e-3 to 0.4.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '../../src-main/core/rng';
import { selectBackend } from '../../src-main/core/train/backend';
import { parseRunConfig, type ModelKind } from '../../src-main/core/domain/run-config';
import { trainRun, type TrainCompleted, type TrainData } from '../../src-main/core/train/loop';

/** relative difference allowed between the backends' per-epoch mean losses */
const LOSS_RTOL = 2e-6;
/** absolute difference allowed in each final test logit (logits are of order 1) */
const LOGIT_ATOL = 1e-4;
/** absolute difference allowed in each final weight and batch-norm statistic */
const WEIGHT_ATOL = 1e-5;

const SIZE = 8;
const CLASSES = 4;

/**
 * 8x8x3 images, 4 classes: class k brightens quadrant k (each channel with its own noise), so the
 * runs learn something and the losses move. 64 long-tailed training images, 8 test images a class.
 */
function tinyData(seed = 0): TrainData {
  const rng = new Rng(seed);
  const make = (counts: number[]) => {
    const n = counts.reduce((a, b) => a + b, 0);
    const pixels = new Uint8Array(n * SIZE * SIZE * 3);
    const labels = new Int32Array(n);
    let i = 0;
    counts.forEach((count, k) => {
      for (let c = 0; c < count; c++, i++) {
        labels[i] = k;
        for (let y = 0; y < SIZE; y++) {
          for (let x = 0; x < SIZE; x++) {
            const quadrant = (y < SIZE / 2 ? 0 : 2) + (x < SIZE / 2 ? 0 : 1);
            for (let ch = 0; ch < 3; ch++) pixels[((i * SIZE + y) * SIZE + x) * 3 + ch] = (quadrant === k ? 150 : 40) + rng.int(0, 100);
          }
        }
      }
    });
    return { pixels, labels };
  };
  const classCounts = [28, 18, 12, 6];
  const train = make(classCounts);
  const test = make([8, 8, 8, 8]);
  return {
    trainImages: train.pixels,
    trainLabels: train.labels,
    testImages: test.pixels,
    testLabels: test.labels,
    imageShape: [SIZE, SIZE, 3],
    numClasses: CLASSES,
    classCounts,
    groups: { many: [0], medium: [1, 2], few: [3] },
  };
}

interface Outcome {
  losses: number[];
  trainAcc: number[];
  testLogits: Float32Array;
  weights: Float32Array[];
  /** tf.memory().numTensors before the run, at each epoch end, after the run */
  tensorsBefore: number;
  tensorsAtEpochs: number[];
  tensorsAfter: number;
}

async function run(backend: 'cpu' | 'wasm', model: ModelKind): Promise<Outcome> {
  assert.ok(await tf.setBackend(backend));
  // no flips: mirroring swaps quadrants, i.e. classes; crops stay (they are drawn in JavaScript, the same on both)
  const config = parseRunConfig({ method: 'ce', model, epochs: 2, batchSize: 16, lr: 0.05, milestones: [], seed: 3, augment: { flip: false } });
  const tensorsBefore = tf.memory().numTensors;
  const tensorsAtEpochs: number[] = [];
  const r = await trainRun({ config, data: tinyData(), hooks: { onEpoch: () => void tensorsAtEpochs.push(tf.memory().numTensors) } });
  assert.equal(r.status, 'completed');
  const done = r as TrainCompleted;
  return {
    losses: done.records.map((e) => e.loss),
    trainAcc: done.records.map((e) => e.trainAcc),
    testLogits: done.testLogits,
    weights: done.weights.map((w) => Float32Array.from(w.data)),
    tensorsBefore,
    tensorsAtEpochs,
    tensorsAfter: tf.memory().numTensors,
  };
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

before(async () => {
  // both backends loaded (and the wasm kernels and gradients registered); each run picks one
  await selectBackend('wasm', { threads: 1 });
  await selectBackend('cpu');
});

describe('wasm training kernels against the cpu reference backend', () => {
  for (const model of ['cnn', 'resnet8'] as const) {
    test(`${model}: the same losses, logits and weights after 2 epochs, no leaked tensors`, async () => {
      const cpu = await run('cpu', model);
      const wasm = await run('wasm', model);

      const lossRel = cpu.losses.map((l, i) => Math.abs(wasm.losses[i] - l) / Math.abs(l));
      const logitDiff = maxAbsDiff(cpu.testLogits, wasm.testLogits);
      const weightDiff = Math.max(...cpu.weights.map((w, i) => maxAbsDiff(w, wasm.weights[i])));
      // the figures the tolerances above are based on
      console.log(`${model}: losses cpu ${cpu.losses.join(', ')} wasm ${wasm.losses.join(', ')}; loss rel. diff ${lossRel.map((d) => d.toExponential(1)).join(', ')}; logits max abs diff ${logitDiff.toExponential(1)}; weights max abs diff ${weightDiff.toExponential(1)}`);

      // the runs did train: epoch 2's loss is below epoch 1's on both
      assert.ok(cpu.losses[1] < cpu.losses[0], `cpu losses ${cpu.losses}`);
      for (const [i, d] of lossRel.entries()) assert.ok(d <= LOSS_RTOL, `epoch ${i + 1}: loss cpu ${cpu.losses[i]} wasm ${wasm.losses[i]} (rel. diff ${d})`);
      assert.ok(logitDiff <= LOGIT_ATOL, `test logits differ by up to ${logitDiff}`);
      assert.ok(weightDiff <= WEIGHT_ATOL, `weights differ by up to ${weightDiff}`);
      assert.deepEqual(wasm.trainAcc, cpu.trainAcc);

      // tensors: nothing left behind by either run, and the same live set at every epoch end
      for (const o of [cpu, wasm]) assert.equal(o.tensorsAfter, o.tensorsBefore);
      assert.deepEqual(wasm.tensorsAtEpochs.map((n) => n - wasm.tensorsBefore), cpu.tensorsAtEpochs.map((n) => n - cpu.tensorsBefore));
      assert.equal(cpu.tensorsAtEpochs[0], cpu.tensorsAtEpochs[1]);
    });
  }
});
