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
import { Rng } from '../rng';
import { channelStatsOf, normalizationTable, type ChannelStats } from './augment';
import { asPixelSource, pixelsSubset, type PixelSource } from './pixel-source';
import { BatchAssembler, batchCount, epochOrder, type Batch } from './batches';
import { balancedAccuracyOf, evaluateModel, toRunMetrics } from './evaluation';
import type { Checkpoint } from './checkpoint';
import { resolvePadding, type ImageShape, type RunConfig } from '../domain/run-config';
import type { NamedArray } from './layers';
import { methodLoss } from './losses';
import { SOURCE_METHODS, TEACHER_METHODS } from '../domain/method';
import { createModel, mergeWeights, type Model } from './models';
import { Sgd } from './optim';
import { evalPlan, evaluatedEpoch, evaluations as plannedEvaluations } from '../domain/eval-plan';
import { gatherLabels, stratifiedHoldout, testSample } from './holdout';
import { chanceCheckEpoch, divergenceReason, testChanceWarning, trainChanceWarning } from './run-warnings';
import { learningRateAt } from './schedule';

/**
 * What a run trains and evaluates on. The images are in memory (tests, benches: the default type)
 * or a PixelSource that reads them batch by batch from a file (what the workers pass: memory does
 * not grow with the dataset); trainRun takes either, with the same results.
 */
