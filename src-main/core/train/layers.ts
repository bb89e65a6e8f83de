// Layers written with tfjs-core ops on NHWC float32 tensors, following PyTorch's conventions so
// the models match the reference code (kaidic/LDAM-DRW models/resnet_cifar.py):
// - weights drawn from the project's seeded Rng (never TF.js initializer seeds): Kaiming normal
//   std = sqrt(2 / fan_in) for conv and linear weights (torch.nn.init.kaiming_normal_ defaults),
//   linear biases uniform(-1/sqrt(fan_in), 1/sqrt(fan_in)) (PyTorch's nn.Linear default, which the
//   reference leaves in place), batch norm gamma 1 and beta 0;
// - convolutions pad symmetrically by (k - 1) / 2 like PyTorch's padding=1 (TF's 'same' pads
//   stride-2 convolutions of even inputs on the bottom/right only, which shifts the grid);
// - batch norm: momentum 0.1, eps 1e-5, batch statistics in training (biased variance to
//   normalise, unbiased variance into the running estimate), running statistics in eval.
import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../rng';
import { fusedBatchNormApplies, fusedBnTrainOp, type Activation } from './batch-norm-fused';
import { registerTrainingGradients } from './gradients';

// tfjs-core's Node entry registers no gradients; this module's ops need them even when no backend
// was selected through backend.ts (unit tests on the cpu backend). Registering twice is harmless.
registerTrainingGradients();

export type NamedVariables = Record<string, tf.Variable>;

/** One named tensor's values, detached from TF.js (checkpoints, export). */
export interface NamedArray {
  name: string;
  shape: number[];
  data: Float32Array;
}

export const BN_MOMENTUM = 0.1;
export const BN_EPS = 1e-5;

/** Collects a model's variables under unique dotted names, in creation order. */
export class VariableSet {
  readonly params: NamedVariables = {};
  readonly state: NamedVariables = {};

  constructor(readonly rng: Rng) {}

  param(name: string, shape: number[], values: Float32Array): tf.Variable {
    return this.add(this.params, name, shape, values, true);
  }

  buffer(name: string, shape: number[], values: Float32Array): tf.Variable {
    return this.add(this.state, name, shape, values, false);
  }

  private add(into: NamedVariables, name: string, shape: number[], values: Float32Array, trainable: boolean): tf.Variable {
    if (name in this.params || name in this.state) throw new Error(`duplicate variable name ${name}`);
    // The name TF.js sees gets a unique suffix: two models (teacher and student) may coexist.
    const v = tf.tidy(() => tf.variable(tf.tensor(values, shape, 'float32'), trainable, `${name}#${nextId++}`));
    into[name] = v;
    return v;
  }
}
let nextId = 0;

export function kaimingNormal(rng: Rng, size: number, fanIn: number): Float32Array {
  const std = Math.sqrt(2 / fanIn);
  const a = new Float32Array(size);
  for (let i = 0; i < size; i++) a[i] = std * rng.normal();
  return a;
}

export function uniform(rng: Rng, size: number, bound: number): Float32Array {
  const a = new Float32Array(size);
  for (let i = 0; i < size; i++) a[i] = (2 * rng.float() - 1) * bound;
  return a;
}

export type Layer<I extends tf.Tensor = tf.Tensor, O extends tf.Tensor = tf.Tensor> = (x: I, training: boolean) => O;

/** k x k convolution without bias, weight [k, k, in, out]. */
export function conv2d(vs: VariableSet, name: string, inC: number, outC: number, k: number, stride: number): Layer<tf.Tensor4D, tf.Tensor4D> {
  const w = vs.param(`${name}.weight`, [k, k, inC, outC], kaimingNormal(vs.rng, k * k * inC * outC, k * k * inC));
  const pad = (k - 1) / 2;
  return (x) => tf.conv2d(x, w as tf.Tensor4D, stride, pad);
}

/** Fully connected layer, weight [in, out]. */
export function dense(vs: VariableSet, name: string, inF: number, outF: number): Layer<tf.Tensor2D, tf.Tensor2D> {
  const w = vs.param(`${name}.weight`, [inF, outF], kaimingNormal(vs.rng, inF * outF, inF));
  const b = vs.param(`${name}.bias`, [outF], uniform(vs.rng, outF, 1 / Math.sqrt(inF)));
  return (x) => tf.add(tf.matMul(x, w as tf.Tensor2D), b) as tf.Tensor2D;
}

