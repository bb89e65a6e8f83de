// Conv2D for the wasm backend: Winograd F(4x4, 3x3) for 3x3 stride-1 convolutions (winograd.ts),
// our own direct kernel (native-conv.ts) for the others where it runs, the shipped XNNPACK kernel
// otherwise. Besides the forward pass this serves the input gradient, which
// conv2d-backprop-input.ts runs as forward convolutions of dy. Ours is about 1.6x XNNPACK's speed
// per call on one thread with relaxed SIMD, 1.3x without (`npm run bench:conv`).
import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { Conv2DAttrs, KernelBackend, KernelConfig, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';
import { inputsOf, WASM } from './exec';
import { forwardScratchFloats, imageRange, nativeConv } from './native-conv';
import { runShipped } from './shipped';
import { winoForward, winogradServes } from './winograd';

export function conv2D(args: { inputs: NamedTensorInfoMap; backend: KernelBackend; attrs?: NamedAttrMap }): TensorInfo {
  const { x, filter } = inputsOf(args.inputs, 'x', 'filter');
  const attrs = args.attrs ?? {};
  const { strides, pad, dataFormat, dilations, dimRoundingMode } = attrs as unknown as Conv2DAttrs;
  const native = nativeConv(args.backend);
  const nhwc = dataFormat === undefined || dataFormat === 'NHWC';
  const co = filter.shape[3];
  if (!native || !nhwc || co % 8 !== 0 || x.dtype !== 'float32' || filter.dtype !== 'float32') {
    return runShipped(tf.Conv2D, args.backend, args.inputs, attrs);
  }
  const info = tf.backend_util.computeConv2DInfo(x.shape as [number, number, number, number], filter.shape as [number, number, number, number],
    strides, dilations ?? 1, pad, dimRoundingMode, false, 'channelsLast');
  if (info.dilationHeight !== 1 || info.dilationWidth !== 1 || info.outHeight < 1 || info.outWidth < 1) {
    return runShipped(tf.Conv2D, args.backend, args.inputs, attrs);
  }
  const { batchSize: n, inHeight, inWidth, inChannels: ci, outHeight: oh, outWidth: ow, filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
  const backend = args.backend as unknown as BackendWasm;
  const y = backend.makeOutput(info.outShape, 'float32');
  if (winogradServes(kh, kw, sh, sw, 1, 1, ci, co)) {
    try {
      winoForward(native, backend, x, filter, y, { n, h: inHeight, w: inWidth, ci, oh, ow, co, pt: info.padInfo.top, pl: info.padInfo.left }, false);
    } catch (e) {
      backend.disposeData(y.dataId);
      throw e;
    }
    return y;
  }
  // one padded image per thread
  const perThread = forwardScratchFloats(ci, oh, ow, kh, kw, sh, sw);
  const scratch = backend.makeOutput([native.threads * perThread], 'float32');
  try {
    // offsets are read after both allocations (an allocation can grow the heap)
    const at = (t: TensorInfo) => backend.typedArrayFromHeap(t).byteOffset;
    native.run('conv2d_forward', (t) => [at(x), at(filter), at(y), at(scratch) + 4 * t * perThread, ...imageRange(n, native.threads, t),
      inHeight, inWidth, ci, oh, ow, co, kh, kw, sh, sw, info.padInfo.top, info.padInfo.left]);
  } catch (e) {
    backend.disposeData(y.dataId);
    throw e;
  } finally {
    backend.disposeData(scratch.dataId);
  }
  return y;
}

export const conv2DConfig: KernelConfig = {
  kernelName: tf.Conv2D,
  backendName: WASM,
  kernelFunc: conv2D as unknown as KernelConfig['kernelFunc'],
};