export interface TrainData<P extends Uint8Array | PixelSource = Uint8Array> {
  /** the split's training images, uint8 NHWC */
  trainImages: P;
  trainLabels: Int32Array;
  /** the test set (evaluation reads it in order, a batch at a time) */
  testImages: P;
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
  data: AnyTrainData;
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
  /**
   * keep the final test logits in the result (default true: tests compare them). The workers say
   * false: the N x C logits of a many-class test set would be held for nothing (iNaturalist: 800 MB).
   */
  keepTestLogits?: boolean;
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
  /** test logits after the last epoch, row-major [testImages, classes]; empty when TrainOptions.keepTestLogits is false */
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

/** Either kind of TrainData (what trainRun accepts). */
export type AnyTrainData = TrainData<Uint8Array | PixelSource>;

export function checkData(d: AnyTrainData): void {
  const [h, w, c] = d.imageShape;
  const img = h * w * c;
  const bad = (m: string) => new UserError(`training data: ${m}`);
  if (d.trainLabels.length === 0) throw bad('the split has no training images');
  if (d.testLabels.length === 0) throw bad('the dataset has no test images');
  const bytes = (x: Uint8Array | PixelSource) => (x instanceof Uint8Array ? x.length : x.count * x.imageBytes);
  if (bytes(d.trainImages) !== d.trainLabels.length * img) throw bad(`${bytes(d.trainImages)} training pixel bytes for ${d.trainLabels.length} images of ${h}x${w}x${c}`);
  if (bytes(d.testImages) !== d.testLabels.length * img) throw bad(`${bytes(d.testImages)} test pixel bytes for ${d.testLabels.length} images of ${h}x${w}x${c}`);
  if (d.classCounts.length !== d.numClasses) throw bad(`${d.classCounts.length} class counts for ${d.numClasses} classes`);
  for (const [what, labels] of [['training', d.trainLabels], ['test', d.testLabels]] as const) {
    for (let i = 0; i < labels.length; i++) {
      if (labels[i] < 0 || labels[i] >= d.numClasses) throw bad(`${what} label ${labels[i]} of image ${i} is outside 0..${d.numClasses - 1}`);
    }
  }
}

function checkTeacher(cfg: RunConfig, d: AnyTrainData, teacher: Model | undefined): void {
  // they keep a stage-1 backbone (decoupled.ts, posthoc.ts): training a whole model would be another method
  if (SOURCE_METHODS.includes(cfg.method)) throw new Error(`trainRun: method ${cfg.method} starts from a stage-1 model; use runMethod`);
  const needs = TEACHER_METHODS.includes(cfg.method);
  if (needs && !teacher) throw new UserError(`method ${cfg.method} needs a teacher model`);
  if (!needs && teacher) throw new UserError(`method ${cfg.method} does not use a teacher`);
  if (teacher && (teacher.spec.numClasses !== d.numClasses || teacher.spec.imageShape.join() !== d.imageShape.join())) {
    throw new UserError(
      `the teacher takes ${teacher.spec.imageShape.join('x')} images and ${teacher.spec.numClasses} classes; this data has ${d.imageShape.join('x')} and ${d.numClasses}`,
    );
  }
}

export const nextTick = () => new Promise<void>((r) => setImmediate(r));

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

// threads / allowSoftwareAdapter: a checkpoint from before they existed ran with their defaults
const LEGACY_CHECKPOINT: Partial<RunConfig> = { warmupForm: 'epoch', evalEvery: 1, valFraction: 0, threads: null, allowSoftwareAdapter: false };

/** A checkpoint resumes only the run that wrote it. */
export function checkResumeConfig(resume: Checkpoint | undefined, cfg: RunConfig): void {
  if (resume && !isDeepStrictEqual({ ...LEGACY_CHECKPOINT, ...resume.config }, cfg)) {
    throw new UserError('the checkpoint was written by a run with a different configuration');
  }
}

/** Trains one run (or resumes it) on the current TF.js backend. */
export async function trainRun(opts: TrainOptions): Promise<TrainResult> {
  const { config: cfg, data, teacher, resume, hooks = {} } = opts;
  const evalBatch = opts.evalBatchSize ?? 256;
  const keepLogits = opts.keepTestLogits ?? true;
  checkData(data);
  checkTeacher(cfg, data, teacher);
  // a checkpoint from before warmupForm / evalEvery / valFraction existed was trained per epoch, evaluated every epoch
  checkResumeConfig(resume, cfg);
  const shape = data.imageShape;
  const [h, w, c] = shape;
  const holdout = cfg.valFraction > 0 ? stratifiedHoldout(data.trainLabels, data.numClasses, cfg.valFraction, cfg.seed) : null;
  // views, not copies: a batch reads its images from wherever the split's pixels are
  const all = asPixelSource(data.trainImages, h * w * c);
  const fit = holdout ? { images: pixelsSubset(all, holdout.train), labels: gatherLabels(data.trainLabels, holdout.train) } : { images: all, labels: data.trainLabels };
  const valSet = holdout ? { images: pixelsSubset(all, holdout.val), labels: gatherLabels(data.trainLabels, holdout.val) } : null;
  const trainCounts = holdout ? holdout.trainCounts : data.classCounts;
  const n = fit.labels.length;
  const norm = channelStatsOf(fit.images, shape);
  const lut = normalizationTable(norm);
  const train = new BatchAssembler(fit.images, fit.labels, shape, lut, cfg.batchSize);
  const test = new BatchAssembler(data.testImages, data.testLabels, shape, lut, evalBatch);
  const val = valSet ? new BatchAssembler(valSet.images, valSet.labels, shape, lut, evalBatch) : null;
  const augment = { crop: cfg.augment.crop, flip: cfg.augment.flip, padding: resolvePadding(cfg, shape) };
  const plan = evalPlan({ trainImages: n, testImages: data.testLabels.length, epochs: cfg.epochs, evalEvery: cfg.evalEvery });
  const evalEvery = plan.every;
  const sampleIdx = plan.sample === null ? null : testSample(data.testLabels, data.numClasses, plan.sample);
  // a view of the test pixels, like the training split's: the sample is read from wherever they are
  const sampleSet = sampleIdx ? { images: pixelsSubset(asPixelSource(data.testImages, h * w * c), sampleIdx), labels: gatherLabels(data.testLabels, sampleIdx) } : null;
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
          const ev = await evaluateModel(model, sampled, sampleSet.labels, data.groups, evalBatch, false);
          metrics = toRunMetrics(ev.evaluation, epoch + 1);
          testImages = sampleSet.labels.length;
        } else {
          const ev = await evaluateModel(model, test, data.testLabels, data.groups, evalBatch, keepLogits);
          lastLogits = ev.logits;
          metrics = toRunMetrics(ev.evaluation, epoch + 1);
          lastMetrics = metrics;
          testImages = data.testLabels.length;
        }
        if (val && valSet) valAcc = await balancedAccuracyOf(model, val, valSet.labels, evalBatch);
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
    if (!lastMetrics || lastMetrics.epoch !== cfg.epochs) {
      // Resumed from the checkpoint of the last epoch: nothing left to train, evaluate once.
      const ev = await evaluateModel(model, test, data.testLabels, data.groups, evalBatch, keepLogits);
      lastLogits = ev.logits;
      lastMetrics = toRunMetrics(ev.evaluation, cfg.epochs);
    }
    await warn(testChanceWarning(lastMetrics.top1, data.numClasses));
    return {
      status: 'completed',
      epochsDone: cfg.epochs,
      records,
      final: lastMetrics,
      warnings,
      weights: await model.snapshotAsync(),
      testLogits: lastLogits ?? new Float32Array(0),
      normalization: norm,
      trainCounts,
      steps: cfg.epochs * batchCount(n, cfg.batchSize),
    };
  } finally {
    opt.dispose();
    model.dispose();
  }
}
