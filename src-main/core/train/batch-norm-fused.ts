// Training-mode batch norm on the wasm backend's fused kernels (wasm-kernels/batch-norm.ts: five
// passes over the activations, split over the worker pool, where the composite in layers.ts makes
// about a dozen kernel calls each way). Same formulas and the same saved tensors as that composite,
// which every other backend (and wasm with our kernels off) keeps running.
import * as tf from '@tensorflow/tfjs-core';
import { BN_TRAIN, BN_TRAIN_GRAD, fusedBatchNormServes } from './wasm-kernels/batch-norm';

type Stats = (mean: tf.Tensor1D, variance: tf.Tensor1D) => void;

/** Whether x's batch norm runs on the fused kernels now. */
export function fusedBatchNormApplies(x: tf.Tensor): boolean {
  return tf.getBackend() === 'wasm' && fusedBatchNormServes(tf.backend(), x);
}

export function fusedBnTrainOp(x: tf.Tensor, gamma: tf.Tensor1D, beta: tf.Tensor1D, epsilon: number, onStats: Stats): tf.Tensor {
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xi, g, b, save] = args as [tf.Tensor, tf.Tensor1D, tf.Tensor1D, tf.GradSaveFunc];
    const [y, centred, mean, variance, invStd, scale] = tf.engine().runKernel(BN_TRAIN, { x: xi, gamma: g, beta: b }, { epsilon }) as tf.Tensor[];
    onStats(mean as tf.Tensor1D, variance as tf.Tensor1D);
    save([centred, invStd, scale]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [c, s, a] = saved;
        return tf.engine().runKernel(BN_TRAIN_GRAD, { dy, centred: c, invStd: s, scale: a }, {}) as tf.Tensor[];
      },
    };
  });
  return f(x, gamma, beta);
}
