// The training loop of one run: seeded init, per-epoch shuffled and augmented batches, the
// method's loss (with a frozen teacher's logits on the same augmented batch for kd / dive, the
// teacher seeing the input normalised as it was trained), SGD with the step's learning rate,
// evaluation on the test set (and the validation holdout, if any) as domain/eval-plan.ts plans it
// (every K epochs and after the last; a short run's earlier epochs on a fixed test sample), and an end-of-epoch checkpoint from which a resumed run continues bit for bit.
// No figure is chosen on the test set: the reported metrics are the last epoch's.
//
// Random streams: Rng(seed) forks once for the weight init and once for the data (epoch order,
// then crop/flip per image in batch order). Only the data stream's state needs checkpointing.
// Epoch numbers: 0-based inside (schedule, losses), 1-based in records and metrics (domain/types).
import { isDeepStrictEqual } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import type { EpochRecord, Groups, RunMetrics } from '../domain/types';
import { UserError } from '../domain/errors';
import { evaluate, type Evaluation } from '../eval/metrics';
import { Rng } from '../rng';
import { channelStats, normalizationTable, type ChannelStats } from './augment';
import { BatchAssembler, batchCount, epochOrder, sequentialOrder, type Batch } from './batches';
import type { Checkpoint } from './checkpoint';
import { resolvePadding, type ImageShape, type RunConfig } from '../domain/run-config';
import type { NamedArray } from './layers';
import { methodLoss } from './losses';
import { TEACHER_METHODS } from '../domain/method';
import { createModel, mergeWeights, type Model } from './models';
import { Sgd } from './optim';
import { evalPlan, evaluatedEpoch, evaluations as plannedEvaluations } from '../domain/eval-plan';
import { gather, stratifiedHoldout, testSample } from './holdout';
import { chanceCheckEpoch, divergenceReason, testChanceWarning, trainChanceWarning } from './run-warnings';
import { learningRateAt } from './schedule';

export interface TrainData {
  /** the split's training images, uint8 NHWC */
  trainImages: Uint8Array;
  trainLabels: Int32Array;
  testImages: Uint8Array;
  testLabels: Int32Array;
  imageShape: ImageShape;
  numClasses: number;
  /** the split's per-class training counts */
  classCounts: number[];
  groups: Groups;
}

export interface BatchProgress {
  /** 1-based */
  epoch: number;
  /** 1-based */
  batch: number;
  batches: number;
  /** mean training loss of the epoch so far */
  loss: number;
  /** training accuracy of the epoch so far (augmented batches, training mode) */
  acc: number;
  imagesPerSec: number;
  /** estimated seconds to the end of the run, evaluations included */
  etaSeconds: number;
}

export interface TrainHooks {
  onBatch?(p: BatchProgress): void | Promise<void>;
  /** after each epoch (and its evaluation, if any); `checkpoint` resumes the run from the end of this epoch */
  onEpoch?(record: EpochRecord, checkpoint: Checkpoint, metrics: RunMetrics | null): void | Promise<void>;
  /** a warning about the run (also in the result's `warnings`) */
  onWarning?(warning: string): void | Promise<void>;
  /** polled after every batch; true stops the run (it can be resumed from the last checkpoint) */
  shouldStop?(): boolean;
  /** every SGD step's own batch loss (bench:parity --exact compares them step by step) */
  onStep?(step: { epoch: number; batch: number; loss: number; lr: number }): void;
}

export interface TrainOptions {
  config: RunConfig;
  data: TrainData;
  /** frozen teacher (kd, dive), run in eval mode on the student's augmented batches */
  teacher?: Model;
  /** the normalisation the teacher was trained with (default: the student's) */
  teacherNormalization?: ChannelStats;
  resume?: Checkpoint;
  /**
   * Initial weights (dive train --init-weights, bench:parity --exact) put over the seeded init
   * before the first step, by name: a tensor left out keeps its fresh value (--reset-head's
   * classifier). Ignored when resuming: the checkpoint has the weights.
   */
  init?: readonly NamedArray[];
  /** the sample order of each 0-based epoch, handed in (bench:parity --exact); default: the seeded shuffle */
  order?: (epoch: number) => Int32Array;
  hooks?: TrainHooks;
  /** images per forward pass when evaluating (no effect on results) */
  evalBatchSize?: number;
}