/**
 * PyTorch's F.normalize, x / max(||x||_2, 1e-12) along `axis`, as x * rsqrt(sum x^2 + 1e-24):
 * the same value to float precision, and a finite gradient for an all-zero vector (a feature
 * vector of dead ReLUs), where sqrt's derivative would be infinite.
 */
function l2Normalize(x: tf.Tensor2D, axis: number): tf.Tensor2D {
  return tf.mul(x, tf.rsqrt(tf.add(tf.sum(tf.square(x), axis, true), 1e-24))) as tf.Tensor2D;
}

/**
 * LDAM-DRW's NormedLinear: cosine between the normalised feature and each normalised class
 * weight column, no bias. Init: uniform(-1, 1), then every column rescaled to unit norm.
 */
export function normedDense(vs: VariableSet, name: string, inF: number, outF: number): Layer<tf.Tensor2D, tf.Tensor2D> {
  const values = uniform(vs.rng, inF * outF, 1);
  for (let j = 0; j < outF; j++) {
    let s = 0;
    for (let i = 0; i < inF; i++) s += values[i * outF + j] ** 2;
    const inv = 1 / Math.max(Math.sqrt(s), 1e-12);
    for (let i = 0; i < inF; i++) values[i * outF + j] *= inv;
  }
  const w = vs.param(`${name}.weight`, [inF, outF], values);
  return (x) => tf.matMul(l2Normalize(x, 1), l2Normalize(w as tf.Tensor2D, 0));
}

type Stats = (mean: tf.Tensor1D, variance: tf.Tensor1D) => void;

/**
 * Mean over all axes but the last (channels), as a [C] tensor. For NHWC input it is one average
 * pooling over the whole image, then a mean over the small [N, C] result: on the wasm backend a
 * reduction over leading axes (tf.sum / tf.mean, or a [1, M] x [M, C] matmul on fresh data) costs
 * as much as two element-wise passes, while XNNPACK's pooling is about 15 times cheaper (9 times
 * on the cpu backend). Measured on [128, 32, 32, 16]: 0.5 ms against 8.4 ms.
 */
function channelMean(t: tf.Tensor, C: number): tf.Tensor1D {
  if (t.rank === 4) {
    const [, h, w] = t.shape;
    return tf.reshape(tf.mean(tf.avgPool(t as tf.Tensor4D, [h, w], [h, w], 'valid'), [0, 1, 2]), [C]);
  }
  return tf.mean(tf.reshape(t, [-1, C]), 0) as tf.Tensor1D;
}

/**
 * Training-mode batch norm over all axes but the last, with a fused backward pass. With
 * c = x - mean (centred) and s = invStd over M = N*H*W values per channel (mean_M = mean over them):
 *   forward  y = c * (gamma * s) + beta,
 *   backward dbeta = M mean_M dy,  dgamma = M s mean_M(dy * c),
 *            dx = gamma * s * (dy - mean_M dy - c * s^2 * mean_M(dy * c)).
 * Four element-wise passes each way instead of the composite gradient of tf.moments. The
 * variance is the two-pass mean of c^2 (numerically stable). `onStats` receives the batch mean
 * and the biased variance.
 */
function bnTrainOp(x: tf.Tensor, gamma: tf.Tensor1D, beta: tf.Tensor1D, onStats: Stats, act?: Activation): tf.Tensor {
  // the wasm backend with our kernels: the same arithmetic in five passes, with the activation
  // in them (batch-norm-fused.ts)
  if (fusedBatchNormApplies(x)) return fusedBnTrainOp(x, gamma, beta, BN_EPS, onStats, act);
  const C = x.shape[x.rank - 1];
  const M = x.size / C;
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xi, g, b, save] = args as [tf.Tensor, tf.Tensor1D, tf.Tensor1D, tf.GradSaveFunc];
    const mean = channelMean(xi, C);
    const centred = tf.sub(xi, mean);
    const variance = channelMean(tf.square(centred), C);
    onStats(mean, variance);
    const invStd = tf.rsqrt(tf.add(variance, BN_EPS));
    const scale = tf.mul(g, invStd);
    save([centred, invStd, scale]);
    return {
      value: tf.add(tf.mul(centred, scale), b),
      // tidy: the temporaries would otherwise live until the whole step ends (a third of the
      // wasm heap for ResNet-32 at batch 128: npm run bench:memory)
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
        tf.tidy(() => {
          const [c, s, a] = saved;
          const meanDy = channelMean(dy, C);
          const meanDyC = channelMean(tf.mul(dy, c), C);
          const dx = tf.mul(tf.sub(tf.sub(dy, tf.mul(c, tf.mul(tf.square(s), meanDyC))), meanDy), a);
          return [dx, tf.mul(tf.mul(meanDyC, s), M), tf.mul(meanDy, M)];
        }),
    };
  });
  return activate(f(x, gamma, beta), act);
}

