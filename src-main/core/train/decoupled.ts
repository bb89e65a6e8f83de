// Decoupled classifier training (Kang et al., "Decoupling Representation and Classifier for
// Long-Tailed Recognition", ICLR 2020; facebookresearch/classifier-balancing): the backbone of a
// completed stage-1 run stays fixed and only a classifier is trained, on class-balanced batches
// (class-aware sampling, class-aware.ts), with plain cross-entropy.
// - cRT: a new linear classifier, PyTorch nn.Linear's default init (weight and bias uniform in
//   +-1/sqrt(features)), as the reference's DotProduct_Classifier is created afresh.
// - LWS: the stage-1 classifier frozen and one learnable scale per class, init 1:
//   z_j = s_j (f . w_j + b_j) (the reference's TauNormClassifier: x = fc(x); x *= scales).
// Choices where the reference differs or is silent (docs/methods.md): the backbone runs in eval
// mode, so its batch-norm statistics are the stage-1 run's (the reference leaves batch norm in
// training mode, so its running statistics drift towards the balanced batches); an epoch is as
// many draws as the split has training images (the reference's epoch_steps = N / batch), the last
// batch short. The finished model is an ordinary linear-head model of the stage-1 architecture
// (LWS's scales folded into the weights), so everything downstream (virtual examples, export, a
// run that starts from it) reads it like any run's.
import * as tf from '@tensorflow/tfjs-core';
import type { EpochRecord, RunMetrics } from '../domain/types';
import { UserError } from '../domain/errors';
import { resolvePadding, type RunConfig } from '../domain/run-config';
import { Rng } from '../rng';
import { normalizationTable } from './augment';
import { BatchAssembler, batchCount } from './batches';
import type { Checkpoint, WeightsMeta } from './checkpoint';
import { classAwareOrder } from './class-aware';
import { balancedAccuracyOf, evaluateModel, toRunMetrics, type Scorer } from './evaluation';
import { gatherLabels, stratifiedHoldout, testSample } from './holdout';
import { evalPlan, evaluatedEpoch } from '../domain/eval-plan';
import type { NamedArray, NamedVariables } from './layers';
import { uniform, VariableSet } from './layers';
import { checkData, checkResumeConfig, nextTick, type AnyTrainData, type TrainHooks, type TrainResult } from './loop';
import { crossEntropy } from './losses';
import { createModel, restoreVariables, type Model } from './models';
import { Sgd } from './optim';
import { asPixelSource, pixelsSubset } from './pixel-source';
import { chanceCheckEpoch, divergenceReason, testChanceWarning, trainChanceWarning } from './run-warnings';
import { learningRateAt } from './schedule';

/** The stage-1 model a decoupled or post-hoc run starts from. */
export interface SourceModel {
  weights: NamedArray[];
  meta: WeightsMeta;
}

export interface DecoupledOptions {
  config: RunConfig;
  data: AnyTrainData;
  source: SourceModel;
  resume?: Checkpoint;
  hooks?: TrainHooks;
  evalBatchSize?: number;
  keepTestLogits?: boolean;
}

/** The stage-1 model rebuilt, checked against the data (and, for `linear`, its classifier's kind). */
export function sourceModel(source: SourceModel, data: AnyTrainData, method: string, linear: boolean): Model {
  const m = source.meta;
  if (m.numClasses !== data.numClasses || m.imageShape.join() !== data.imageShape.join()) {
    throw new UserError(`the stage-1 model takes ${m.imageShape.join('x')} images and ${m.numClasses} classes; this data has ${data.imageShape.join('x')} and ${data.numClasses}`);
  }
  if (linear && m.normHead) throw new UserError(`${method} needs a stage-1 run with a linear classifier; this one has a cosine classifier (normHead)`);
  const model = createModel({ kind: m.model, imageShape: m.imageShape, numClasses: m.numClasses, normHead: m.normHead }, new Rng(0));
  model.restore(source.weights);
  return model;
}

/** The stage-1 tensor of that name. */
export function sourceTensor(source: SourceModel, name: string): NamedArray {
  const t = source.weights.find((w) => w.name === name);
  if (!t) throw new UserError(`the stage-1 model has no ${name}; it needs a linear classifier`);
  return t;
}

