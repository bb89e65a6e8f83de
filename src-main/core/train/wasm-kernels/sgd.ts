// SGD with momentum and weight decay as one kernel of ours for the wasm backend (sgd_momentum in
// native/sgd.c), in place of the six element-wise kernels of optim.ts's composite per parameter
// (a ResNet-32 step ran 570 of them, each a call and an allocation for a few thousand floats).
// The same float32 operations in the same order: the result equals the composite's to the bit.
//   DiveSgdMomentum(param, velocity, grad; lr, momentum, weightDecay) -> [param', velocity']
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { KernelBackend, KernelConfig, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';
import { inputsOf, WASM } from './exec';
import { nativeConv } from './native-conv';

export const SGD_MOMENTUM = 'DiveSgdMomentum';

/** Whether the fused step serves a float32 parameter on this backend (the wasm backend with our kernels). */
export function fusedSgdServes(backend: KernelBackend, param: TensorInfo): boolean {
  return param.dtype === 'float32' && nativeConv(backend) !== null;
}

function sgdMomentum(args: { inputs: NamedTensorInfoMap; backend: KernelBackend; attrs?: NamedAttrMap }): TensorInfo[] {
  const { param, velocity, grad } = inputsOf(args.inputs, 'param', 'velocity', 'grad');
  const native = nativeConv(args.backend);
  if (!native) throw new Error('sgd kernel: our wasm kernels are not available on this backend');
  const backend = args.backend as unknown as BackendWasm;
  const n = param.shape.reduce((a, b) => a * b, 1);
  if (velocity.shape.reduce((a, b) => a * b, 1) !== n || grad.shape.reduce((a, b) => a * b, 1) !== n) {
    throw new Error(`sgd kernel: parameter [${param.shape}], velocity [${velocity.shape}] and gradient [${grad.shape}] differ in size`);
  }
  const outs = [backend.makeOutput(param.shape, 'float32'), backend.makeOutput(param.shape, 'float32')];
  const at = (t: TensorInfo) => backend.typedArrayFromHeap(t).byteOffset;
  const { lr, momentum, weightDecay } = args.attrs as { lr: number; momentum: number; weightDecay: number };
  native.call('sgd_momentum', [at(param), at(velocity), at(grad), at(outs[0]), at(outs[1]), n, lr, momentum, weightDecay]);
  return outs;
}

export const sgdMomentumConfig: KernelConfig = {
  kernelName: SGD_MOMENTUM,
  backendName: WASM,
  kernelFunc: sgdMomentum as unknown as KernelConfig['kernelFunc'],
};