/** relu(y + residual), relu(y), or y, as `act` says. */
function activate<T extends tf.Tensor>(y: T, act?: Activation): T {
  if (!act?.relu) return y;
  return tf.relu(act.residual ? tf.add(y, act.residual) : y) as T;
}

/** Batch norm, then (act) a ReLU, with a residual added before it: fused into batch norm's kernels where they run. */
export type BatchNormLayer<T extends tf.Tensor> = (x: T, training: boolean, act?: Activation) => T;
export const RELU: Activation = { relu: true };

/** Batch norm over the channel (last) axis of a [N, H, W, C] or [N, C] tensor. */
export function batchNorm<T extends tf.Tensor>(vs: VariableSet, name: string, C: number): BatchNormLayer<T> {
  const gamma = vs.param(`${name}.weight`, [C], new Float32Array(C).fill(1)) as tf.Variable<tf.Rank.R1>;
  const beta = vs.param(`${name}.bias`, [C], new Float32Array(C)) as tf.Variable<tf.Rank.R1>;
  const runMean = vs.buffer(`${name}.running_mean`, [C], new Float32Array(C));
  const runVar = vs.buffer(`${name}.running_var`, [C], new Float32Array(C).fill(1));
  return (x, training, act) => {
    if (!training) {
      return tf.tidy(() => {
        const scale = tf.mul(gamma, tf.rsqrt(tf.add(runVar, BN_EPS)));
        const shift = tf.sub(beta, tf.mul(runMean, scale));
        return activate(tf.add(tf.mul(x, scale), shift) as T, act);
      });
    }
    const M = x.size / C;
    return bnTrainOp(x, gamma, beta, (mean, variance) => {
      // Runs inside the forward kernel's scope: the assigned values outlive it as variables.
      const unbiased = M > 1 ? M / (M - 1) : 1;
      runMean.assign(tf.add(tf.mul(runMean, 1 - BN_MOMENTUM), tf.mul(mean, BN_MOMENTUM)));
      runVar.assign(tf.add(tf.mul(runVar, 1 - BN_MOMENTUM), tf.mul(variance, BN_MOMENTUM * unbiased)));
    }, act) as T;
  };
}

/**
 * x[:, ::2, ::2, :] (the option-A shortcut's subsampling) from ops that all have gradients on
 * every backend: pad odd sizes to even, fold each 2x2 block, keep its top-left value.
 */
export function subsample2(x: tf.Tensor4D): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  const h2 = Math.ceil(h / 2);
  const w2 = Math.ceil(w / 2);
  return tf.tidy(() => {
    const even = h % 2 || w % 2 ? tf.pad(x, [[0, 0], [0, 2 * h2 - h], [0, 2 * w2 - w], [0, 0]]) : x;
    const folded = tf.reshape(even, [n * h2, 2, w2, 2 * c]);
    return tf.reshape(tf.slice(folded, [0, 0, 0, 0], [n * h2, 1, w2, c]), [n, h2, w2, c]);
  });
}

/** Option-A shortcut of He et al. 2016: subsample by 2, zero-pad channels planes/4 on each side. */
export function shortcutA(inC: number, outC: number): (x: tf.Tensor4D) => tf.Tensor4D {
  const side = Math.floor(outC / 4);
  if (inC + 2 * side !== outC) throw new Error(`option-A shortcut cannot map ${inC} to ${outC} channels`);
  return (x) => tf.tidy(() => tf.pad(subsample2(x), [[0, 0], [0, 0], [0, 0], [side, side]]));
}
