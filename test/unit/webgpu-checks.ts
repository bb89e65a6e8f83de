// Run by webgpu.test.ts in a child process whose environment points Vulkan at a software driver
// (Dawn and the Vulkan loader read it when they start, so it cannot be set from inside the test
// runner's process). Prints one JSON document (WebgpuChecks) on its last stdout line.
//
// 1. Kernels: every kernel the cpu backend runs during training (each model, every method, the
//    teacher's forward pass) is recorded with its inputs, attributes and outputs, then replayed on
//    webgpu: the same outputs, or the kernel is missing there.
// 2. Training: the same tiny run through trainRun() on cpu and on webgpu.
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '../../src-main/core/rng';
import { selectBackend } from '../../src-main/core/train/backend';
import { parseRunConfig, type ModelKind } from '../../src-main/core/domain/run-config';
import { METHODS, SOURCE_METHODS, type Method } from '../../src-main/core/domain/method';
import { trainRun, type TrainCompleted } from '../../src-main/core/train/loop';
import { createModel } from '../../src-main/core/train/models';
import { tinyData } from './tiny-data';

export interface KernelCheck {
  kernel: string;
  shapes: string;
  /** max |webgpu - cpu| / max |cpu| over the outputs; null when webgpu has no such kernel */
  relErr: number | null;
  sameShapes: boolean;
}

export interface TrainCheck {
  model: ModelKind;
  cpuLosses: number[];
  webgpuLosses: number[];
  logitMaxAbs: number;
  weightMaxAbs: number;
  sameTrainAcc: boolean;
  tensorsLeft: number;
}

export interface WebgpuChecks {
  detail: string;
  software: boolean;
  kernels: KernelCheck[];
  train: TrainCheck[];
}

type Values = Float32Array | Int32Array | Uint8Array;
interface Captured {
  kernel: string;
  inputs: Record<string, { values: Values; shape: number[]; dtype: tf.DataType }>;
  attrs: tf.NamedAttrMap;
  outputs: { values: Values; shape: number[] }[];
}

interface CpuBackend {
  readSync(dataId: object): Values;
}

/** Wraps every cpu kernel so that its first calls for each input-shape signature are recorded. */
function recordCpuKernels(): { calls: Captured[]; stop: () => void } {
  const calls: Captured[] = [];
  const seen = new Set<string>();
  const restore: (() => void)[] = [];
  for (const config of tf.getKernelsForBackend('cpu')) {
    const original = config.kernelFunc;
    restore.push(() => (config.kernelFunc = original));
    config.kernelFunc = (args) => {
      const out = original(args);
      const backend = args.backend as unknown as CpuBackend;
      const ins = Object.entries(args.inputs).filter((e): e is [string, tf.TensorInfo] => e[1] !== undefined);
      const key = `${config.kernelName} ${ins.map(([n, t]) => `${n}:${t.shape.join('x')}`).join(' ')} ${JSON.stringify(args.attrs ?? {})}`;
      if (!seen.has(key)) {
        seen.add(key);
        const outs = Array.isArray(out) ? out : [out];
        calls.push({
          kernel: config.kernelName,
          inputs: Object.fromEntries(ins.map(([n, t]) => [n, { values: backend.readSync(t.dataId).slice(), shape: [...t.shape], dtype: t.dtype }])),
          attrs: structuredClone(args.attrs ?? {}),
          outputs: outs.map((t) => ({ values: backend.readSync(t.dataId).slice(), shape: [...t.shape] })),
        });
      }
      return out;
    };
  }
  return { calls, stop: () => restore.forEach((r) => r()) };
}

function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return scale === 0 ? diff : diff / scale;
}

/**
 * MaxPoolGrad gives a window's gradient to its first maximum on cpu and to its last on webgpu
 * (its shader compares with >=). Ties only happen between ReLU zeros, whose gradient ReLU then
 * zeroes either way, so training is the same (checked below); the kernel itself is compared on
 * the recorded dy with tie-free inputs (random values, and their max pool from cpu).
 */
async function tieFree(c: Captured, seed: number): Promise<Captured> {
  if (c.kernel !== 'MaxPoolGrad') return c;
  await tf.setBackend('cpu');
  const rng = new Rng(seed);
  const x = c.inputs.input;
  const values = Float32Array.from(x.values, () => rng.normal());
  const attrs = c.attrs as { filterSize: [number, number]; strides: [number, number]; pad: 'valid' | 'same' | number };
  const input = tf.tensor4d(values, x.shape as [number, number, number, number]);
  const output = tf.maxPool(input, attrs.filterSize, attrs.strides, attrs.pad);
  const dy = tf.tensor(c.inputs.dy.values, c.inputs.dy.shape);
  const grad = tf.engine().runKernel(c.kernel, { dy, input, output }, c.attrs) as tf.Tensor;
  const out: Captured = {
    kernel: c.kernel,
    inputs: { ...c.inputs, input: { ...x, values }, output: { values: (await output.data()) as Float32Array, shape: [...output.shape], dtype: 'float32' } },
    attrs: c.attrs,
    outputs: [{ values: (await grad.data()) as Float32Array, shape: [...grad.shape] }],
  };
  tf.dispose([input, output, dy, grad]);
  return out;
}

