// Batch norm in training as two kernels of our own for the wasm backend (bn_* in
// native/conv-kernels.c, split by images over the conv kernels' worker pool), in place of the
// composite of layers.ts (about a dozen XNNPACK element-wise and pooling calls each way, each a pass
// over the activations, most of them single-threaded in effect): forward in three passes (channel
// sums; centred values and their squares' sums; output), backward in two (sums of dy and dy *
// centred; dx). Same formulas as the composite (layers.ts), per-channel sums in float64 per thread.
// The ReLU that follows batch norm in a CIFAR ResNet, and a residual block's addition before it,
// run in the same passes (attr relu, input residual): y = relu(bn(x) + residual), and backward the
// ReLU's mask (its output y > 0) is applied to dy as it is read; the residual's gradient is that
// masked dy, written by the first backward pass.
//   DiveBatchNormTrain(x, gamma, beta[, residual]; epsilon, relu) -> [y, centred, mean, variance, invStd, scale]
//   DiveBatchNormTrainGrad(dy, centred, invStd, scale[, y]; residual) -> [dx, dgamma, dbeta[, dresidual]]
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { KernelBackend, KernelConfig, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';
import { inputsOf, WASM } from './exec';
import { imageRange, nativeConv, type NativeConv } from './native-conv';

export const BN_TRAIN = 'DiveBatchNormTrain';
export const BN_TRAIN_GRAD = 'DiveBatchNormTrainGrad';

interface Layout {
  n: number;
  hw: number;
  c: number;
  /** values per channel */
  m: number;
}

/** Whether the fused kernels serve x on this backend: the wasm backend with our kernels, float32, channels a multiple of 4. */
export function fusedBatchNormServes(backend: KernelBackend, x: TensorInfo): boolean {
  const c = x.shape[x.shape.length - 1];
  return x.dtype === 'float32' && x.shape.length >= 2 && c % 4 === 0 && c > 0 && nativeConv(backend) !== null;
}

function layout(x: TensorInfo): Layout {
  const c = x.shape[x.shape.length - 1];
  const n = x.shape[0];
  const size = x.shape.reduce((a, b) => a * b, 1);
  return { n, hw: size / (n * c), c, m: size / c };
}

function kernels(backend: KernelBackend): NativeConv {
  const native = nativeConv(backend);
  if (!native) throw new Error('batch norm kernels: our wasm kernels are not available on this backend');
  return native;
}

/** The per-thread float64 sums (`count` per thread) added up over threads. */
function addThreads(heap: ArrayBufferLike, byteOffset: number, threads: number, count: number): Float64Array {
  const view = new DataView(heap, byteOffset, threads * count * 8);
  const total = new Float64Array(count);
  for (let t = 0; t < threads; t++) {
    for (let k = 0; k < count; k++) total[k] += view.getFloat64((t * count + k) * 8, true);
  }
  return total;
}

type Wasm = BackendWasm;
const f32 = (backend: Wasm, t: TensorInfo) => backend.typedArrayFromHeap(t) as Float32Array;

/** Runs body with per-thread sums (2c doubles each) and scratch (2c floats each), freed afterwards. */
function withSums<T>(backend: Wasm, threads: number, c: number, body: (sums: TensorInfo, scratch: TensorInfo) => T): T {
  const sums = backend.makeOutput([threads * 4 * c], 'float32'); // 2c doubles per thread
  const scratch = backend.makeOutput([threads * 2 * c], 'float32');
  try {
    return body(sums, scratch);
  } finally {
    backend.disposeData(sums.dataId);
    backend.disposeData(scratch.dataId);
  }
}

function batchNormTrain(args: { inputs: NamedTensorInfoMap; backend: KernelBackend; attrs?: NamedAttrMap }): TensorInfo[] {
  const { x, gamma, beta } = inputsOf(args.inputs, 'x', 'gamma', 'beta');
  const residual = args.inputs.residual;
  if (residual && residual.shape.join() !== x.shape.join()) throw new Error(`batch norm kernel: residual [${residual.shape}] for x [${x.shape}]`);
  const epsilon = Number(args.attrs?.epsilon);
  const relu = args.attrs?.relu === true;
  const native = kernels(args.backend);
  const backend = args.backend as unknown as Wasm;
  const { n, hw, c, m } = layout(x);
  const T = native.threads;
  const outs = [backend.makeOutput(x.shape, 'float32'), backend.makeOutput(x.shape, 'float32'),
    ...[0, 1, 2, 3].map(() => backend.makeOutput([c], 'float32'))];
  const [y, centred, mean, variance, invStd, scale] = outs;
  try {
    withSums(backend, T, c, (sums, scratch) => {
      // offsets are read after the allocations (an allocation can grow the heap)
      const at = (t: TensorInfo) => backend.typedArrayFromHeap(t).byteOffset;
      const sumsAt = (t: number) => at(sums) + 16 * c * t;
      const scratchAt = (t: number) => at(scratch) + 8 * c * t;
      native.run('bn_sum', (t) => [at(x), sumsAt(t), scratchAt(t), ...imageRange(n, T, t), hw, c]);
      const sx = addThreads(f32(backend, sums).buffer, sumsAt(0), T, 2 * c);
      const meanV = f32(backend, mean);
      for (let k = 0; k < c; k++) meanV[k] = sx[k] / m;
      native.run('bn_centre', (t) => [at(x), at(mean), at(centred), sumsAt(t), scratchAt(t), ...imageRange(n, T, t), hw, c]);
      const sq = addThreads(f32(backend, sums).buffer, sumsAt(0), T, 2 * c);
      const [varV, invV, scaleV, gammaV] = [variance, invStd, scale, gamma].map((t) => f32(backend, t));
      for (let k = 0; k < c; k++) {
        varV[k] = sq[k] / m;
        invV[k] = 1 / Math.sqrt(Math.fround(varV[k] + epsilon));
        scaleV[k] = gammaV[k] * invV[k];
      }
      native.run('bn_apply', (t) => [at(centred), at(scale), at(beta), residual ? at(residual) : 0, at(y), ...imageRange(n, T, t), hw, c, relu ? 1 : 0]);
    });
  } catch (e) {
    for (const o of outs) backend.disposeData(o.dataId);
    throw e;
  }
  return outs;
}

function batchNormTrainGrad(args: { inputs: NamedTensorInfoMap; backend: KernelBackend; attrs?: NamedAttrMap }): TensorInfo[] {
  const { dy, centred, invStd, scale } = inputsOf(args.inputs, 'dy', 'centred', 'invStd', 'scale');
  // the ReLU's output, whose mask applies to dy (absent: no ReLU followed)
  const mask = args.inputs.y;
  const withResidual = args.attrs?.residual === true;
  if (withResidual && !mask) throw new Error('batch norm kernel: a residual gradient needs the ReLU output y');
  const native = kernels(args.backend);
  const backend = args.backend as unknown as Wasm;
  const { n, hw, c, m } = layout(dy);
  const T = native.threads;
  const outs = [backend.makeOutput(dy.shape, 'float32'), backend.makeOutput([c], 'float32'), backend.makeOutput([c], 'float32')];
  if (withResidual) outs.push(backend.makeOutput(dy.shape, 'float32'));
  const [dx, dgamma, dbeta, dresidual] = outs;
  const consts = backend.makeOutput([2 * c], 'float32'); // k = invStd^2 * mean(dy * centred), then mean(dy)
  try {
    withSums(backend, T, c, (sums, scratch) => {
      const at = (t: TensorInfo) => backend.typedArrayFromHeap(t).byteOffset;
      const sumsAt = (t: number) => at(sums) + 16 * c * t;
      const maskAt = mask ? at(mask) : 0;
      native.run('bn_grad_sums', (t) => [at(dy), maskAt, at(centred), sumsAt(t), at(scratch) + 8 * c * t, dresidual ? at(dresidual) : 0, ...imageRange(n, T, t), hw, c]);
      const s = addThreads(f32(backend, sums).buffer, sumsAt(0), T, 2 * c);
      const [kV, sV, gV, bV] = [consts, invStd, dgamma, dbeta].map((t) => f32(backend, t));
      for (let k = 0; k < c; k++) {
        const meanDy = Math.fround(s[k] / m);
        const meanDyC = Math.fround(s[c + k] / m);
        kV[k] = Math.fround(sV[k] * sV[k]) * meanDyC;
        kV[c + k] = meanDy;
        gV[k] = Math.fround(meanDyC * sV[k]) * m;
        bV[k] = meanDy * m;
      }
      native.run('bn_grad_apply', (t) => [at(dy), maskAt, at(centred), at(consts), at(consts) + 4 * c, at(scale), at(dx), ...imageRange(n, T, t), hw, c]);
    });
  } catch (e) {
    for (const o of outs) backend.disposeData(o.dataId);
    throw e;
  } finally {
    backend.disposeData(consts.dataId);
  }
  return outs;
}

export const batchNormTrainConfig: KernelConfig = {
  kernelName: BN_TRAIN,
  backendName: WASM,
  kernelFunc: batchNormTrain as unknown as KernelConfig['kernelFunc'],
};

export const batchNormTrainGradConfig: KernelConfig = {
  kernelName: BN_TRAIN_GRAD,
  backendName: WASM,
  kernelFunc: batchNormTrainGrad as unknown as KernelConfig['kernelFunc'],
};