export interface TrainCompleted {
  status: 'completed';
  epochsDone: number;
  records: EpochRecord[];
  /** metrics after the last epoch: the run's reported figure */
  final: RunMetrics;
  /** what this training found worth telling (chance-level accuracy) */
  warnings: string[];
  /** parameters and batch-norm statistics after the last epoch */
  weights: NamedArray[];
  /** test logits after the last epoch, row-major [testImages, classes] */
  testLogits: Float32Array;
  /** the input normalisation the model was trained with */
  normalization: ChannelStats;
  /** per-class training counts the loss used (the split's, less the validation holdout) */
  trainCounts: number[];
  /** SGD steps the final weights took (batch norm's num_batches_tracked in a PyTorch export) */
  steps: number;
}

export interface TrainStopped {
  status: 'stopped';
  /** epochs completed; the checkpoint of this epoch (from onEpoch) resumes the run */
  epochsDone: number;
  records: EpochRecord[];
}

export type TrainResult = TrainCompleted | TrainStopped;

/** The api's metrics object: confusion as rows of counts, 1-based epoch. */
export function toRunMetrics(e: Evaluation, epoch: number): RunMetrics {
  const c = e.confusion.numClasses;
  const confusion: number[][] = [];
  for (let t = 0; t < c; t++) confusion.push(Array.from(e.confusion.counts.subarray(t * c, (t + 1) * c)));
  return { top1: e.top1, many: e.many, medium: e.medium, few: e.few, ece: e.ece, perClass: e.perClass, confusion, epoch };
}

function checkData(d: TrainData): void {
  const [h, w, c] = d.imageShape;
  const img = h * w * c;
  const bad = (m: string) => new UserError(`training data: ${m}`);
  if (d.trainLabels.length === 0) throw bad('the split has no training images');
  if (d.testLabels.length === 0) throw bad('the dataset has no test images');
  if (d.trainImages.length !== d.trainLabels.length * img) throw bad(`${d.trainImages.length} training pixel bytes for ${d.trainLabels.length} images of ${h}x${w}x${c}`);
  if (d.testImages.length !== d.testLabels.length * img) throw bad(`${d.testImages.length} test pixel bytes for ${d.testLabels.length} images of ${h}x${w}x${c}`);
  if (d.classCounts.length !== d.numClasses) throw bad(`${d.classCounts.length} class counts for ${d.numClasses} classes`);
  for (const [what, labels] of [['training', d.trainLabels], ['test', d.testLabels]] as const) {
    for (let i = 0; i < labels.length; i++) {
      if (labels[i] < 0 || labels[i] >= d.numClasses) throw bad(`${what} label ${labels[i]} of image ${i} is outside 0..${d.numClasses - 1}`);
    }
  }
}

function checkTeacher(cfg: RunConfig, d: TrainData, teacher: Model | undefined): void {
  const needs = TEACHER_METHODS.includes(cfg.method);
  if (needs && !teacher) throw new UserError(`method ${cfg.method} needs a teacher model`);
  if (!needs && teacher) throw new UserError(`method ${cfg.method} does not use a teacher`);
  if (teacher && (teacher.spec.numClasses !== d.numClasses || teacher.spec.imageShape.join() !== d.imageShape.join())) {
    throw new UserError(
      `the teacher takes ${teacher.spec.imageShape.join('x')} images and ${teacher.spec.numClasses} classes; this data has ${d.imageShape.join('x')} and ${d.numClasses}`,
    );
  }
}

/** Logits [N, classes] of `model` in eval mode over uint8 images, in order (read asynchronously: webgpu has no synchronous read). */
export async function predictLogits(model: Model, assembler: BatchAssembler, batchSize: number): Promise<Float32Array> {
  const [h, w, c] = model.spec.imageShape;
  const n = assembler.size;
  const k = model.spec.numClasses;
  const out = new Float32Array(n * k);
  const order = sequentialOrder(n);
  for (let start = 0; start < n; start += batchSize) {
    const count = Math.min(batchSize, n - start);
    const b = assembler.fill(order, start, count);
    const logits = tf.tidy(() => model.apply(tf.tensor4d(b.x, [count, h, w, c]), false));
    try {
      out.set((await logits.data()) as Float32Array, start * k);
    } finally {
      logits.dispose();
    }
  }
  return out;
}

const nextTick = () => new Promise<void>((r) => setImmediate(r));

/** Per-channel x * scale + shift turning the student's normalised input into the teacher's. */
export interface InputMap {
  scale: number[];
  shift: number[];
}

