// Identity, and Cast to the same dtype, for the wasm backend without copying. The shipped kernels
// copy the whole tensor, and training calls them a lot (tf.clone, customGrad outputs, and every
// ReLU gradient casts its float32 input to float32). Tensor data is immutable, so the output can
// share the input's buffer with one more reference, as the cpu backend and wasm Reshape do.
import * as tf from '@tensorflow/tfjs-core';
import type { CastAttrs, KernelBackend, KernelConfig, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';
import { inputsOf, WASM } from './exec';
import { runShipped } from './shipped';

function view(backend: KernelBackend, x: TensorInfo): TensorInfo {
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
}

export function identity(args: { inputs: NamedTensorInfoMap; backend: KernelBackend; attrs?: NamedAttrMap }): TensorInfo {
  const { x } = inputsOf(args.inputs, 'x');
  if (x.dtype === 'string') return runShipped(tf.Identity, args.backend, args.inputs, args.attrs ?? {});
  return view(args.backend, x);
}

export function cast(args: { inputs: NamedTensorInfoMap; backend: KernelBackend; attrs?: NamedAttrMap }): TensorInfo {
  const { x } = inputsOf(args.inputs, 'x');
  const { dtype } = args.attrs as unknown as CastAttrs;
  if (dtype !== x.dtype || x.dtype === 'string') return runShipped(tf.Cast, args.backend, args.inputs, args.attrs ?? {});
  return view(args.backend, x);
}

export const identityConfig: KernelConfig = { kernelName: tf.Identity, backendName: WASM, kernelFunc: identity as unknown as KernelConfig['kernelFunc'] };
export const castConfig: KernelConfig = { kernelName: tf.Cast, backendName: WASM, kernelFunc: cast as unknown as KernelConfig['kernelFunc'] };
