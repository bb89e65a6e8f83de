import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import type { EpochRecord } from '../../src-main/core/domain/types';
import { UserError } from '../../src-main/core/domain/errors';
import { Rng } from '../../src-main/core/rng';
import { readCheckpoint, writeCheckpoint, type Checkpoint } from '../../src-main/core/train/checkpoint';
import { parseRunConfig, type RunConfigInput } from '../../src-main/core/domain/run-config';
import { teacherInputMap, trainRun, type BatchProgress, type TrainCompleted, type TrainOptions } from '../../src-main/core/train/loop';
import { createModel } from '../../src-main/core/train/models';
import { syntheticData } from './loop-data';

before(async () => {
  await tf.setBackend('cpu');
});

const data = syntheticData();
/** for the conv models: 4x4 images, 30 training images */
const small = syntheticData(4, [12, 8, 6, 4]);
const cfg = (c: Partial<RunConfigInput> = {}) =>
  parseRunConfig({ method: 'ce', model: 'mlp', epochs: 3, batchSize: 16, lr: 0.05, ...c });

async function completed(opts: TrainOptions): Promise<TrainCompleted> {
  const r = await trainRun(opts);
  assert.equal(r.status, 'completed');
  return r as TrainCompleted;
}

/** Everything that must be reproducible (timings are not). */
function outcome(r: TrainCompleted) {
  const strip = (e: EpochRecord) => ({ epoch: e.epoch, loss: e.loss, lr: e.lr, trainAcc: e.trainAcc, testAcc: e.testAcc });
  return { records: r.records.map(strip), final: r.final, warnings: r.warnings, weights: r.weights, testLogits: Array.from(r.testLogits) };
}

