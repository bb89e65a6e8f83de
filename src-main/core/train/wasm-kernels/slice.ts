// Slice for the wasm backend. The shipped kernel copies a rank-4 slice with one
// TypedArray.set(subarray) per innermost row: for the channel slice that option-A shortcuts'
// gradient takes (dy[..., c0:c0 + c] of [128, 16, 16, 32]), 32,768 subarrays of 16 floats, 5 ms a
// call. Here the axes are merged first (an axis taken whole folds into the one before it, so that
// slice is [N*H*W, C] -> [N*H*W, c]) and short rows are copied element by element.
import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { KernelBackend, KernelConfig, NamedAttrMap, NamedTensorInfoMap, SliceAttrs, TensorInfo } from '@tensorflow/tfjs-core';
import { inputsOf, WASM } from './exec';
import { runShipped } from './shipped';

/** Rows shorter than this are copied in a loop; longer ones with TypedArray.set. */
const SHORT_ROW = 64;

export interface MergedSlice {
  shape: number[];
  begin: number[];
  size: number[];
}

/** Folds every axis taken whole into the axis before it (its extent multiplies that axis's shape, begin and size). */
export function mergeSliceAxes(shape: readonly number[], begin: readonly number[], size: readonly number[]): MergedSlice {
  const out: MergedSlice = { shape: [shape[0]], begin: [begin[0]], size: [size[0]] };
  for (let i = 1; i < shape.length; i++) {
    const last = out.shape.length - 1;
    if (begin[i] === 0 && size[i] === shape[i]) {
      out.shape[last] *= shape[i];
      out.begin[last] *= shape[i];
      out.size[last] *= shape[i];
    } else {
      out.shape.push(shape[i]);
      out.begin.push(begin[i]);
      out.size.push(size[i]);
    }
  }
  return out;
}

type Values = Float32Array | Int32Array | Uint8Array;

/** Copies a merged slice of x into out (both row-major): one row of the last axis at a time. */
export function copySlice(x: Values, out: Values, m: MergedSlice): void {
  const rank = m.shape.length;
  const strides = new Array<number>(rank).fill(1);
  for (let d = rank - 2; d >= 0; d--) strides[d] = strides[d + 1] * m.shape[d + 1];
  const inner = m.size[rank - 1];
  const rows = m.size.slice(0, -1).reduce((a, b) => a * b, 1);
  const idx = new Array<number>(Math.max(0, rank - 1)).fill(0);
  for (let r = 0, o = 0; r < rows; r++, o += inner) {
    let start = m.begin[rank - 1];
    for (let d = 0; d < rank - 1; d++) start += (m.begin[d] + idx[d]) * strides[d];
    if (inner < SHORT_ROW) {
      for (let k = 0; k < inner; k++) out[o + k] = x[start + k];
    } else {
      out.set(x.subarray(start, start + inner), o);
    }
    for (let d = rank - 2; d >= 0; d--) {
      if (++idx[d] < m.size[d]) break;
      idx[d] = 0;
    }
  }
}

export function slice(args: { inputs: NamedTensorInfoMap; backend: KernelBackend; attrs?: NamedAttrMap }): TensorInfo {
  const { x } = inputsOf(args.inputs, 'x');
  const attrs = args.attrs ?? {};
  if (x.dtype === 'string' || x.dtype === 'complex64' || x.shape.length === 0) return runShipped(tf.Slice, args.backend, args.inputs, attrs);
  const { begin, size } = attrs as unknown as SliceAttrs;
  const [begin_, size_] = tf.slice_util.parseSliceParams(x, begin, size);
  const backend = args.backend as unknown as BackendWasm;
  const out = backend.makeOutput(size_, x.dtype);
  if (size_.some((s) => s === 0)) return out;
  // views after the allocation (it can grow the heap)
  copySlice(backend.typedArrayFromHeap(x) as Values, backend.typedArrayFromHeap(out) as Values, mergeSliceAxes(x.shape, begin_, size_));
  return out;
}

export const sliceConfig: KernelConfig = {
  kernelName: tf.Slice,
  backendName: WASM,
  kernelFunc: slice as unknown as KernelConfig['kernelFunc'],
};
