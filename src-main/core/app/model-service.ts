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
import type { SplitData } from '../train/data';

function completedWeights(store: Store, name: string): { run: RunInfo; path: string } {
  const run = getRun(store, name);
  const path = runFilePath(store, run.id, 'weights');
  if (run.status !== 'completed' || !path) throw new UserError(`run "${run.name}" is ${run.status}; only completed runs have a trained model`);
  return { run, path };
}

export function createModelService(store: Store) {
  /**
   * One pass of a completed run's model over its own training split (never the test set), the
   * logits handed to `fn` a batch at a time: the split is read from its pixel file and no N x C
   * logits are held, so this works at iNaturalist's 437,513 images and 8,142 classes.
   */
  const trainPass = async (name: string, begin: (data: SplitData) => (logits: Float32Array, start: number, count: number) => void) => {
    const { run, path } = completedWeights(store, name);
    const [{ selectBackend }, { loadSplitData }, inference] = await Promise.all([import('../train/backend'), import('../train/data'), import('../train/inference')]);
    await selectBackend();
    const data = await loadSplitData(store, run.splitId);
    const model = inference.loadModel(path);
    try {
      await inference.eachLogitsOf(model, data.trainImages, data.trainLabels, begin(data));
      return { run, data };
    } finally {
      model.model.dispose();
      data.close();
    }
  };

  return {
    /** The temperature rule as a diagnostic: V's flatness and the targets' entropy over a grid of T. */
    virtualExampleSweep: async (r: z.output<typeof VeSweepRequestSchema>): Promise<VeSweep> => {
      const { VeSweepAccumulator } = await import('../eval/ve-sweep');
      let acc: InstanceType<typeof VeSweepAccumulator> | null = null;
      const { run, data } = await trainPass(r.run, (d) => {
        const a = (acc = new VeSweepAccumulator(d.numClasses, r.power, r.taus));
        return (logits, _start, count) => a.add(logits, count);
      });
      return acc!.result(run.name, data.classCounts, data.groups);
    },
    /** V_k over the run's training split at temperature tau and power p, stored with the run. */
    virtualExamples: async (r: z.output<typeof VirtualExamplesRequestSchema>): Promise<VirtualExamplesInfo> => {
      const { addVirtualExamples, flatness } = await import('../eval/virtual-examples');
      let out = new Float64Array(0);
      const { run, data } = await trainPass(r.run, (d) => {
        const v = (out = new Float64Array(d.numClasses));
        return (logits, start, count) => addVirtualExamples(v, logits, count, v.length, r.tau, r.power, start);
      });
      const ve: VirtualExamplesInfo = { run: run.name, tau: r.tau, power: r.power, v: Array.from(out), counts: data.classCounts, flatness: flatness(out, data.classCounts, data.groups) };
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
        // argmax batch by batch: the test set's N x C logits are never held
        const predictions = new Int32Array(data.testLabels.length);
        await inference.eachLogitsOf(model, data.testImages, data.testLabels, (logits, start) => predictions.set(argmaxRows(logits, data.numClasses), start));
        savePredictions(store, run.id, sha, predictions);
        return { run: run.name, count: predictions.length };
      } finally {
        model.model.dispose();
        data.close();
      }
    },

    /** The model as a tfjs folder, an onnx file or a safetensors file (model-export.ts). */
    exportRun: (r: z.output<typeof ExportRequestSchema>): Promise<ExportResult> => exportModel(store, r),
  };
}
