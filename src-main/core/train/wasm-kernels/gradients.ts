// Gradients for training on any backend. tfjs-core's Node entry registers none (the
// @tensorflow/tfjs union package does, and it is not a dependency), so the configs of every op the
// models, losses and optimizer use are registered here from tfjs-core's own gradient modules.
// Tile's is replaced: tfjs-core's adds one slice per repetition (N*H*W kernel calls for a
// broadcastTo of a [1, 1, 1, C] tensor, which records a Tile), this one is a reshape and one sum.
// Registering again is harmless, so losses.ts's own registrations may stay.
import * as tf from '@tensorflow/tfjs-core';
import type { GradConfig, NamedAttrMap, Tensor, TileAttrs } from '@tensorflow/tfjs-core';
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

export const TRAINING_GRADIENTS: readonly GradConfig[] = [
  absGradConfig, addGradConfig, addNGradConfig, avgPoolGradConfig, batchMatMulGradConfig, broadcastToGradConfig, castGradConfig, clipByValueGradConfig, concatGradConfig, conv2DGradConfig, conv2DBackpropInputGradConfig, divGradConfig, eluGradConfig, expGradConfig, expandDimsGradConfig, expm1GradConfig, gatherGradConfig, identityGradConfig, leakyReluGradConfig, logGradConfig, log1pGradConfig, logSoftmaxGradConfig, maxGradConfig, maxPoolGradConfig, maximumGradConfig, meanGradConfig, minGradConfig, minimumGradConfig, multiplyGradConfig, negGradConfig, oneHotGradConfig, onesLikeGradConfig, packGradConfig, padV2GradConfig, powGradConfig, reciprocalGradConfig, reluGradConfig, relu6GradConfig, reshapeGradConfig, reverseGradConfig, rsqrtGradConfig, selectGradConfig, sigmoidGradConfig, signGradConfig, sliceGradConfig, softmaxGradConfig, softplusGradConfig, splitVGradConfig, sqrtGradConfig, squareGradConfig, squaredDifferenceGradConfig, stepGradConfig, subGradConfig, sumGradConfig, tanhGradConfig, transposeGradConfig, unpackGradConfig, zerosLikeGradConfig,
  tileGradConfig,
];

/** Registers every gradient in TRAINING_GRADIENTS (idempotent: a registration replaces the last). */
export function registerTrainingGradients(): void {
  for (const config of TRAINING_GRADIENTS) tf.registerGradient(config);
}
