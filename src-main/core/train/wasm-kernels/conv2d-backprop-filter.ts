// Conv2DBackpropFilter for the wasm backend, which ships none. The filter gradient
//   dw[i, j, ci, co] = sum_{n, oh, ow} x[n, oh*sh + i - pt, ow*sw + j - pl, ci] * dy[n, oh, ow, co]
// is itself a forward convolution once the batch is moved into the channels: the input is x as
// [ci, H, W, n], the "filter" is dy as [oh, ow, n, co], dilated by the stride, and the output is
// [ci, kh, kw, co]. So the work runs in the backend's XNNPACK Conv2D (an indirect GEMM over
// K = n * oh * ow), plus three transposes: no im2col buffer and no per-element JavaScript.
// Where our own kernel can run (native-conv.ts: output channels a multiple of 8) it replaces all
// of that: 3 to 7x faster per call on one thread (`npm run bench:conv`).
import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { Conv2DBackpropFilterAttrs, KernelBackend, KernelConfig, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';
import { filterGradAxis, splitPad } from './conv-geometry';
import { inputsOf, WASM, withScratch } from './exec';
import { imageRange, nativeConv } from './native-conv';
import { winoFilterGrad, winogradServes } from './winograd';

export function conv2DBackpropFilter(args: { inputs: NamedTensorInfoMap; backend: KernelBackend; attrs?: NamedAttrMap }): TensorInfo {
  const { x, dy } = inputsOf(args.inputs, 'x', 'dy');
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = args.attrs as unknown as Conv2DBackpropFilterAttrs;
  if (dataFormat === 'NCHW') throw new Error('wasm Conv2DBackpropFilter supports only NHWC data');
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number], filterShape, strides, 1, pad, dimRoundingMode, false, 'channelsLast');
  const { inHeight, inWidth, inChannels, outHeight, outWidth, outChannels, filterHeight, filterWidth } = info;
  const native = nativeConv(args.backend);
  if (native && info.dilationHeight === 1 && info.dilationWidth === 1 && outChannels % 8 === 0 && x.dtype === 'float32' && dy.dtype === 'float32') {
    const backend = args.backend as unknown as BackendWasm;
    const dw = backend.makeOutput(filterShape, 'float32');
    // threads after the first sum their images into a dw of their own, added up below
    const size = filterShape.reduce((a, b) => a * b, 1);
    const T = native.threads;
    const partial = T > 1 ? backend.makeOutput([(T - 1) * size], 'float32') : null;
    try {
      // offsets are read after the allocations (an allocation can grow the heap)
      const at = (t: TensorInfo) => backend.typedArrayFromHeap(t).byteOffset;
      if (winogradServes(filterHeight, filterWidth, info.strideHeight, info.strideWidth, 1, 1, inChannels, outChannels)) {
        winoFilterGrad(native, backend, x, dy, dw, partial, { n: info.batchSize, h: inHeight, w: inWidth, ci: inChannels, oh: outHeight, ow: outWidth, co: outChannels, pt: info.padInfo.top, pl: info.padInfo.left });
      } else {
        native.run('conv2d_filter_grad', (t) => [at(x), at(dy), t === 0 || !partial ? at(dw) : at(partial) + 4 * (t - 1) * size,
          ...imageRange(info.batchSize, T, t), inHeight, inWidth, inChannels, outHeight, outWidth, outChannels,
          filterHeight, filterWidth, info.strideHeight, info.strideWidth, info.padInfo.top, info.padInfo.left]);
      }
      if (partial) {
        const sum = backend.typedArrayFromHeap(dw) as Float32Array;
        const parts = backend.typedArrayFromHeap(partial) as Float32Array;
        for (let p = 0; p < parts.length; p += size) {
          for (let i = 0; i < size; i++) sum[i] += parts[p + i];
        }
      }
    } catch (e) {
      backend.disposeData(dw.dataId);
      throw e;
    } finally {
      if (partial) backend.disposeData(partial.dataId);
    }
    return dw;
  }
  const rows = filterGradAxis(inHeight, filterHeight, outHeight, info.strideHeight, info.padInfo.top);
  const cols = filterGradAxis(inWidth, filterWidth, outWidth, info.strideWidth, info.padInfo.left);
  const r = splitPad(rows);
  const c = splitPad(cols);

  return withScratch(args.backend, (s) => {
    const xt = s.transpose(x, [3, 1, 2, 0]); // [ci, H, W, n]
    const xc = s.padOrCrop(xt, [[0, 0], r.crop, c.crop, [0, 0]]);
    const dyt = s.transpose(dy, [1, 2, 0, 3]); // [oh, ow, n, co]
    const g = s.run(tf.Conv2D, { x: xc, filter: dyt }, {
      strides: [1, 1],
      pad: [[0, 0], r.pad, c.pad, [0, 0]],
      dataFormat: 'NHWC',
      dilations: [rows.dilation, cols.dilation],
      dimRoundingMode: undefined,
    } as unknown as NamedAttrMap); // [ci, kh, kw, co]
    if (g.shape[1] !== filterHeight || g.shape[2] !== filterWidth) {
      throw new Error(`Conv2DBackpropFilter: internal shape [${g.shape}] for filter [${filterShape}]`);
    }
    if (inChannels === 1) return s.reshape(g, [filterHeight, filterWidth, 1, outChannels]);
    return s.transpose(g, [1, 2, 0, 3]);
  });
}

export const conv2DBackpropFilterConfig: KernelConfig = {
  kernelName: tf.Conv2DBackpropFilter,
  backendName: WASM,
  kernelFunc: conv2DBackpropFilter as unknown as KernelConfig['kernelFunc'],
};
