// SGD's update on the wasm backend's fused kernel (wasm-kernels/sgd.ts: one kernel per parameter
// where the composite in optim.ts runs six), bit-identical to that composite, which every other
// backend (and wasm with our kernels off) keeps running.
import * as tf from '@tensorflow/tfjs-core';
import { fusedSgdServes, SGD_MOMENTUM } from './wasm-kernels/sgd';

/** Whether p's update runs on the fused kernel now. */
export function fusedSgdApplies(p: tf.Tensor): boolean {
  return tf.getBackend() === 'wasm' && fusedSgdServes(tf.backend(), p);
}

/** [p', v'] of one SGD step (see optim.ts for the formula). */
export function fusedSgdStep(p: tf.Tensor, v: tf.Tensor, g: tf.Tensor, lr: number, momentum: number, weightDecay: number): [tf.Tensor, tf.Tensor] {
  const [np, nv] = tf.engine().runKernel(SGD_MOMENTUM, { param: p, velocity: v, grad: g }, { lr, momentum, weightDecay }) as tf.Tensor[];
  return [np, nv];
}