/** x_t = (x_s * std_s + mean_s - mean_t) / std_t per channel; null when both are the same. */
export function teacherInputMap(student: ChannelStats, teacher: ChannelStats): InputMap | null {
  const scale = student.std.map((s, c) => s / teacher.std[c]);
  const shift = student.mean.map((m, c) => (m - teacher.mean[c]) / teacher.std[c]);
  return scale.every((v) => v === 1) && shift.every((v) => v === 0) ? null : { scale, shift };
}

interface StepContext {
  cfg: RunConfig;
  model: Model;
  teacher: Model | undefined;
  teacherMap: InputMap | null;
  opt: Sgd;
  classCounts: number[];
}

/**
 * One SGD step on one batch: the teacher's eval-mode logits on the same (augmented) input, outside
 * the gradient tape; the student's training-mode logits and loss; the update. Returns the batch
 * loss and the number of correct training predictions.
 */
async function trainStep(s: StepContext, batch: Batch, epoch: number, lr: number): Promise<{ loss: number; hits: number }> {
  const [h, w, c] = s.model.spec.imageShape;
  let hits: tf.Scalar | undefined;
  let loss: tf.Scalar | undefined;
  try {
    loss = tf.tidy(() => {
      const x = tf.tensor4d(batch.x, [batch.count, h, w, c]);
      const y = tf.tensor1d(batch.y, 'int32');
      const xt = s.teacherMap ? tf.add(tf.mul(x, tf.tensor1d(s.teacherMap.scale)), tf.tensor1d(s.teacherMap.shift)) : x;
      const teacherLogits = s.teacher ? s.teacher.apply(xt as tf.Tensor4D, false) : undefined;
      const { value, grads } = tf.variableGrads(() => {
        const logits = s.model.apply(x, true);
        hits = tf.keep(tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), y), 'int32')) as tf.Scalar);
        return methodLoss(s.cfg.method, s.cfg.params, logits, y, { classCounts: s.classCounts, epoch, teacherLogits });
      }, Object.values(s.model.params));
      s.opt.step(grads, lr);
      return value;
    });
    const [lossValue, hitsValue] = await Promise.all([loss.data(), hits ? hits.data() : undefined]);
    return { loss: lossValue[0], hits: hitsValue ? hitsValue[0] : 0 };
  } finally {
    loss?.dispose();
    hits?.dispose();
  }
}

/** Mean per-class accuracy (classes without images left out): the holdout is long-tailed too. */
export function balancedAccuracy(logits: Float32Array, labels: Int32Array, numClasses: number): number {
  const hit = new Float64Array(numClasses);
  const all = new Float64Array(numClasses);
  for (let i = 0; i < labels.length; i++) {
    let best = 0;
    for (let k = 1; k < numClasses; k++) if (logits[i * numClasses + k] > logits[i * numClasses + best]) best = k;
    all[labels[i]]++;
    if (best === labels[i]) hit[labels[i]]++;
  }
  let sum = 0;
  let classes = 0;
  for (let k = 0; k < numClasses; k++) {
    if (!all[k]) continue;
    sum += hit[k] / all[k];
    classes++;
  }
  return classes ? sum / classes : 0;
}

// threads / allowSoftwareAdapter: a checkpoint from before they existed ran with their defaults
const LEGACY_CHECKPOINT: Partial<RunConfig> = { warmupForm: 'epoch', evalEvery: 1, valFraction: 0, threads: null, allowSoftwareAdapter: false };

