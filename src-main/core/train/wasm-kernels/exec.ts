// Composite wasm kernels are built by calling the backend's own kernels directly, the way the
// shipped wasm kernels call each other: no engine, no tape, no copy out of wasm memory. Every
// intermediate is released with backend.disposeData (reshapes share data and only drop a reference).
import * as tf from '@tensorflow/tfjs-core';
import type { KernelBackend, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';

export const WASM = 'wasm';

/** The named inputs of a kernel call, all required. */
export function inputsOf<K extends string>(inputs: NamedTensorInfoMap, ...names: K[]): Record<K, TensorInfo> {
  const out = {} as Record<K, TensorInfo>;
  for (const name of names) {
    const t = inputs[name];
    if (!t) throw new Error(`kernel input ${name} is missing`);
    out[name] = t;
  }
  return out;
}

/** Runs the kernel now registered for the wasm backend under `name`. */
export function runKernel(backend: KernelBackend, name: string, inputs: NamedTensorInfoMap, attrs: NamedAttrMap = {}): TensorInfo {
  const kernel = tf.getKernel(name, WASM);
  if (!kernel) throw new Error(`wasm kernel ${name} is not registered`);
  const out = kernel.kernelFunc({ inputs, backend, attrs });
  if (Array.isArray(out)) throw new Error(`wasm kernel ${name} returned several outputs`);
  return out;
}

/**
 * Tracks the intermediates of one composite kernel call. Outputs made with `run` are freed by
 * `dispose`; the result the caller returns is made with `keep` (or by runKernel) and survives.
 */
export class Scratch {
  private readonly made: TensorInfo[] = [];

  constructor(readonly backend: KernelBackend) {}

  run(name: string, inputs: NamedTensorInfoMap, attrs: NamedAttrMap = {}): TensorInfo {
    const t = runKernel(this.backend, name, inputs, attrs);
    this.made.push(t);
    return t;
  }

  /** Adopts an output made some other way (e.g. by a shipped kernel called directly). */
  track(t: TensorInfo): TensorInfo {
    this.made.push(t);
    return t;
  }

  reshape(x: TensorInfo, shape: number[]): TensorInfo {
    return this.run(tf.Reshape, { x }, { shape });
  }

  transpose(x: TensorInfo, perm: number[]): TensorInfo {
    return perm.every((p, i) => p === i) ? x : this.run(tf.Transpose, { x }, { perm });
  }

  /** Pads (positive amounts) or crops (negative amounts) every axis: [before, after] per axis. */
  padOrCrop(x: TensorInfo, amounts: [number, number][]): TensorInfo {
    let y = x;
    if (amounts.some(([a, b]) => a < 0 || b < 0)) {
      const begin = amounts.map(([a]) => Math.max(0, -a));
      const size = amounts.map(([a, b], i) => y.shape[i] - Math.max(0, -a) - Math.max(0, -b));
      y = this.run(tf.Slice, { x: y }, { begin, size });
    }
    if (amounts.some(([a, b]) => a > 0 || b > 0)) {
      const paddings = amounts.map(([a, b]) => [Math.max(0, a), Math.max(0, b)]);
      y = this.run(tf.PadV2, { x: y }, { paddings, constantValue: 0 });
    }
    return y;
  }

  /** Removes `t` from the scratch list so it outlives dispose(). */
  keep(t: TensorInfo): TensorInfo {
    const i = this.made.lastIndexOf(t);
    if (i >= 0) this.made.splice(i, 1);
    else this.backend.incRef(t.dataId); // an input passed through unchanged: the caller's output needs its own reference
    return t;
  }

  dispose(): void {
    for (const t of this.made) this.backend.disposeData(t.dataId);
    this.made.length = 0;
  }
}

/** Runs `body` with a Scratch and frees its intermediates whatever happens. */
export function withScratch(backend: KernelBackend, body: (s: Scratch) => TensorInfo): TensorInfo {
  const s = new Scratch(backend);
  try {
    return s.keep(body(s));
  } finally {
    s.dispose();
  }
}
