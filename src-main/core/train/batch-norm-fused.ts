// Training-mode batch norm on the wasm backend's fused kernels (wasm-kernels/batch-norm.ts: five
// passes over the activations, split over the worker pool, where the composite in layers.ts makes
// about a dozen kernel calls each way). Same formulas and the same saved tensors as that composite,
// which every other backend (and wasm with our kernels off) keeps running. With `relu` the ReLU
// after it, and a residual block's addition before that, run in the same passes:
// relu(bn(x) + residual), and their gradients inside batch norm's.
import * as tf from '@tensorflow/tfjs-core';
import { BN_TRAIN, BN_TRAIN_GRAD, fusedBatchNormServes } from './wasm-kernels/batch-norm';

type Stats = (mean: tf.Tensor1D, variance: tf.Tensor1D) => void;

/** Whether x's batch norm runs on the fused kernels now. */
export function fusedBatchNormApplies(x: tf.Tensor): boolean {
  return tf.getBackend() === 'wasm' && fusedBatchNormServes(tf.backend(), x);
}

export interface Activation {
  /** a ReLU follows batch norm */
  relu: boolean;
  /** added to batch norm's output before the ReLU (needs relu) */
  residual?: tf.Tensor;
}

export function fusedBnTrainOp(x: tf.Tensor, gamma: tf.Tensor1D, beta: tf.Tensor1D, epsilon: number, onStats: Stats, act: Activation = { relu: false }): tf.Tensor {
  if (act.residual && !act.relu) throw new Error('fused batch norm: a residual is only added before a ReLU');
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const save = args[args.length - 1] as tf.GradSaveFunc;
    const [xi, g, b, r] = args.slice(0, -1) as tf.Tensor[];
    const inputs: tf.NamedTensorMap = r ? { x: xi, gamma: g, beta: b, residual: r } : { x: xi, gamma: g, beta: b };
    const [y, centred, mean, variance, invStd, scale] = tf.engine().runKernel(BN_TRAIN, inputs, { epsilon, relu: act.relu }) as tf.Tensor[];
    onStats(mean as tf.Tensor1D, variance as tf.Tensor1D);
    // the ReLU's output is its mask in the backward pass
    save(act.relu ? [centred, invStd, scale, y] : [centred, invStd, scale]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [c, s, a, out] = saved;
        const grads: tf.NamedTensorMap = out ? { dy, centred: c, invStd: s, scale: a, y: out } : { dy, centred: c, invStd: s, scale: a };
        return tf.engine().runKernel(BN_TRAIN_GRAD, grads, { residual: r !== undefined }) as tf.Tensor[];
      },
    };
  });
  return act.residual ? f(x, gamma, beta, act.residual) : f(x, gamma, beta);
}
