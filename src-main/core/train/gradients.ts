// Gradients for training on any backend. tfjs-core's Node entry registers none (the
// @tensorflow/tfjs union package does, and it is not a dependency), so the configs of every op the
// models, losses and optimizer use are registered here from tfjs-core's own gradient modules.
// Tile's is replaced: tfjs-core's adds one slice per repetition (N*H*W kernel calls for a
// broadcastTo of a [1, 1, 1, C] tensor, which records a Tile), this one is a reshape and one sum.
// StridedSlice has none in tfjs-core (so x[:, ::2, ::2, :] was not trainable): added here for
// positive strides, as zero-interleaving pads and reshapes.
// losses.ts and layers.ts call registerTrainingGradients() on import, so unit tests that skip
// backend.ts still train; registering again is harmless.
import * as tf from '@tensorflow/tfjs-core';
import type { GradConfig, NamedAttrMap, StridedSliceAttrs, Tensor, TileAttrs } from '@tensorflow/tfjs-core';
import { absGradConfig } from '@tensorflow/tfjs-core/dist/gradients/Abs_grad';
import { addGradConfig } from '@tensorflow/tfjs-core/dist/gradients/Add_grad';
import { addNGradConfig } from '@tensorflow/tfjs-core/dist/gradients/AddN_grad';
import { avgPoolGradConfig } from '@tensorflow/tfjs-core/dist/gradients/AvgPool_grad';
import { batchMatMulGradConfig } from '@tensorflow/tfjs-core/dist/gradients/BatchMatMul_grad';
import { broadcastToGradConfig } from '@tensorflow/tfjs-core/dist/gradients/BroadcastTo_grad';
import { castGradConfig } from '@tensorflow/tfjs-core/dist/gradients/Cast_grad';
import { clipByValueGradConfig } from '@tensorflow/tfjs-core/dist/gradients/ClipByValue_grad';
import { concatGradConfig } from '@tensorflow/tfjs-core/dist/gradients/Concat_grad';
import { conv2DGradConfig } from '@tensorflow/tfjs-core/dist/gradients/Conv2D_grad';
import { conv2DBackpropInputGradConfig } from '@tensorflow/tfjs-core/dist/gradients/Conv2DBackpropInput_grad';
import { divGradConfig } from '@tensorflow/tfjs-core/dist/gradients/RealDiv_grad';
import { eluGradConfig } from '@tensorflow/tfjs-core/dist/gradients/Elu_grad';
import { expGradConfig } from '@tensorflow/tfjs-core/dist/gradients/Exp_grad';
import { expandDimsGradConfig } from '@tensorflow/tfjs-core/dist/gradients/ExpandDims_grad';
import { expm1GradConfig } from '@tensorflow/tfjs-core/dist/gradients/Expm1_grad';
import { gatherGradConfig } from '@tensorflow/tfjs-core/dist/gradients/GatherV2_grad';
import { identityGradConfig } from '@tensorflow/tfjs-core/dist/gradients/Identity_grad';
import { leakyReluGradConfig } from '@tensorflow/tfjs-core/dist/gradients/LeakyRelu_grad';
import { logGradConfig } from '@tensorflow/tfjs-core/dist/gradients/Log_grad';
import { log1pGradConfig } from '@tensorflow/tfjs-core/dist/gradients/Log1p_grad';
import { logSoftmaxGradConfig } from '@tensorflow/tfjs-core/dist/gradients/LogSoftmax_grad';
import { maxGradConfig } from '@tensorflow/tfjs-core/dist/gradients/Max_grad';
import { maxPoolGradConfig } from '@tensorflow/tfjs-core/dist/gradients/MaxPool_grad';
import { maximumGradConfig } from '@tensorflow/tfjs-core/dist/gradients/Maximum_grad';
import { meanGradConfig } from '@tensorflow/tfjs-core/dist/gradients/Mean_grad';
import { minGradConfig } from '@tensorflow/tfjs-core/dist/gradients/Min_grad';
import { minimumGradConfig } from '@tensorflow/tfjs-core/dist/gradients/Minimum_grad';
import { multiplyGradConfig } from '@tensorflow/tfjs-core/dist/gradients/Multiply_grad';
import { negGradConfig } from '@tensorflow/tfjs-core/dist/gradients/Neg_grad';
import { oneHotGradConfig } from '@tensorflow/tfjs-core/dist/gradients/OneHot_grad';
import { onesLikeGradConfig } from '@tensorflow/tfjs-core/dist/gradients/OnesLike_grad';
import { packGradConfig } from '@tensorflow/tfjs-core/dist/gradients/Pack_grad';
import { padV2GradConfig } from '@tensorflow/tfjs-core/dist/gradients/PadV2_grad';
import { powGradConfig } from '@tensorflow/tfjs-core/dist/gradients/Pow_grad';
import { reciprocalGradConfig } from '@tensorflow/tfjs-core/dist/gradients/Reciprocal_grad';
import { reluGradConfig } from '@tensorflow/tfjs-core/dist/gradients/Relu_grad';
import { relu6GradConfig } from '@tensorflow/tfjs-core/dist/gradients/Relu6_grad';
import { reshapeGradConfig } from '@tensorflow/tfjs-core/dist/gradients/Reshape_grad';
import { reverseGradConfig } from '@tensorflow/tfjs-core/dist/gradients/Reverse_grad';
import { rsqrtGradConfig } from '@tensorflow/tfjs-core/dist/gradients/Rsqrt_grad';
import { selectGradConfig } from '@tensorflow/tfjs-core/dist/gradients/Select_grad';
import { sigmoidGradConfig } from '@tensorflow/tfjs-core/dist/gradients/Sigmoid_grad';
import { signGradConfig } from '@tensorflow/tfjs-core/dist/gradients/Sign_grad';
import { sliceGradConfig } from '@tensorflow/tfjs-core/dist/gradients/Slice_grad';
import { softmaxGradConfig } from '@tensorflow/tfjs-core/dist/gradients/Softmax_grad';
import { softplusGradConfig } from '@tensorflow/tfjs-core/dist/gradients/Softplus_grad';
import { splitVGradConfig } from '@tensorflow/tfjs-core/dist/gradients/SplitV_grad';
import { sqrtGradConfig } from '@tensorflow/tfjs-core/dist/gradients/Sqrt_grad';
import { squareGradConfig } from '@tensorflow/tfjs-core/dist/gradients/Square_grad';
import { squaredDifferenceGradConfig } from '@tensorflow/tfjs-core/dist/gradients/SquaredDifference_grad';
import { stepGradConfig } from '@tensorflow/tfjs-core/dist/gradients/Step_grad';
import { subGradConfig } from '@tensorflow/tfjs-core/dist/gradients/Sub_grad';
import { sumGradConfig } from '@tensorflow/tfjs-core/dist/gradients/Sum_grad';
import { tanhGradConfig } from '@tensorflow/tfjs-core/dist/gradients/Tanh_grad';
import { transposeGradConfig } from '@tensorflow/tfjs-core/dist/gradients/Transpose_grad';
import { unpackGradConfig } from '@tensorflow/tfjs-core/dist/gradients/Unpack_grad';
import { zerosLikeGradConfig } from '@tensorflow/tfjs-core/dist/gradients/ZerosLike_grad';

