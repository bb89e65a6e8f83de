// A post-hoc run (tau-norm, logit-adjust): no training. One pass of the stage-1 model over the test
// set (and over its validation holdout, when it had one) gives the metrics of every t of the grid
// (eval/posthoc.ts); the chosen t is folded into the classifier and that model, an ordinary
// linear-head model, is evaluated once more for the run's own metrics, so the stored predictions
// and confusion matrix are those of the weights the run keeps.
import type { TrainCompleted } from './loop';
import { POSTHOC_GRID, type PosthocSweep } from '../domain/posthoc';
import type { RunConfig } from '../domain/run-config';
import { bestOnValidation, classWeightNorms, foldAffine, logitAdjustment, PosthocSweepAccumulator, tauNormalisation, type Affine } from '../eval/posthoc';
import { normalizationTable } from './augment';
import { BatchAssembler } from './batches';
import { sourceModel, sourceTensor, withClassifier, type SourceModel } from './decoupled';
import { evaluateModel, forEachLogits, toRunMetrics } from './evaluation';
import { gatherLabels, stratifiedHoldout } from './holdout';
import { checkData, type AnyTrainData } from './loop';
import { asPixelSource, pixelsSubset } from './pixel-source';
import { testChanceWarning } from './run-warnings';

export interface PosthocOptions {
  config: RunConfig;
  data: AnyTrainData;
  source: SourceModel;
  evalBatchSize?: number;
  keepTestLogits?: boolean;
}

export async function posthocRun(opts: PosthocOptions): Promise<TrainCompleted> {
  const { config: cfg, data, source } = opts;
  const method = cfg.method;
  if (method !== 'tau-norm' && method !== 'logit-adjust') throw new Error(`posthocRun: method ${method}`);
  const batch = opts.evalBatchSize ?? 256;
  checkData(data);
  const model = sourceModel(source, data, method, true);
  try {
    const C = data.numClasses;
    const shape = data.imageShape;
    const lut = normalizationTable({ mean: source.meta.mean, std: source.meta.std });
    // the stage-1 run's own holdout (the run takes its seed and valFraction): images it never trained on
    const holdout = cfg.valFraction > 0 ? stratifiedHoldout(data.trainLabels, C, cfg.valFraction, cfg.seed) : null;
    const trainCounts = holdout ? holdout.trainCounts : data.classCounts;
    const weight = sourceTensor(source, 'linear.weight');
    const bias = sourceTensor(source, 'linear.bias');
    const norms = classWeightNorms(weight.data, weight.shape[0], C);
    const mapOf = (t: number): Affine => (method === 'tau-norm' ? tauNormalisation(norms, bias.data, t) : logitAdjustment(trainCounts, t));
    const chosen = method === 'tau-norm' ? cfg.params.tauNorm : cfg.params.laTau;
    const grid = [...new Set([...POSTHOC_GRID, chosen])].sort((a, b) => a - b);
    const sweep = new PosthocSweepAccumulator(grid, grid.map(mapOf), data.testLabels, C);
    await forEachLogits(model, new BatchAssembler(data.testImages, data.testLabels, shape, lut, batch), batch, (logits, _start, count) => sweep.addTest(logits, count));
    if (holdout) {
      const labels = gatherLabels(data.trainLabels, holdout.val);
      const images = pixelsSubset(asPixelSource(data.trainImages, shape[0] * shape[1] * shape[2]), holdout.val);
      await forEachLogits(model, new BatchAssembler(images, labels, shape, lut, batch), batch, (logits, start, count) => sweep.addVal(logits, labels.subarray(start, start + count)));
    }
    const points = sweep.points(data.groups, holdout !== null);
    const bestOnVal = bestOnValidation(points);
    const posthoc: PosthocSweep = {
      method,
      param: method === 'tau-norm' ? 'tauNorm' : 'laTau',
      chosen,
      points,
      bestOnVal,
      note: bestOnVal === null
        ? 'the stage-1 run has no validation holdout (train it with --val-fraction), so no t is suggested; the test figures are shown, not used to choose'
        : `t = ${bestOnVal} has the best balanced accuracy on the stage-1 run's validation holdout (images it never trained on); the test figures are shown, not used to choose`,
    };

    const folded = foldAffine(weight.data, bias.data, mapOf(chosen));
    const weights = withClassifier(source, folded.weight, folded.bias);
    model.restore(weights);
    const ev = await evaluateModel(model, new BatchAssembler(data.testImages, data.testLabels, shape, lut, batch), data.testLabels, data.groups, batch, opts.keepTestLogits ?? true);
    const final = { ...toRunMetrics(ev.evaluation, 0), posthoc };
    const warning = testChanceWarning(final.top1, C);
    return {
      status: 'completed',
      epochsDone: 0,
      records: [],
      final,
      warnings: warning ? [warning] : [],
      weights,
      testLogits: ev.logits ?? new Float32Array(0),
      // no step taken: batch norm's statistics are the stage-1 model's
      steps: source.meta.steps ?? 0,
      normalization: { mean: source.meta.mean, std: source.meta.std },
      trainCounts,
    };
  } finally {
    model.dispose();
  }
}