/**
 * The weights of a linear-head model of the stage-1 architecture: every tensor of the backbone
 * from the stage-1 model, the classifier given; in the order createModel's snapshot has them.
 */
export function withClassifier(source: SourceModel, weight: Float32Array, bias: Float32Array): NamedArray[] {
  const m = source.meta;
  const shape = createModel({ kind: m.model, imageShape: m.imageShape, numClasses: m.numClasses, normHead: false }, new Rng(0));
  try {
    const byName = new Map(source.weights.map((w) => [w.name, w]));
    return shape.snapshot().map((t) => {
      if (t.name === 'linear.weight') return { name: t.name, shape: t.shape, data: weight };
      if (t.name === 'linear.bias') return { name: t.name, shape: t.shape, data: bias };
      const s = byName.get(t.name);
      if (!s) throw new Error(`the stage-1 model has no tensor ${t.name}`);
      return s;
    });
  } finally {
    shape.dispose();
  }
}

interface Head {
  /** the trainable tensors (and the checkpoint's `weights`) */
  params: NamedVariables;
  apply(f: tf.Tensor2D): tf.Tensor2D;
  /** the final classifier as an ordinary linear layer */
  linear(): Promise<{ weight: Float32Array; bias: Float32Array }>;
  dispose(): void;
}

function crtHead(features: number, classes: number, rng: Rng): Head {
  // nn.Linear's default: kaiming_uniform(a = sqrt 5) gives U(-1/sqrt(fan_in), 1/sqrt(fan_in)), the bias the same bound
  const bound = 1 / Math.sqrt(features);
  const vs = new VariableSet(rng);
  const w = vs.param('linear.weight', [features, classes], uniform(rng, features * classes, bound));
  const b = vs.param('linear.bias', [classes], uniform(rng, classes, bound));
  return {
    params: vs.params,
    apply: (f) => tf.add(tf.matMul(f, w), b) as tf.Tensor2D,
    linear: async () => ({ weight: (await w.data()).slice() as Float32Array, bias: (await b.data()).slice() as Float32Array }),
    dispose: () => (w.dispose(), b.dispose()),
  };
}

function lwsHead(source: SourceModel, classes: number): Head {
  const sw = sourceTensor(source, 'linear.weight');
  const sb = sourceTensor(source, 'linear.bias');
  const w = tf.tensor2d(sw.data, [sw.shape[0], sw.shape[1]]);
  const b = tf.tensor1d(sb.data);
  const vs = new VariableSet(new Rng(0));
  const s = vs.param('linear.scales', [classes], new Float32Array(classes).fill(1));
  return {
    params: vs.params,
    apply: (f) => tf.mul(tf.add(tf.matMul(f, w), b), s) as tf.Tensor2D,
    linear: async () => {
      const scales = (await s.data()) as Float32Array;
      const weight = Float32Array.from(sw.data, (v, k) => v * scales[k % classes]);
      return { weight, bias: Float32Array.from(sb.data, (v, j) => v * scales[j]) };
    },
    dispose: () => (w.dispose(), b.dispose(), s.dispose()),
  };
}