/** d tile(x, reps) / dx: dy viewed as [r0, d0, r1, d1, ...] summed over the repetition axes. */
export const tileGradConfig: GradConfig = {
  kernelName: tf.Tile,
  inputsToSave: ['x'],
  gradFunc: (dy: Tensor | Tensor[], saved: Tensor[], attrs: NamedAttrMap) => {
    const [x] = saved;
    const { reps } = attrs as unknown as TileAttrs;
    const g = dy as Tensor;
    return {
      x: () => {
        const split = x.shape.flatMap((d, i) => [reps[i], d]);
        const axes = x.shape.map((_, i) => 2 * i);
        return tf.reshape(tf.sum(tf.reshape(g, split), axes), x.shape);
      },
    };
  },
};

/**
 * The gradient of x[begin:end:strides] (normalized, positive strides): dy placed at the sliced
 * positions of a zero tensor of `shape`. Per axis, s - 1 zeros go after each element (a pad of
 * a [.., n, 1, ..] view), then the block is padded or cropped to begin / the input size.
 */
export function scatterStrided(dy: Tensor, shape: number[], begin: number[], end: number[], strides: number[]): Tensor {
  if (strides.some((s) => s <= 0)) throw new Error('stridedSlice gradient: only positive strides are supported');
  const counts = shape.map((_, i) => Math.max(0, Math.ceil((end[i] - begin[i]) / strides[i])));
  if (counts.some((n) => n === 0)) return tf.zeros(shape, dy.dtype);
  let g = tf.reshape(dy, counts);
  for (let i = 0; i < shape.length; i++) {
    const [s, n] = [strides[i], counts[i]];
    if (s > 1) {
      const view = [...g.shape.slice(0, i + 1), 1, ...g.shape.slice(i + 1)];
      const spread = [...g.shape];
      spread[i] = n * s;
      g = tf.reshape(tf.pad(tf.reshape(g, view), view.map((_, j): [number, number] => (j === i + 1 ? [0, s - 1] : [0, 0]))), spread);
    }
    const after = shape[i] - begin[i] - g.shape[i];
    if (after < 0) g = tf.slice(g, g.shape.map(() => 0), g.shape.map((d, j) => (j === i ? d + after : d)));
    g = tf.pad(g, g.shape.map((_, j): [number, number] => (j === i ? [begin[i], Math.max(0, after)] : [0, 0])));
  }
  return g;
}