describe('trainRun', () => {
  test('records per epoch: 1-based epochs, the lr of the last batch, accuracies in [0, 1]', async () => {
    const r = await completed({ config: cfg({ warmupEpochs: 2, milestones: [2], gamma: 0.5 }), data });
    assert.deepEqual(r.records.map((e) => e.epoch), [1, 2, 3]);
    // per-step warm-up over 2 epochs of 4 batches: the last batch of epoch 1 is step 4 of 8
    assert.deepEqual(r.records.map((e) => e.lr), [0.025, 0.05, 0.025]);
    for (const e of r.records) {
      assert.ok(e.trainAcc >= 0 && e.trainAcc <= 1 && e.testAcc !== null && e.testAcc >= 0 && e.testAcc <= 1);
      assert.equal(e.valAcc, null);
      assert.ok(e.loss > 0 && e.seconds > 0 && e.imagesPerSec > 0);
    }
    assert.equal(r.final.epoch, 3);
    assert.equal(r.final.top1, r.records[2].testAcc);
    assert.equal('best' in r, false, 'no epoch is chosen on the test set');
    assert.deepEqual(r.trainCounts, data.classCounts);
    assert.equal(r.testLogits.length, 32 * 4);
    assert.equal(r.final.confusion?.length, 4);
    assert.deepEqual(r.normalization.mean.length, 1);
  });

  test('learns the synthetic task (an MLP and a small CNN)', async () => {
    // no flips here: mirroring swaps the left and right quadrants, i.e. the classes
    for (const model of ['mlp', 'cnn'] as const) {
      const r = await completed({ config: cfg({ model, augment: { flip: false } }), data });
      assert.ok(r.final.top1 >= 0.9, `${model} top-1 ${r.final.top1}`);
      assert.ok(r.records[2].loss < r.records[0].loss / 2, `${model} loss ${r.records.map((e) => e.loss)}`);
    }
  });

  test('deterministic: same config and seed give identical metrics and weights; another seed does not', async () => {
    const c = cfg({ model: 'cnn', epochs: 2, batchSize: 8 });
    const a = outcome(await completed({ config: c, data: small }));
    const b = outcome(await completed({ config: c, data: small }));
    assert.deepEqual(a, b);
    const other = outcome(await completed({ config: { ...c, seed: 1 }, data: small }));
    assert.notDeepEqual(other.weights, a.weights);
    assert.notDeepEqual(other.testLogits, a.testLogits);
  });

  test('the same number of tensors after every epoch and after the run', async () => {
    const start = tf.memory().numTensors;
    const counts: number[] = [];
    await completed({ config: cfg({ model: 'resnet8', batchSize: 8 }), data: small, hooks: { onEpoch: () => void counts.push(tf.memory().numTensors) } });
    assert.equal(counts.length, 3);
    assert.ok(counts.every((n) => n === counts[0]), counts.join());
    assert.equal(tf.memory().numTensors, start);
  });

  test('resuming from the checkpoint of epoch 1 (through a file) gives exactly the uninterrupted result', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dive-test-'));
    try {
      // LDAM-DRW switching its weights on at epoch 2 and a cosine classifier: the epoch-dependent
      // loss and the model's batch-norm state both cross the resume boundary.
      const c = cfg({ model: 'resnet8', method: 'ldam-drw', params: { drwEpoch: 2 }, lr: 0.02, batchSize: 8 });
      const full = await completed({
        config: c,
        data: small,
        hooks: { onEpoch: (rec, ck) => void writeCheckpoint(join(dir, `epoch-${rec.epoch}.ckpt`), ck) },
      });
      assert.deepEqual(readdirSync(dir).sort(), ['epoch-1.ckpt', 'epoch-2.ckpt', 'epoch-3.ckpt'], 'no temporary files left');
      const ck = readCheckpoint(join(dir, 'epoch-1.ckpt'));
      assert.equal(ck.epochsDone, 1);
      const seen: number[] = [];
      const resumed = await completed({ config: c, data: small, resume: ck, hooks: { onEpoch: (rec) => void seen.push(rec.epoch) } });
      assert.deepEqual(seen, [2, 3]);
      assert.deepEqual(outcome(resumed), outcome(full));
      // and from the last checkpoint: nothing to train, the same final evaluation
      const done = await completed({ config: c, data: small, resume: readCheckpoint(join(dir, 'epoch-3.ckpt')) });
      assert.deepEqual(outcome(done), outcome(full));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a checkpoint written before warmupForm / evalEvery / valFraction resumes as per-epoch, evaluated every epoch', async () => {
    const c = cfg({ epochs: 2, warmupForm: 'epoch', evalEvery: 1 });
    let ck: Checkpoint | undefined;
    await completed({ config: c, data, hooks: { onEpoch: (r, k) => void (r.epoch === 1 && (ck = k)) } });
    const { warmupForm: _w, evalEvery: _e, valFraction: _v, ...legacy } = ck!.config;
    const old = { ...ck!, config: legacy as typeof c };
    assert.equal((await trainRun({ config: c, data, resume: old })).status, 'completed');
    await assert.rejects(trainRun({ config: { ...c, warmupForm: 'step' }, data, resume: old }), /different configuration/);
  });

  test('a checkpoint from another configuration is refused', async () => {
    let ck: Checkpoint | undefined;
    await completed({ config: cfg({ epochs: 1 }), data, hooks: { onEpoch: (_r, c) => void (ck = c) } });
    await assert.rejects(trainRun({ config: cfg({ epochs: 1, lr: 0.01 }), data, resume: ck }), UserError);
  });

  test('onBatch progress and shouldStop', async () => {
    const progress: BatchProgress[] = [];
    const r = await trainRun({
      config: cfg(),
      data,
      hooks: { onBatch: (p) => void progress.push(p), shouldStop: () => progress.length >= 6 },
    });
    assert.deepEqual(r, { status: 'stopped', epochsDone: 1, records: r.records });
    assert.equal(r.records.length, 1);
    assert.deepEqual(progress.map((p) => [p.epoch, p.batch, p.batches]), [[1, 1, 4], [1, 2, 4], [1, 3, 4], [1, 4, 4], [2, 1, 4], [2, 2, 4]]);
    // the ETA is images left / measured speed: its value depends on the machine's load, so only its form is asserted
    for (const p of progress) assert.ok(p.acc >= 0 && p.acc <= 1 && p.loss > 0 && p.imagesPerSec > 0 && Number.isFinite(p.etaSeconds) && p.etaSeconds >= 0);
  });
});

describe('trainRun with a teacher', () => {
  test('dive with alpha 0 is exactly bsce; alpha 0.5 differs; the teacher is left unchanged', async () => {
    const teacher = createModel({ kind: 'cnn', imageShape: [8, 8, 1], numClasses: 4 }, new Rng(42));
    const before = teacher.snapshot();
    const bsce = outcome(await completed({ config: cfg({ method: 'bsce', epochs: 2 }), data }));
    const alpha0 = outcome(await completed({ config: cfg({ method: 'dive', epochs: 2, params: { alpha: 0 } }), data, teacher }));
    assert.deepEqual(alpha0, bsce);
    const dive = outcome(await completed({ config: cfg({ method: 'dive', epochs: 2 }), data, teacher }));
    assert.notDeepEqual(dive.weights, bsce.weights);
    assert.deepEqual(teacher.snapshot(), before, 'teacher weights and running statistics unchanged');
    teacher.dispose();
  });

  test('teacher errors', async () => {
    await assert.rejects(trainRun({ config: cfg({ method: 'dive' }), data }), /method dive needs a teacher/);
    const t = createModel({ kind: 'mlp', imageShape: [8, 8, 1], numClasses: 3 }, new Rng(0));
    await assert.rejects(trainRun({ config: cfg({ method: 'kd' }), data, teacher: t }), /the teacher takes 8x8x1 images and 3 classes/);
    await assert.rejects(trainRun({ config: cfg({ method: 'ce' }), data, teacher: t }), /does not use a teacher/);
    t.dispose();
  });
});