/** Trains one run (or resumes it) on the current TF.js backend. */
export async function trainRun(opts: TrainOptions): Promise<TrainResult> {
  const { config: cfg, data, teacher, resume, hooks = {} } = opts;
  const evalBatch = opts.evalBatchSize ?? 256;
  checkData(data);
  checkTeacher(cfg, data, teacher);
  // a checkpoint from before warmupForm / evalEvery / valFraction existed was trained per epoch, evaluated every epoch
  if (resume && !isDeepStrictEqual({ ...LEGACY_CHECKPOINT, ...resume.config }, cfg)) {
    throw new UserError('the checkpoint was written by a run with a different configuration');
  }
  const shape = data.imageShape;
  const [h, w, c] = shape;
  const holdout = cfg.valFraction > 0 ? stratifiedHoldout(data.trainLabels, data.numClasses, cfg.valFraction, cfg.seed) : null;
  const fit = holdout ? gather(data.trainImages, data.trainLabels, holdout.train, h * w * c) : { images: data.trainImages, labels: data.trainLabels };
  const valSet = holdout ? gather(data.trainImages, data.trainLabels, holdout.val, h * w * c) : null;
  const trainCounts = holdout ? holdout.trainCounts : data.classCounts;
  const n = fit.labels.length;
  const norm = channelStats(fit.images, shape);
  const lut = normalizationTable(norm);
  const train = new BatchAssembler(fit.images, fit.labels, shape, lut, cfg.batchSize);
  const test = new BatchAssembler(data.testImages, data.testLabels, shape, lut, evalBatch);
  const val = valSet ? new BatchAssembler(valSet.images, valSet.labels, shape, lut, evalBatch) : null;
  const augment = { crop: cfg.augment.crop, flip: cfg.augment.flip, padding: resolvePadding(cfg, shape) };
  const plan = evalPlan({ trainImages: n, testImages: data.testLabels.length, epochs: cfg.epochs, evalEvery: cfg.evalEvery });
  const evalEvery = plan.every;
  const sampleIdx = plan.sample === null ? null : testSample(data.testLabels, data.numClasses, plan.sample);
  const sampleSet = sampleIdx ? gather(data.testImages, data.testLabels, sampleIdx, h * w * c) : null;
  const sampled = sampleSet ? new BatchAssembler(sampleSet.images, sampleSet.labels, shape, lut, evalBatch) : null;
  const valImages = valSet ? valSet.labels.length : 0;
  /** test (and validation) images evaluated at 1-based `epoch`: the sample before the last epoch, if any */
  const evalImages = (epoch: number) => (epoch < cfg.epochs && sampleSet ? sampleSet.labels.length : data.testLabels.length) + valImages;

  const root = new Rng(cfg.seed);
  const model = createModel({ kind: cfg.model, imageShape: shape, numClasses: data.numClasses, normHead: cfg.normHead }, root.fork());
  let dataRng = root.fork();
  const opt = new Sgd(model.params, { momentum: cfg.momentum, weightDecay: cfg.weightDecay });
  const teacherMap = teacher && opts.teacherNormalization ? teacherInputMap(norm, opts.teacherNormalization) : null;
  const step: StepContext = { cfg, model, teacher, teacherMap, opt, classCounts: trainCounts };
  const records: EpochRecord[] = [];
  const warnings: string[] = [];
  const warn = async (m: string | null) => {
    if (!m || warnings.includes(m)) return;
    warnings.push(m);
    await hooks.onWarning?.(m);
  };
  let start = 0;
  try {
    if (!resume && opts.init) model.restore(mergeWeights(await model.snapshotAsync(), opts.init));
    if (resume) {
      model.restore(resume.weights);
      opt.restore(resume.momentum);
      dataRng = new Rng(resume.rngState);
      records.push(...resume.records);
      start = resume.epochsDone;
      // warnings are derived from the records, so a resumed run finds those of its earlier epochs again
      const checked = records[chanceCheckEpoch(cfg.epochs) - 1];
      if (checked) await warn(trainChanceWarning(checked.trainAcc, checked.epoch, trainCounts));
    }
    const batches = batchCount(n, cfg.batchSize);
    let lastLogits: Float32Array | null = null;
    let lastMetrics: RunMetrics | null = null;
    /** seconds per evaluated image, once one evaluation has been timed */
    let evalPerImage = -1;
    let firstLoss = Number.NaN;
    /** images still to evaluate after 0-based epoch `from` (its own evaluation included) */
    const evalImagesLeft = (from: number) =>
      plannedEvaluations(plan, cfg.epochs, data.testLabels.length).reduce((a, ev) => a + (ev.epoch > from ? evalImages(ev.epoch) : 0), 0);
    for (let epoch = start; epoch < cfg.epochs; epoch++) {
      const t0 = performance.now();
      const order = opts.order ? opts.order(epoch) : epochOrder(n, dataRng);
      if (order.length !== n) throw new Error(`epoch ${epoch + 1}: an order of ${order.length} samples for ${n}`);
      let lossSum = 0;
      let correct = 0;
      let seen = 0;
      let lr = 0;
      for (let b = 0; b < batches; b++) {
        lr = learningRateAt(cfg, epoch, b, batches);
        const from = b * cfg.batchSize;
        const batch = train.fill(order, from, Math.min(cfg.batchSize, n - from), { rng: dataRng, options: augment });
        const { loss, hits } = await trainStep(step, batch, epoch, lr);
        hooks.onStep?.({ epoch, batch: b, loss, lr });
        correct += hits;
        if (Number.isNaN(firstLoss)) firstLoss = loss;
        const diverged = divergenceReason(loss, firstLoss, data.numClasses, epoch + 1, b + 1);
        if (diverged) throw new UserError(diverged);
        lossSum += loss * batch.count;
        seen += batch.count;
        if (hooks.onBatch) {
          const secs = (performance.now() - t0) / 1000;
          const ips = seen / Math.max(secs, 1e-9);
          const left = n - seen + n * (cfg.epochs - epoch - 1);
          // before the first evaluation is timed: a test image costs about a third of a training image
          const perImage = evalPerImage >= 0 ? evalPerImage : 1 / ips / 3;
          await hooks.onBatch({
            epoch: epoch + 1,
            batch: b + 1,
            batches,
            loss: lossSum / seen,
            acc: correct / seen,
            imagesPerSec: ips,
            etaSeconds: left / ips + perImage * evalImagesLeft(epoch),
          });
        }
        await nextTick();
        if (hooks.shouldStop?.()) return { status: 'stopped', epochsDone: epoch, records };
      }
      const trainSeconds = (performance.now() - t0) / 1000;
      let metrics: RunMetrics | null = null;
      let valAcc: number | null = null;
      let testImages: number | null = null;
      if (evaluatedEpoch(epoch + 1, evalEvery, cfg.epochs)) {
        const tEval = performance.now();
        if (sampled && sampleSet && epoch + 1 < cfg.epochs) {
          // an earlier epoch of a short run: the fixed test sample (the curve), never the run's figures
          const logits = await predictLogits(model, sampled, evalBatch);
          metrics = toRunMetrics(evaluate(logits, sampleSet.labels, data.numClasses, data.groups), epoch + 1);
          testImages = sampleSet.labels.length;
        } else {
          lastLogits = await predictLogits(model, test, evalBatch);
          metrics = toRunMetrics(evaluate(lastLogits, data.testLabels, data.numClasses, data.groups), epoch + 1);
          lastMetrics = metrics;
          testImages = data.testLabels.length;
        }
        if (val && valSet) valAcc = balancedAccuracy(await predictLogits(model, val, evalBatch), valSet.labels, data.numClasses);
        evalPerImage = (performance.now() - tEval) / 1000 / Math.max(1, evalImages(epoch + 1));
      }
      const record: EpochRecord = {
        epoch: epoch + 1,
        loss: lossSum / n,
        lr,
        trainAcc: correct / n,
        testAcc: metrics ? metrics.top1 : null,
        testImages,
        valAcc,
        seconds: (performance.now() - t0) / 1000,
        imagesPerSec: n / trainSeconds,
      };
      records.push(record);
      if (epoch + 1 === chanceCheckEpoch(cfg.epochs)) await warn(trainChanceWarning(record.trainAcc, epoch + 1, trainCounts));
      if (hooks.onEpoch) {
        const checkpoint: Checkpoint = {
          config: cfg,
          epochsDone: epoch + 1,
          records: records.map((r) => ({ ...r })),
          best: null,
          rngState: dataRng.state(),
          weights: await model.snapshotAsync(),
          momentum: await opt.snapshotAsync(),
        };
        await hooks.onEpoch(record, checkpoint, metrics);
      }
      if (hooks.shouldStop?.() && epoch + 1 < cfg.epochs) return { status: 'stopped', epochsDone: epoch + 1, records };
    }
    if (!lastLogits || !lastMetrics || lastMetrics.epoch !== cfg.epochs) {
      // Resumed from the checkpoint of the last epoch: nothing left to train, evaluate once.
      lastLogits = await predictLogits(model, test, evalBatch);
      lastMetrics = toRunMetrics(evaluate(lastLogits, data.testLabels, data.numClasses, data.groups), cfg.epochs);
    }
    await warn(testChanceWarning(lastMetrics.top1, data.numClasses));
    return {
      status: 'completed',
      epochsDone: cfg.epochs,
      records,
      final: lastMetrics,
      warnings,
      weights: await model.snapshotAsync(),
      testLogits: lastLogits,
      normalization: norm,
      trainCounts,
      steps: cfg.epochs * batchCount(n, cfg.batchSize),
    };
  } finally {
    opt.dispose();
    model.dispose();
  }
}
