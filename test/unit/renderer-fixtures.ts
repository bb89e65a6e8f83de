// Hand-made RunInfo / SplitInfo objects for the renderer's data-shaping tests.
import { RunConfigSchema, type RunConfig, type RunConfigInput } from '../../src-main/core/domain/run-config';
import type { RunInfo, SplitInfo } from '../../src-main/core/domain/types';

/** A whole run config as the store holds it: the input with the schema's defaults filled in. */
export const config = (input: RunConfigInput): RunConfig => RunConfigSchema.parse(input);

export function run(over: Partial<RunInfo> & { name: string }): RunInfo {
  const cfg = over.config ?? config({ method: 'ce', epochs: 2 });
  return {
    id: 1, status: 'completed', error: null, method: 'ce', model: 'mlp', split: 's', splitId: 1, dataset: 'd', teacher: null,
    config: cfg, seed: cfg.seed, epochsTotal: cfg.epochs,
    hyper: { lr: cfg.lr, batchSize: cfg.batchSize, tau: cfg.params.tau, power: cfg.params.power, alpha: cfg.params.alpha }, backend: 'wasm', backendReport: null, epochsDone: 2, epochs: [], metrics: null, valAcc: null, warnings: [], teacherInfo: null, study: null,
    imagesPerSecond: null, createdAt: '2026-01-01T00:00:00Z', startedAt: null, finishedAt: null, tags: [], note: '', origin: null,
    ...over,
  };
}

export function metrics(top1: number, many: number | null, medium: number | null, few: number | null, perClass: (number | null)[] = []) {
  return { top1, many, medium, few, ece: 0.05, perClass };
}

export function split(counts: number[]): SplitInfo {
  const total = counts.reduce((a, b) => a + b, 0);
  const thresholds = { many: 100, few: 20 };
  const groups = { many: [], medium: [], few: [] };
  return {
    id: 1, name: 's', dataset: 'd', datasetId: 1, profile: 'exp', ratio: 10, maxPerClass: Math.max(...counts), seed: 0, classOrder: 'label',
    order: counts.map((_, i) => i), counts, total, thresholds, groups,
    stats: { numClasses: counts.length, total, min: Math.min(...counts), max: Math.max(...counts), imbalanceRatio: 1, gini: 0, normalizedEntropy: 1, emptyClasses: 0, thresholds, groups },
  };
}