export const stridedSliceGradConfig: GradConfig = {
  kernelName: tf.StridedSlice,
  inputsToSave: ['x'],
  gradFunc: (dy: Tensor | Tensor[], saved: Tensor[], attrs: NamedAttrMap) => {
    const [x] = saved;
    const a = attrs as unknown as StridedSliceAttrs;
    if (a.ellipsisMask || a.newAxisMask) throw new Error('stridedSlice gradient: ellipsis and new-axis masks are not supported');
    const info = tf.slice_util.sliceInfo(x.shape, a.begin, a.end, a.strides, a.beginMask, a.endMask, a.ellipsisMask, a.newAxisMask, a.shrinkAxisMask);
    return { x: () => scatterStrided(dy as Tensor, x.shape, info.begin, info.end, info.strides) };
  },
};

export const TRAINING_GRADIENTS: readonly GradConfig[] = [
  absGradConfig, addGradConfig, addNGradConfig, avgPoolGradConfig, batchMatMulGradConfig, broadcastToGradConfig, castGradConfig, clipByValueGradConfig, concatGradConfig, conv2DGradConfig, conv2DBackpropInputGradConfig, divGradConfig, eluGradConfig, expGradConfig, expandDimsGradConfig, expm1GradConfig, gatherGradConfig, identityGradConfig, leakyReluGradConfig, logGradConfig, log1pGradConfig, logSoftmaxGradConfig, maxGradConfig, maxPoolGradConfig, maximumGradConfig, meanGradConfig, minGradConfig, minimumGradConfig, multiplyGradConfig, negGradConfig, oneHotGradConfig, onesLikeGradConfig, packGradConfig, padV2GradConfig, powGradConfig, reciprocalGradConfig, reluGradConfig, relu6GradConfig, reshapeGradConfig, reverseGradConfig, rsqrtGradConfig, selectGradConfig, sigmoidGradConfig, signGradConfig, sliceGradConfig, softmaxGradConfig, softplusGradConfig, splitVGradConfig, sqrtGradConfig, squareGradConfig, squaredDifferenceGradConfig, stepGradConfig, subGradConfig, sumGradConfig, tanhGradConfig, transposeGradConfig, unpackGradConfig, zerosLikeGradConfig,
  tileGradConfig,
  stridedSliceGradConfig,
];

/** Registers every gradient in TRAINING_GRADIENTS (idempotent: a registration replaces the last). */
export function registerTrainingGradients(): void {
  for (const config of TRAINING_GRADIENTS) tf.registerGradient(config);
}
