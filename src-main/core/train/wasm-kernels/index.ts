// The project's wasm kernels: the gradient kernels training needs, written on the backend's
// XNNPACK-backed kernels (see each file). registerWasmKernels() must run after
// @tensorflow/tfjs-backend-wasm has been imported (that import registers the shipped kernels,
// and would overwrite ours if it came later) and may run any number of times.
import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig } from '@tensorflow/tfjs-core';
import { batchMatMulConfig } from './batch-matmul';
import { batchNormTrainConfig, batchNormTrainGradConfig } from './batch-norm';
import { conv2DConfig } from './conv2d';
import { conv2DBackpropFilterConfig } from './conv2d-backprop-filter';
import { conv2DBackpropInputConfig } from './conv2d-backprop-input';
import { WASM } from './exec';
import { castConfig, identityConfig } from './identity';
import { maxPoolGradConfig } from './max-pool-grad';
import { oneHotConfig } from './one-hot';
import { meanConfig, sumConfig } from './reduce';
import { unsortedSegmentSumConfig } from './unsorted-segment-sum';
import { rememberShipped } from './shipped';
import { sgdMomentumConfig } from './sgd';
import { sliceConfig } from './slice';

/** Kernel names this folder provides for the wasm backend (new ones and replacements). */
export const WASM_KERNELS: readonly KernelConfig[] = [
  conv2DConfig,
  conv2DBackpropFilterConfig,
  conv2DBackpropInputConfig,
  batchMatMulConfig,
  sumConfig,
  meanConfig,
  maxPoolGradConfig,
  unsortedSegmentSumConfig,
  oneHotConfig,
  identityConfig,
  castConfig,
  sliceConfig,
  batchNormTrainConfig,
  batchNormTrainGradConfig,
  sgdMomentumConfig,
];

/** Registers (or keeps) the project's wasm kernels; returns the names newly registered. */
export function registerWasmKernels(): string[] {
  if (!tf.getKernel(tf.Conv2D, WASM)) {
    throw new Error('registerWasmKernels: import @tensorflow/tfjs-backend-wasm first (its kernels are not registered)');
  }
  const added: string[] = [];
  for (const config of WASM_KERNELS) {
    const current = tf.getKernel(config.kernelName, WASM);
    if (current?.kernelFunc === config.kernelFunc) continue;
    if (current) {
      rememberShipped(current);
      tf.unregisterKernel(config.kernelName, WASM);
    }
    // The shipped kernel's setup (binding its wasm function) must still run when the backend
    // starts, because the replacement delegates to it.
    tf.registerKernel({ ...config, setupFunc: current?.setupFunc });
    added.push(config.kernelName);
  }
  return added;
}