async function replayOnWebgpu(c: Captured): Promise<KernelCheck> {
  const shapes = Object.entries(c.inputs).map(([n, t]) => `${n}:${t.shape.join('x')}`).join(' ');
  if (!tf.getKernel(c.kernel, 'webgpu')) return { kernel: c.kernel, shapes, relErr: null, sameShapes: false };
  await tf.setBackend('webgpu');
  const inputs: tf.NamedTensorMap = {};
  for (const [n, t] of Object.entries(c.inputs)) inputs[n] = tf.tensor(t.values, t.shape, t.dtype);
  const result = tf.engine().runKernel(c.kernel, inputs, c.attrs) as tf.Tensor | tf.Tensor[];
  const outs = Array.isArray(result) ? result : [result];
  const values = await Promise.all(outs.map((t) => t.data()));
  const sameShapes = outs.length === c.outputs.length && outs.every((t, i) => t.shape.join() === c.outputs[i].shape.join());
  const err = Math.max(...values.map((v, i) => (c.outputs[i] ? relErr(v, c.outputs[i].values) : Infinity)));
  tf.dispose([...outs, ...Object.values(inputs)]);
  return { kernel: c.kernel, shapes, relErr: err, sameShapes };
}

const TEACHER_METHODS: readonly Method[] = ['kd', 'dive'];

/** One epoch of every method on cpu, recording the kernels each step uses. */
async function recordTraining(model: ModelKind): Promise<Captured[]> {
  await tf.setBackend('cpu');
  const data = tinyData();
  const rec = recordCpuKernels();
  try {
    // the stage-2 methods (crt, lws, tau-norm, logit-adjust) do not go through trainRun: their
    // kernels (the backbone in eval mode, a matMul, add and mul head, CE) are among these
    for (const method of METHODS.filter((m) => !SOURCE_METHODS.includes(m))) {
      const teacher = TEACHER_METHODS.includes(method) ? createModel({ kind: model, imageShape: data.imageShape, numClasses: data.numClasses }, new Rng(9)) : undefined;
      const config = parseRunConfig({ method, model, epochs: 1, batchSize: 64, lr: 0.05, milestones: [], warmupEpochs: 0, seed: 3 });
      await trainRun({ config, data, teacher });
      teacher?.dispose();
    }
  } finally {
    rec.stop();
  }
  return rec.calls;
}

async function train(backend: 'cpu' | 'webgpu', model: ModelKind): Promise<TrainCompleted & { tensorsLeft: number }> {
  await tf.setBackend(backend);
  const before = tf.memory().numTensors;
  // no flips: mirroring swaps quadrants, i.e. classes (as in train-equivalence.test.ts)
  const config = parseRunConfig({ method: 'ce', model, epochs: 2, batchSize: 16, lr: 0.05, milestones: [], seed: 3, augment: { flip: false } });
  const r = (await trainRun({ config, data: tinyData() })) as TrainCompleted;
  return { ...r, tensorsLeft: tf.memory().numTensors - before };
}

const maxAbs = (a: ArrayLike<number>, b: ArrayLike<number>) => relErr(a, b) * Math.max(...Array.from(b, Math.abs), 1e-30);

async function main(): Promise<WebgpuChecks> {
  await selectBackend('cpu');
  const report = await selectBackend('webgpu', { allowSoftwareAdapter: true });
  const models = (process.env.DIVE_WEBGPU_CHECK_MODELS ?? 'cnn,resnet8').split(',') as ModelKind[];
  const kernels: KernelCheck[] = [];
  for (const model of models) for (const [i, c] of (await recordTraining(model)).entries()) kernels.push(await replayOnWebgpu(await tieFree(c, i)));
  const trains: TrainCheck[] = [];
  for (const model of (process.env.DIVE_WEBGPU_TRAIN_MODELS ?? 'cnn').split(',') as ModelKind[]) {
    const cpu = await train('cpu', model);
    const gpu = await train('webgpu', model);
    trains.push({
      model,
      cpuLosses: cpu.records.map((r) => r.loss),
      webgpuLosses: gpu.records.map((r) => r.loss),
      logitMaxAbs: maxAbs(gpu.testLogits, cpu.testLogits),
      weightMaxAbs: Math.max(...cpu.weights.map((w, i) => maxAbs(gpu.weights[i].data, w.data))),
      sameTrainAcc: cpu.records.every((r, i) => r.trainAcc === gpu.records[i].trainAcc),
      tensorsLeft: cpu.tensorsLeft + gpu.tensorsLeft,
    });
  }
  return { detail: report.detail, software: report.adapter?.software ?? false, kernels, train: trains };
}

try {
  process.stdout.write(`\n${JSON.stringify(await main())}\n`);
  process.exit(0);
} catch (e) {
  process.stdout.write(`\n${JSON.stringify({ error: (e instanceof Error ? e.message : String(e)).split('\n')[0] })}\n`);
  process.exit(1);
}
