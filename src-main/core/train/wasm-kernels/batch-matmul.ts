// BatchMatMul for the wasm backend. The shipped kernel calls XNNPACK only for a single matrix
// product without transposes; anything else (every matMul gradient: dx = dy W^T, dW = x^T dy,
// and batched products) falls to a naive triple loop. Here transposes are done explicitly with
// the Transpose kernel and a batch is split into single products, so every product takes the
// XNNPACK path of the shipped kernel.
import * as tf from '@tensorflow/tfjs-core';
import type { BatchMatMulAttrs, KernelBackend, KernelConfig, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';
import { inputsOf, WASM, withScratch } from './exec';
import { runShipped } from './shipped';

const plain = { transposeA: false, transposeB: false } as unknown as NamedAttrMap;

export function batchMatMul(args: { inputs: NamedTensorInfoMap; backend: KernelBackend; attrs?: NamedAttrMap }): TensorInfo {
  const { inputs, backend } = args;
  const attrs = args.attrs as unknown as BatchMatMulAttrs;
  const { a, b } = inputsOf(inputs, 'a', 'b');
  const { transposeA, transposeB } = attrs;
  const batchA = a.shape.slice(0, -2);
  const batchB = b.shape.slice(0, -2);
  const nA = tf.util.sizeFromShape(batchA);
  const nB = tf.util.sizeFromShape(batchB);
  const outBatch = tf.broadcast_util.assertAndGetBroadcastShape(batchA, batchB);
  const batch = tf.util.sizeFromShape(outBatch);
  const simple = !transposeA && !transposeB && batch === 1;
  const broadcastable = (nA === batch || nA === 1) && (nB === batch || nB === 1);
  if (simple || !broadcastable || a.dtype !== 'float32' || b.dtype !== 'float32') {
    return runShipped(tf.BatchMatMul, backend, inputs, args.attrs ?? {});
  }
  const [ar, ac] = a.shape.slice(-2);
  const [br, bc] = b.shape.slice(-2);
  const m = transposeA ? ac : ar;
  const k = transposeA ? ar : ac;
  const n = transposeB ? br : bc;
  if ((transposeB ? bc : br) !== k) {
    throw new Error(`Error in matMul: inner shapes of [${a.shape}] and [${b.shape}] (transposeA=${transposeA}, transposeB=${transposeB}) must match.`);
  }
  return withScratch(backend, (s) => {
    const a3 = s.transpose(s.reshape(a, [nA, ar, ac]), transposeA ? [0, 2, 1] : [0, 1, 2]); // [nA, m, k]
    const b3 = s.transpose(s.reshape(b, [nB, br, bc]), transposeB ? [0, 2, 1] : [0, 1, 2]); // [nB, k, n]
    const one = (t: TensorInfo, count: number, i: number, rows: number, cols: number): TensorInfo =>
      count === 1 ? t : s.run(tf.Slice, { x: t }, { begin: [i, 0, 0], size: [1, rows, cols] });
    const products: TensorInfo[] = [];
    for (let i = 0; i < batch; i++) {
      const ai = one(a3, nA, i, m, k);
      const bi = one(b3, nB, i, k, n);
      products.push(s.track(runShipped(tf.BatchMatMul, backend, { a: ai, b: bi }, plain)));
    }
    const out = products.length === 1 ? products[0] : s.run(tf.Concat, products as unknown as NamedTensorInfoMap, { axis: 0 });
    return s.reshape(out, [...outBatch, m, n]);
  });
}

export const batchMatMulConfig: KernelConfig = {
  kernelName: tf.BatchMatMul,
  backendName: WASM,
  kernelFunc: batchMatMul as unknown as KernelConfig['kernelFunc'],
};
