// The wasm backend's own kernels that this folder replaces, kept so a replacement can delegate
// to the fast path of the original (e.g. BatchMatMul's XNNPACK call) without calling itself.
import type { KernelBackend, KernelConfig, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';

const shipped = new Map<string, KernelConfig>();

export function rememberShipped(config: KernelConfig): void {
  shipped.set(config.kernelName, config);
}

export function shippedKernel(name: string): KernelConfig {
  const k = shipped.get(name);
  if (!k) throw new Error(`the wasm backend's own ${name} kernel was not recorded before it was replaced`);
  return k;
}

export function runShipped(name: string, backend: KernelBackend, inputs: NamedTensorInfoMap, attrs: NamedAttrMap): TensorInfo {
  const out = shippedKernel(name).kernelFunc({ inputs, backend, attrs });
  if (Array.isArray(out)) throw new Error(`wasm kernel ${name} returned several outputs`);
  return out;
}

