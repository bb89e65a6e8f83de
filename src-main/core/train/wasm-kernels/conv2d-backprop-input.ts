// Conv2DBackpropInput for the wasm backend. A 3x3 stride-1 gradient runs as a Winograd forward pass
// of dy with the flipped filter (winograd.ts); others with input channels a multiple of 8 as our
// direct kernel (conv2d_input_grad in native/conv-kernels.c: the stride's phases written in place,
// split by images over the pool). Where neither runs: the shipped kernel is a plain C++ loop nest (no
// XNNPACK, no SIMD); this one runs the input gradient as forward XNNPACK convolutions of dy with
// the reversed, channel-swapped filter. A stride-s gradient is split into s x s output phases
// (dx rows r, r+s, ...; see conv-geometry.ts), each a stride-1 convolution with the taps that
// reach it, so no zero-dilated dy is built and no multiply-by-zero work is done; the phases are
// then interleaved by two concatenations and two rank-3 transposes.
import * as tf from '@tensorflow/tfjs-core';
import type { Conv2DBackpropInputAttrs, KernelBackend, KernelConfig, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';
import { inputGradAxis, splitPad, type InputGradPhase } from './conv-geometry';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { inputsOf, Scratch, WASM, withScratch } from './exec';
import { imageRange, nativeConv, type NativeConv } from './native-conv';
import { winoForward, winogradServes } from './winograd';

interface PhaseGeometry {
  n: number;
  ci: number;
  blocksH: number;
  blocksW: number;
  strideH: number;
  strideW: number;
}

/** dx at rows pr.first.. and columns pc.first.. of every stride block: [n, blocksH, blocksW, ci]. */
function phase(s: Scratch, dy: TensorInfo, filter: TensorInfo, pr: InputGradPhase, pc: InputGradPhase, g: PhaseGeometry): TensorInfo {
  if (pr.taps === 0 || pc.taps === 0) {
    // The filter is smaller than the stride: no tap reaches these positions.
    return s.run(tf.Fill, {}, { shape: [g.n, g.blocksH, g.blocksW, g.ci], value: 0, dtype: 'float32' });
  }
  const [kh, kw, ci, co] = filter.shape;
  let w = filter;
  if (g.strideH > 1 || g.strideW > 1) {
    w = s.run(tf.StridedSlice, { x: filter }, {
      begin: [pr.first, pc.first, 0, 0], end: [kh, kw, ci, co], strides: [g.strideH, g.strideW, 1, 1],
      beginMask: 0, endMask: 0, ellipsisMask: 0, newAxisMask: 0, shrinkAxisMask: 0,
    });
  }
  if (pr.taps > 1 || pc.taps > 1) w = s.run(tf.Reverse, { x: w }, { dims: [0, 1] });
  w = s.transpose(w, [0, 1, 3, 2]); // [taps, taps, co, ci]
  const rp = splitPad(pr);
  const cp = splitPad(pc);
  const d = s.padOrCrop(dy, [[0, 0], rp.crop, cp.crop, [0, 0]]);
  return s.run(tf.Conv2D, { x: d, filter: w }, {
    strides: [1, 1], pad: [[0, 0], rp.pad, cp.pad, [0, 0]], dataFormat: 'NHWC', dilations: [1, 1], dimRoundingMode: undefined,
  } as unknown as NamedAttrMap);
}

/** Interleaves k equal tensors of [outer, inner] values into [outer, k, inner]. */
function interleave(s: Scratch, parts: TensorInfo[], outer: number, inner: number): TensorInfo {
  if (parts.length === 1) return parts[0];
  const stacked = s.run(tf.Concat, parts.map((p) => s.reshape(p, [1, outer, inner])) as unknown as NamedTensorInfoMap, { axis: 0 });
  return s.transpose(stacked, [1, 0, 2]);
}

export function conv2DBackpropInput(args: { inputs: NamedTensorInfoMap; backend: KernelBackend; attrs?: NamedAttrMap }): TensorInfo {
  const { dy, filter } = inputsOf(args.inputs, 'dy', 'filter');
  const { strides, pad, dataFormat, dimRoundingMode, inputShape } = args.attrs as unknown as Conv2DBackpropInputAttrs;
  if (dataFormat === 'NCHW') throw new Error('wasm Conv2DBackpropInput supports only NHWC data');
  const info = tf.backend_util.computeConv2DInfo(
    inputShape, filter.shape as [number, number, number, number], strides, 1, pad, dimRoundingMode, false, 'channelsLast');
  const { batchSize: n, inHeight, inWidth, inChannels: ci, outHeight, outWidth, filterHeight, filterWidth, strideHeight, strideWidth } = info;
  const rows = inputGradAxis(inHeight, filterHeight, outHeight, strideHeight, info.padInfo.top);
  const cols = inputGradAxis(inWidth, filterWidth, outWidth, strideWidth, info.padInfo.left);
  const g: PhaseGeometry = { n, ci, blocksH: rows.blocks, blocksW: cols.blocks, strideH: strideHeight, strideW: strideWidth };
  const native = nativeConv(args.backend);
  const { top, left } = info.padInfo;
  if (native && dy.dtype === 'float32' && filter.dtype === 'float32' && top <= 2 && left <= 2 &&
    winogradServes(filterHeight, filterWidth, strideHeight, strideWidth, info.dilationHeight, info.dilationWidth, info.outChannels, ci)) {
    // dx[y][x] = sum dy[y + top - i][x + left - j] w[i][j]: a forward pass of dy padded by 2 - top, 2 - left
    const backend = args.backend as unknown as BackendWasm;
    const dx = backend.makeOutput(inputShape, 'float32');
    try {
      winoForward(native, backend, dy, filter, dx, { n, h: outHeight, w: outWidth, ci: info.outChannels, oh: inHeight, ow: inWidth, co: ci, pt: 2 - top, pl: 2 - left }, true);
    } catch (e) {
      backend.disposeData(dx.dataId);
      throw e;
    }
    return dx;
  }
  if (native && dy.dtype === 'float32' && filter.dtype === 'float32' && ci % 8 === 0 && info.dilationHeight === 1 && info.dilationWidth === 1) {
    return directInputGrad(native, args.backend as unknown as BackendWasm, dy, filter, inputShape, info);
  }

  return withScratch(args.backend, (s) => {
    // bands[r] holds dx rows r, r + s, ... with all columns interleaved: [n, blocksH, blocksW * sw, ci]
    const bands = rows.phases.map((pr) => {
      const parts = cols.phases.map((pc) => phase(s, dy, filter, pr, pc, g));
      const band = interleave(s, parts, n * g.blocksH * g.blocksW, ci);
      return s.reshape(band, [n, g.blocksH, g.blocksW * strideWidth, ci]);
    });
    const full = interleave(s, bands, n * g.blocksH, g.blocksW * strideWidth * ci);
    const dx = s.reshape(full, [n, g.blocksH * strideHeight, g.blocksW * strideWidth, ci]);
    // Rows and columns past the input (odd sizes) were computed to keep the phases equal: drop them.
    return s.padOrCrop(dx, [[0, 0], [0, inHeight - dx.shape[1]], [0, inWidth - dx.shape[2]], [0, 0]]);
  });
}

/** Our direct kernel: the filter prepared once (each phase's taps reversed), then dx split by images. */
function directInputGrad(native: NativeConv, backend: BackendWasm, dy: TensorInfo, filter: TensorInfo, inputShape: number[], info: tf.backend_util.Conv2DInfo): TensorInfo {
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: ci, outHeight: oh, outWidth: ow, outChannels: co, filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
  const { top, left } = info.padInfo;
  const perThread = native.call('conv2d_input_grad_scratch', [h, w, oh, ow, co, kh, kw, sh, sw, top, left]);
  const T = native.threads;
  const dx = backend.makeOutput(inputShape, 'float32');
  const prepared = backend.makeOutput([kh * kw * ci * co], 'float32');
  const scratch = backend.makeOutput([T * perThread], 'float32');
  try {
    // offsets are read after the allocations (an allocation can grow the heap)
    const at = (t: TensorInfo) => backend.typedArrayFromHeap(t).byteOffset;
    native.call('conv2d_input_grad_filter', [at(filter), at(prepared), kh, kw, ci, co, sh, sw]);
    native.run('conv2d_input_grad', (t) => [at(dy), at(prepared), at(dx), at(scratch) + 4 * t * perThread, ...imageRange(n, T, t),
      h, w, ci, oh, ow, co, kh, kw, sh, sw, top, left]);
  } catch (e) {
    backend.disposeData(dx.dataId);
    throw e;
  } finally {
    backend.disposeData(prepared.dataId);
    backend.disposeData(scratch.dataId);
  }
  return dx;
}

export const conv2DBackpropInputConfig: KernelConfig = {
  kernelName: tf.Conv2DBackpropInput,
  backendName: WASM,
  kernelFunc: conv2DBackpropInput as unknown as KernelConfig['kernelFunc'],
};