/** Trains a cRT or LWS classifier on the stage-1 backbone (or resumes it). Results as trainRun's. */
export async function trainDecoupled(opts: DecoupledOptions): Promise<TrainResult> {
  const { config: cfg, data, source, resume, hooks = {} } = opts;
  if (cfg.method !== 'crt' && cfg.method !== 'lws') throw new Error(`trainDecoupled: method ${cfg.method}`);
  const evalBatch = opts.evalBatchSize ?? 256;
  checkData(data);
  checkResumeConfig(resume, cfg);
  const backbone = sourceModel(source, data, cfg.method, cfg.method === 'lws');
  const shape = data.imageShape;
  const C = data.numClasses;
  // the backbone sees its input as it was trained
  const norm = { mean: source.meta.mean, std: source.meta.std };
  const lut = normalizationTable(norm);
  const holdout = cfg.valFraction > 0 ? stratifiedHoldout(data.trainLabels, C, cfg.valFraction, cfg.seed) : null;
  const all = asPixelSource(data.trainImages, shape[0] * shape[1] * shape[2]);
  const fitLabels = holdout ? gatherLabels(data.trainLabels, holdout.train) : data.trainLabels;
  const train = new BatchAssembler(holdout ? pixelsSubset(all, holdout.train) : all, fitLabels, shape, lut, cfg.batchSize);
  const test = new BatchAssembler(data.testImages, data.testLabels, shape, lut, evalBatch);
  const valLabels = holdout ? gatherLabels(data.trainLabels, holdout.val) : null;
  const val = holdout && valLabels ? new BatchAssembler(pixelsSubset(all, holdout.val), valLabels, shape, lut, evalBatch) : null;
  const trainCounts = holdout ? holdout.trainCounts : data.classCounts;
  const n = fitLabels.length;
  const augment = { crop: cfg.augment.crop, flip: cfg.augment.flip, padding: resolvePadding(cfg, shape) };
  // evaluated as trainRun is (domain/eval-plan.ts): a short run's earlier epochs on the fixed test sample, so the estimate holds
  const plan = evalPlan({ trainImages: n, testImages: data.testLabels.length, epochs: cfg.epochs, evalEvery: cfg.evalEvery });
  const evalEvery = plan.every;
  const sampleIdx = plan.sample === null ? null : testSample(data.testLabels, C, plan.sample);
  const sampleLabels = sampleIdx ? gatherLabels(data.testLabels, sampleIdx) : null;
  const sampled = sampleIdx && sampleLabels ? new BatchAssembler(pixelsSubset(asPixelSource(data.testImages, shape[0] * shape[1] * shape[2]), sampleIdx), sampleLabels, shape, lut, evalBatch) : null;

  // the same two streams as trainRun: the classifier's init, then the data (sampling, augmentation)
  const root = new Rng(cfg.seed);
  const head = cfg.method === 'crt' ? crtHead(backbone.featureSize, C, root.fork()) : lwsHead(source, C);
  let dataRng = root.fork();
  const opt = new Sgd(head.params, { momentum: cfg.momentum, weightDecay: cfg.weightDecay });
  const scorer: Scorer = { spec: backbone.spec, apply: (x) => tf.tidy(() => head.apply(backbone.features(x, false))) };
  const records: EpochRecord[] = [];
  const warnings: string[] = [];
  const warn = async (m: string | null) => {
    if (!m || warnings.includes(m)) return;
    warnings.push(m);
    await hooks.onWarning?.(m);
  };
  const [h, w, c] = shape;
  let start = 0;
  try {
    if (resume) {
      restoreVariables(head.params, resume.weights, 'classifier checkpoint');
      opt.restore(resume.momentum);
      dataRng = new Rng(resume.rngState);
      records.push(...resume.records);
      start = resume.epochsDone;
    }
    const batches = batchCount(n, cfg.batchSize);
    let lastMetrics: RunMetrics | null = null;
    let lastLogits: Float32Array | null = null;
    let firstLoss = Number.NaN;
    for (let epoch = start; epoch < cfg.epochs; epoch++) {
      const t0 = performance.now();
      const order = classAwareOrder(fitLabels, C, n, dataRng);
      let lossSum = 0;
      let correct = 0;
      let seen = 0;
      let lr = 0;
      for (let b = 0; b < batches; b++) {
        lr = learningRateAt(cfg, epoch, b, batches);
        const from = b * cfg.batchSize;
        const batch = train.fill(order, from, Math.min(cfg.batchSize, n - from), { rng: dataRng, options: augment });
        let loss: tf.Scalar | undefined;
        let hits: tf.Scalar | undefined;
        try {
          loss = tf.tidy(() => {
            const y = tf.tensor1d(batch.y, 'int32');
            // the frozen backbone, outside the gradient tape
            const f = backbone.features(tf.tensor4d(batch.x, [batch.count, h, w, c]), false);
            const { value, grads } = tf.variableGrads(() => {
              const logits = head.apply(f);
              hits = tf.keep(tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), y), 'int32')) as tf.Scalar);
              return crossEntropy(logits, y);
            }, Object.values(head.params));
            opt.step(grads, lr);
            return value;
          });
          const [lv, hv] = await Promise.all([loss.data(), hits ? hits.data() : undefined]);
          if (Number.isNaN(firstLoss)) firstLoss = lv[0];
          const diverged = divergenceReason(lv[0], firstLoss, C, epoch + 1, b + 1);
          if (diverged) throw new UserError(diverged);
          lossSum += lv[0] * batch.count;
          correct += hv ? hv[0] : 0;
          seen += batch.count;
        } finally {
          loss?.dispose();
          hits?.dispose();
        }
        if (hooks.onBatch) {
          const ips = seen / Math.max((performance.now() - t0) / 1000, 1e-9);
          const left = n - seen + n * (cfg.epochs - epoch - 1);
          await hooks.onBatch({ epoch: epoch + 1, batch: b + 1, batches, loss: lossSum / seen, acc: correct / seen, imagesPerSec: ips, etaSeconds: left / ips });
        }
        await nextTick();
        if (hooks.shouldStop?.()) return { status: 'stopped', epochsDone: epoch, records };
      }
      const trainSeconds = (performance.now() - t0) / 1000;
      let metrics: RunMetrics | null = null;
      let valAcc: number | null = null;
      let testImages: number | null = null;
      if (evaluatedEpoch(epoch + 1, evalEvery, cfg.epochs)) {
        if (sampled && sampleLabels && epoch + 1 < cfg.epochs) {
          // an earlier epoch of a short run: the fixed test sample (the curve), never the run's figures
          metrics = toRunMetrics((await evaluateModel(scorer, sampled, sampleLabels, data.groups, evalBatch, false)).evaluation, epoch + 1);
          testImages = sampleLabels.length;
        } else {
          const ev = await evaluateModel(scorer, test, data.testLabels, data.groups, evalBatch, opts.keepTestLogits ?? true);
          metrics = lastMetrics = toRunMetrics(ev.evaluation, epoch + 1);
          lastLogits = ev.logits;
          testImages = data.testLabels.length;
        }
        if (val && valLabels) valAcc = await balancedAccuracyOf(scorer, val, valLabels, evalBatch);
      }
      const record: EpochRecord = { epoch: epoch + 1, loss: lossSum / n, lr, trainAcc: correct / n, testAcc: metrics ? metrics.top1 : null, testImages, valAcc, seconds: (performance.now() - t0) / 1000, imagesPerSec: n / trainSeconds };
      records.push(record);
      if (epoch + 1 === chanceCheckEpoch(cfg.epochs)) await warn(trainChanceWarning(record.trainAcc, epoch + 1, trainCounts));
      if (hooks.onEpoch) {
        const snapshot = async (v: NamedVariables) => Promise.all(Object.entries(v).map(async ([name, t]) => ({ name, shape: [...t.shape], data: ((await t.data()) as Float32Array).slice() })));
        const checkpoint: Checkpoint = { config: cfg, epochsDone: epoch + 1, records: records.map((r) => ({ ...r })), best: null, rngState: dataRng.state(), weights: await snapshot(head.params), momentum: await opt.snapshotAsync() };
        await hooks.onEpoch(record, checkpoint, metrics);
      }
      if (hooks.shouldStop?.() && epoch + 1 < cfg.epochs) return { status: 'stopped', epochsDone: epoch + 1, records };
    }
    if (!lastMetrics || lastMetrics.epoch !== cfg.epochs) {
      const ev = await evaluateModel(scorer, test, data.testLabels, data.groups, evalBatch, opts.keepTestLogits ?? true);
      lastMetrics = toRunMetrics(ev.evaluation, cfg.epochs);
      lastLogits = ev.logits;
    }
    await warn(testChanceWarning(lastMetrics.top1, C));
    const linear = await head.linear();
    return {
      status: 'completed',
      epochsDone: cfg.epochs,
      records,
      final: lastMetrics,
      warnings,
      weights: withClassifier(source, linear.weight, linear.bias),
      testLogits: lastLogits ?? new Float32Array(0),
      // the backbone (and its batch norm) is frozen: its statistics are the stage-1 model's
      steps: source.meta.steps ?? 0,
      normalization: norm,
      trainCounts,
    };
  } finally {
    opt.dispose();
    head.dispose();
    backbone.dispose();
  }
}