describe('trainRun input checks', () => {
  test('bad data is a UserError naming the problem', async () => {
    const bad = { ...data, trainLabels: Int32Array.from(data.trainLabels, (y, i) => (i === 5 ? 9 : y)) };
    await assert.rejects(trainRun({ config: cfg(), data: bad }), /training label 9 of image 5 is outside 0\.\.3/);
    await assert.rejects(trainRun({ config: cfg(), data: { ...data, classCounts: [1, 2] } }), /2 class counts for 4 classes/);
    await assert.rejects(trainRun({ config: cfg(), data: { ...data, testImages: data.testImages.subarray(1) } }), /test pixel bytes/);
  });

  test('divergence stops the run with a clear error', async () => {
    await assert.rejects(trainRun({ config: cfg({ lr: 1e30, warmupEpochs: 0 }), data }), /training diverged: the loss (is (NaN|Infinity)|reached [\d.e+]+) at epoch 1, batch \d+/);
  });

  test('a run that does not learn says so', async () => {
    const warned: string[] = [];
    const r = await completed({ config: cfg({ lr: 1e-9, epochs: 3 }), data, hooks: { onWarning: (w) => void warned.push(w) } });
    assert.deepEqual(r.warnings, warned);
    assert.ok(r.warnings.includes('the run ended at chance level: test top-1 9.4% with 4 balanced classes (chance 25.0%)'), r.warnings.join('; '));
    const fine = await completed({ config: cfg({ augment: { flip: false } }), data });
    assert.deepEqual(fine.warnings, []);
  });
});

describe('evaluation cadence and validation holdout', () => {
  test('--eval-every 2: epochs 2 and 3 (the last) are evaluated, epoch 1 carries null', async () => {
    const metrics: (number | null)[] = [];
    const r = await completed({ config: cfg({ evalEvery: 2 }), data, hooks: { onEpoch: (_r, _c, m) => void metrics.push(m ? m.top1 : null) } });
    assert.deepEqual(r.records.map((e) => e.testAcc === null), [true, false, false]);
    assert.equal(metrics[0], null);
    assert.equal(r.final.top1, r.records[2].testAcc);
    // the same run evaluated every epoch trains identically
    const every = await completed({ config: cfg({ evalEvery: 1 }), data });
    assert.deepEqual(every.weights, r.weights);
  });

  test('--val-fraction holds out a stratified share, never trained on, and records its balanced accuracy', async () => {
    const r = await completed({ config: cfg({ valFraction: 0.25, augment: { flip: false } }), data });
    // round(0.25 * [28, 18, 12, 6]) = [7, 5, 3, 2] (4.5 rounds to 5, 1.5 to 2)
    assert.deepEqual(r.trainCounts, [21, 13, 9, 4]);
    for (const e of r.records) assert.ok(e.valAcc != null && e.valAcc >= 0 && e.valAcc <= 1);
    assert.ok((r.records[2].valAcc ?? 0) > 0.5, `validation accuracy ${r.records[2].valAcc}`);
    const full = await completed({ config: cfg({ augment: { flip: false } }), data });
    assert.notDeepEqual(full.weights, r.weights);
  });
});

describe('teacher input normalisation', () => {
  test("a teacher trained with other statistics gets its own normalisation; the same statistics change nothing", async () => {
    const teacher = createModel({ kind: 'mlp', imageShape: [8, 8, 1], numClasses: 4 }, new Rng(7));
    const c = cfg({ method: 'dive', epochs: 1 });
    const plain = outcome(await completed({ config: c, data, teacher }));
    const own = await completed({ config: c, data, teacher });
    const same = outcome(await completed({ config: c, data, teacher, teacherNormalization: own.normalization }));
    assert.deepEqual(same, plain);
    const other = outcome(await completed({ config: c, data, teacher, teacherNormalization: { mean: [0.1], std: [0.5] } }));
    assert.notDeepEqual(other.weights, plain.weights);
    teacher.dispose();
  });

  test('teacherInputMap: x_t = (x_s * std_s + mean_s - mean_t) / std_t', () => {
    const m = teacherInputMap({ mean: [0.5, 0.2], std: [0.25, 0.1] }, { mean: [0.4, 0.2], std: [0.5, 0.1] });
    const close = (a: number[] | undefined, b: number[]) => assert.ok(a && a.every((v, i) => Math.abs(v - b[i]) < 1e-12), `${a} vs ${b}`);
    close(m?.scale, [0.5, 1]);
    close(m?.shift, [0.2, 0]);
    // a student pixel value of 1 in channel 0 (raw 0.75) is the teacher's (0.75 - 0.4) / 0.5 = 0.7
    assert.ok(Math.abs(1 * m!.scale[0] + m!.shift[0] - 0.7) < 1e-12);
    assert.equal(teacherInputMap({ mean: [0.3], std: [0.2] }, { mean: [0.3], std: [0.2] }), null);
  });
});
