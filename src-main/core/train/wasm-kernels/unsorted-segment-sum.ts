// UnsortedSegmentSum for the wasm backend, which ships none; tf.gather's gradient needs it
// (e.g. a loss that gathers per-sample logits or class weights). out[s] = sum of the rows of x
// whose id is s, computed as onehot(ids)^T x: one XNNPACK matrix product through this folder's
// BatchMatMul. Ids outside [0, numSegments) give all-zero one-hot rows, so they drop out as in
// TensorFlow. Cost n * numSegments * rowSize: fine for class counts, not for huge vocabularies.
import * as tf from '@tensorflow/tfjs-core';
import type { KernelBackend, KernelConfig, NamedAttrMap, NamedTensorInfoMap, TensorInfo, UnsortedSegmentSumAttrs } from '@tensorflow/tfjs-core';
import { inputsOf, WASM, withScratch } from './exec';

export function unsortedSegmentSum(args: { inputs: NamedTensorInfoMap; backend: KernelBackend; attrs?: NamedAttrMap }): TensorInfo {
  const { x, segmentIds } = inputsOf(args.inputs, 'x', 'segmentIds');
  const { numSegments } = args.attrs as unknown as UnsortedSegmentSumAttrs;
  const n = tf.util.sizeFromShape(segmentIds.shape);
  const rowShape = x.shape.slice(segmentIds.shape.length);
  const row = tf.util.sizeFromShape(rowShape);
  return withScratch(args.backend, (s) => {
    const ids = segmentIds.dtype === 'int32' ? segmentIds : s.run(tf.Cast, { x: segmentIds }, { dtype: 'int32' });
    const onehot = s.run(tf.OneHot, { indices: s.reshape(ids, [n]) }, { depth: numSegments, onValue: 1, offValue: 0, dtype: 'float32' });
    const xf = x.dtype === 'float32' ? x : s.run(tf.Cast, { x }, { dtype: 'float32' });
    const sums = s.run(tf.BatchMatMul, { a: onehot, b: s.reshape(xf, [n, row]) }, { transposeA: true, transposeB: false });
    const shaped = s.reshape(sums, [numSegments, ...rowShape]);
    return x.dtype === 'float32' ? shaped : s.run(tf.Cast, { x: shaped }, { dtype: x.dtype });
  });
}

export const unsortedSegmentSumConfig: KernelConfig = {
  kernelName: tf.UnsortedSegmentSum,
  backendName: WASM,
  kernelFunc: unsortedSegmentSum as unknown as KernelConfig['kernelFunc'],
};
