// OneHot for the wasm backend. The shipped kernel always writes int32 values, whatever dtype it
// is asked for, so tf.oneHot(..., 'float32') on wasm returns int bit patterns read as floats
// (1 reads as 1.4e-45) and non-integer on/off values are truncated. Here a float32 one-hot is the
// shipped int32 0/1 one-hot cast to float, scaled and shifted when on/off are not 1/0.
import * as tf from '@tensorflow/tfjs-core';
import type { KernelBackend, KernelConfig, NamedAttrMap, NamedTensorInfoMap, OneHotAttrs, TensorInfo } from '@tensorflow/tfjs-core';
import { inputsOf, WASM, withScratch } from './exec';
import { runShipped } from './shipped';

export function oneHot(args: { inputs: NamedTensorInfoMap; backend: KernelBackend; attrs?: NamedAttrMap }): TensorInfo {
  const { indices } = inputsOf(args.inputs, 'indices');
  const { depth, onValue, offValue, dtype } = args.attrs as unknown as OneHotAttrs;
  if (dtype !== 'float32') return runShipped(tf.OneHot, args.backend, args.inputs, args.attrs ?? {});
  return withScratch(args.backend, (s) => {
    const bits = s.track(runShipped(tf.OneHot, args.backend, { indices }, { depth, onValue: 1, offValue: 0, dtype: 'int32' }));
    let y = s.run(tf.Cast, { x: bits }, { dtype: 'float32' });
    const scalar = (value: number) => s.run(tf.Fill, {}, { shape: [], value, dtype: 'float32' });
    if (onValue - offValue !== 1) y = s.run(tf.Multiply, { a: y, b: scalar(onValue - offValue) });
    if (offValue !== 0) y = s.run(tf.Add, { a: y, b: scalar(offValue) });
    return y;
  });
}

export const oneHotConfig: KernelConfig = {
  kernelName: tf.OneHot,
  backendName: WASM,
  kernelFunc: oneHot as unknown as KernelConfig['kernelFunc'],
};
