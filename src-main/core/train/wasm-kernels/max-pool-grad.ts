// MaxPoolGrad for the wasm backend. The shipped kernel is a C++ loop that rescans each window
// per output element (35 ms for a [128, 28, 28, 16] input with 2x2 windows, 14x its forward
// pass). Max-pool backward is pure data movement (find each window's first maximum, route dy
// there), which no XNNPACK operator covers. It runs as our compiled kernel (max_pool_grad in
// native/conv-kernels.c: four channels per SIMD compare, split by images over the conv kernels'
// worker pool on the threaded build) where our kernels run, and as the single JavaScript pass
// below otherwise (kernels switched off, an engine without SIMD). Both give bit-identical results,
// matching TensorFlow's semantics: the first maximum in row-major window order takes the whole
// gradient, padding never wins, overlapping windows accumulate in output order.
import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { KernelBackend, KernelConfig, MaxPoolGradAttrs, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';
import { inputsOf, WASM } from './exec';
import { imageRange, nativeConv } from './native-conv';

export interface PoolGeometry {
  batch: number;
  inH: number;
  inW: number;
  channels: number;
  outH: number;
  outW: number;
  filterH: number;
  filterW: number;
  strideH: number;
  strideW: number;
  padTop: number;
  padLeft: number;
}

/** dx of max pooling on NHWC arrays (dx is overwritten). */
export function maxPoolBackward(x: Float32Array, dy: Float32Array, dx: Float32Array, g: PoolGeometry): void {
  dx.fill(0);
  const { batch, inH, inW, channels: C, outH, outW, filterH, filterW, strideH, strideW, padTop, padLeft } = g;
  const rowStride = inW * C;
  let o = 0; // index into dy
  for (let n = 0; n < batch; n++) {
    const xBatch = n * inH * rowStride;
    for (let oh = 0; oh < outH; oh++) {
      const h0 = oh * strideH - padTop;
      const hFrom = Math.max(0, h0);
      const hTo = Math.min(inH, h0 + filterH);
      for (let ow = 0; ow < outW; ow++, o += C) {
        const w0 = ow * strideW - padLeft;
        const wFrom = Math.max(0, w0);
        const wTo = Math.min(inW, w0 + filterW);
        const corner = xBatch + hFrom * rowStride + wFrom * C;
        for (let c = 0; c < C; c++) {
          // The window is scanned per channel with the running maximum in registers.
          let bestValue = -Infinity;
          let bestIndex = -1;
          for (let h = hFrom, row = corner + c; h < hTo; h++, row += rowStride) {
            for (let w = wFrom, i = row; w < wTo; w++, i += C) {
              const v = x[i];
              if (v > bestValue) {
                bestValue = v;
                bestIndex = i;
              }
            }
          }
          if (bestIndex >= 0) dx[bestIndex] += dy[o + c];
        }
      }
    }
  }
}

export function maxPoolGrad(args: { inputs: NamedTensorInfoMap; backend: KernelBackend; attrs?: NamedAttrMap }): TensorInfo {
  const { dy, input } = inputsOf(args.inputs, 'dy', 'input');
  const { filterSize, strides, pad, dimRoundingMode } = args.attrs as unknown as MaxPoolGradAttrs;
  const info = tf.backend_util.computePool2DInfo(input.shape as [number, number, number, number], filterSize, strides, 1, pad, dimRoundingMode);
  const backend = args.backend as unknown as BackendWasm;
  const out = backend.makeOutput(input.shape, 'float32');
  const native = nativeConv(args.backend);
  if (native && input.dtype === 'float32' && dy.dtype === 'float32') {
    try {
      // offsets are read after the allocation (it can grow the heap)
      const at = (t: TensorInfo) => backend.typedArrayFromHeap(t).byteOffset;
      native.run('max_pool_grad', (t) => [at(input), at(dy), at(out), ...imageRange(info.batchSize, native.threads, t),
        info.inHeight, info.inWidth, info.inChannels, info.outHeight, info.outWidth, info.filterHeight, info.filterWidth,
        info.strideHeight, info.strideWidth, info.padInfo.top, info.padInfo.left]);
    } catch (e) {
      backend.disposeData(out.dataId);
      throw e;
    }
    return out;
  }
  // Views are taken after the allocation: growing the heap detaches earlier ones.
  const dx = backend.typedArrayFromHeap(out) as Float32Array;
  maxPoolBackward(backend.typedArrayFromHeap(input) as Float32Array, backend.typedArrayFromHeap(dy) as Float32Array, dx, {
    batch: info.batchSize, inH: info.inHeight, inW: info.inWidth, channels: info.inChannels, outH: info.outHeight, outW: info.outWidth,
    filterH: info.filterHeight, filterW: info.filterWidth, strideH: info.strideHeight, strideW: info.strideWidth,
    padTop: info.padInfo.top, padLeft: info.padInfo.left,
  });
  return out;
}

export const maxPoolGradConfig: KernelConfig = {
  kernelName: tf.MaxPoolGrad,
  backendName: WASM,
  kernelFunc: maxPoolGrad as unknown as KernelConfig['kernelFunc'],
};
