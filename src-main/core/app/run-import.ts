// `dive import-run FILE --split S --name T [--method bsce]`: a model trained elsewhere (in PyTorch
// with docs/pytorch/models.py, or exported from another workbench) registered as a completed run
// of split S, so it can be compared, tried, exported and used as a kd / dive teacher. It is
// evaluated on the split's test set on import (the run's metrics are measured here, never copied
// from the file), and the run records where it came from (origin: file name, SHA-256, the file's
// own account of itself). Nothing is written unless every check and the evaluation pass.
import { mkdirSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { UserError } from '../domain/errors';
import { parseRunConfig } from '../domain/run-config';
import type { ImportRunRequest } from '../domain/run-requests';
import type { RunInfo } from '../domain/types';
import type { ReadRoots } from '../data/read-roots';
import { assertNameFree, getDataset } from '../store/datasets';
import { getRun, insertRun, markImported, runDir } from '../store/runs';
import { getSplit } from '../store/splits';
import type { Store } from '../store/store';
import { appVersion } from './app-version';
import { readTorchRun } from './weights-in';

export async function importRun(store: Store, r: ImportRunRequest, roots?: ReadRoots): Promise<RunInfo> {
  const split = getSplit(store, r.split);
  const ds = getDataset(store, split.datasetId);
  assertNameFree(store, 'runs', r.name);
  const { file, info, sha256 } = readTorchRun(r.file, ds.imageShape, roots);
  if (info.spec.numClasses !== ds.numClasses) {
    throw new UserError(`${r.file}: its classifier has ${info.spec.numClasses} classes; ${ds.name} has ${ds.numClasses} (import it on a split of a dataset with its classes, or fine-tune it: dive train --init-weights ${basename(r.file)} --reset-head)`);
  }
  const warnings: string[] = [];
  if (info.classNames && info.classNames.join('\n') !== ds.classNames.join('\n')) {
    if (info.classNames.length !== ds.numClasses) throw new UserError(`${r.file}: its metadata names ${info.classNames.length} classes; ${ds.name} has ${ds.numClasses}`);
    warnings.push(`its class names (${info.classNames.slice(0, 3).join(', ')}...) differ from ${ds.name}'s (${ds.classNames.slice(0, 3).join(', ')}...): class k is taken to be ${ds.name}'s class k`);
  }
  const cfg = parseRunConfig({ method: r.method, model: info.spec.kind, normHead: info.spec.normHead, epochs: 1 });
  const { torchToOurs } = await import('../train/torch-weights');
  const weights = torchToOurs(file, info.spec, r.file);

  const [{ selectBackend }, { loadSplitData }, { channelStatsOf }, { createModel }, { Rng }, { EvaluationAccumulator }, { toRunMetrics }, { testChanceWarning }, { writeWeights }, inference, { asPixelSource }] = await Promise.all([
    import('../train/backend'), import('../train/data'), import('../train/augment'), import('../train/models'), import('../rng'),
    import('../eval/metrics'), import('../train/evaluation'), import('../train/run-warnings'), import('../train/checkpoint'), import('../train/inference'), import('../train/pixel-source'),
  ]);
  const data = await loadSplitData(store, split.id);
  let norm = info.mean && info.std ? { mean: info.mean, std: info.std } : null;
  if (!norm) {
    norm = channelStatsOf(asPixelSource(data.trainImages, ds.imageShape[0] * ds.imageShape[1] * ds.imageShape[2]), ds.imageShape);
    warnings.push(`the file records no normalisation: the split's training mean and std were assumed (export from PyTorch with docs/pytorch/models.py's export_run to record yours)`);
  }
  const backend = await selectBackend();
  const meta = { model: cfg.model, imageShape: ds.imageShape, numClasses: ds.numClasses, normHead: cfg.normHead, ...norm };
  const model = createModel({ kind: cfg.model, imageShape: ds.imageShape, numClasses: ds.numClasses, normHead: cfg.normHead }, new Rng(0));
  let metrics;
  try {
    model.restore(weights);
    // the test set streamed into the evaluation, a batch of logits at a time (no N x C logits held)
    const acc = new EvaluationAccumulator(data.testLabels, ds.numClasses);
    await inference.eachLogitsOf({ model, meta, weights }, data.testImages, data.testLabels, (logits, _start, count) => acc.add(logits, count));
    metrics = toRunMetrics(acc.finish(data.groups), 0);
  } finally {
    model.dispose();
  }
  const chance = testChanceWarning(metrics.top1, ds.numClasses);
  if (chance) warnings.push(chance);

  const origin = { kind: 'imported' as const, file: basename(r.file), sha256, at: new Date().toISOString(), source: info.run ?? null };
  let dir: string | null = null;
  try {
    const id = store.db.transaction(() => {
      assertNameFree(store, 'runs', r.name);
      const id = insertRun(store, { name: r.name, splitId: split.id, teacherId: null, method: cfg.method, model: cfg.model, config: cfg, warnings, origin });
      dir = runDir(store, id);
      mkdirSync(dir, { recursive: true });
      const written = writeWeights(join(dir, 'weights.bin'), meta, weights);
      markImported(store, id, { metrics, weights: written, backend: { ...backend, appVersion: appVersion() } });
      return id;
    }).immediate();
    return getRun(store, id);
  } catch (e) {
    if (dir) rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}
