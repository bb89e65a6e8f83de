// Calls that run a trained model in this process: the virtual-example distribution and export.
// TF.js is imported lazily so the commands that never touch a model start fast.
import type { ExportResult } from '../domain/contract';
import { UserError } from '../domain/errors';
import type { ExportRequestSchema, VeSweepRequestSchema, VirtualExamplesRequestSchema } from '../domain/run-requests';
import type { RunInfo, VeSweep, VirtualExamplesInfo } from '../domain/types';
import { savePredictions, weightsSha256 } from '../store/predictions';
import { getRun, runFilePath } from '../store/runs';
import type { Store } from '../store/store';
import { saveVirtualExamples } from '../store/virtual-examples';
import { exportModel } from './model-export';
import type { z } from 'zod';

function completedWeights(store: Store, name: string): { run: RunInfo; path: string } {
  const run = getRun(store, name);
  const path = runFilePath(store, run.id, 'weights');
  if (run.status !== 'completed' || !path) throw new UserError(`run "${run.name}" is ${run.status}; only completed runs have a trained model`);
  return { run, path };
}

export function createModelService(store: Store) {
  /** Logits of a completed run's model over its own training split (never the test set). */
  const trainLogits = async (name: string) => {
    const { run, path } = completedWeights(store, name);
    const [{ selectBackend }, { loadSplitData }, inference] = await Promise.all([import('../train/backend'), import('../train/data'), import('../train/inference')]);
    await selectBackend();
    const data = await loadSplitData(store, run.splitId);
    const model = inference.loadModel(path);
    try {
      return { run, data, logits: await inference.logitsOf(model, data.trainImages, data.trainLabels) };
    } finally {
      model.model.dispose();
    }
  };

  return {
    /** The temperature rule as a diagnostic: V's flatness and the targets' entropy over a grid of T. */
    virtualExampleSweep: async (r: z.output<typeof VeSweepRequestSchema>): Promise<VeSweep> => {
      const { run, data, logits } = await trainLogits(r.run);
      const { veSweep } = await import('../eval/ve-sweep');
      return veSweep(run.name, logits, data.trainLabels.length, data.classCounts, data.groups, r.power, r.taus);
    },
    /** V_k over the run's training split at temperature tau and power p, stored with the run. */
    virtualExamples: async (r: z.output<typeof VirtualExamplesRequestSchema>): Promise<VirtualExamplesInfo> => {
      const { run, data, logits } = await trainLogits(r.run);
      const inference = await import('../train/inference');
      const ve = inference.virtualExampleInfo(run.name, logits, data.trainLabels.length, data.classCounts, data.groups, r.tau, r.power);
      saveVirtualExamples(store, run.id, ve);
      return ve;
    },

    /**
     * The final model's prediction (argmax of the logits, as the confusion matrix counts them) for
     * every test image, stored with the run. On the backend the run trained on when it is here, so
     * the cells add up to the stored confusion matrix.
     */
    testPredictions: async (name: string): Promise<{ run: string; count: number }> => {
      const { run, path } = completedWeights(store, name);
      const sha = weightsSha256(store, run.id);
      if (!sha) throw new UserError(`run "${run.name}" has no weights file; train it again`);
      const [{ selectBackend }, { loadSplitData }, inference, { argmaxRows }] = await Promise.all([
        import('../train/backend'), import('../train/data'), import('../train/inference'), import('../eval/metrics'),
      ]);
      const trainedOn = run.backendReport?.name as Parameters<typeof selectBackend>[0] | undefined;
      await selectBackend(trainedOn).catch(() => selectBackend());
      const data = await loadSplitData(store, run.splitId);
      const model = inference.loadModel(path);
      try {
        const predictions = argmaxRows(await inference.logitsOf(model, data.testImages, data.testLabels), data.numClasses);
        savePredictions(store, run.id, sha, predictions);
        return { run: run.name, count: predictions.length };
      } finally {
        model.model.dispose();
      }
    },

    /** The model as a tfjs folder, an onnx file or a safetensors file (model-export.ts). */
    exportRun: (r: z.output<typeof ExportRequestSchema>): Promise<ExportResult> => exportModel(store, r),
  };
}
