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

  /**
   * Transposes with runs of axes that stay together merged first: the shipped kernel has loops
   * for ranks 2 to 4 only (higher ranks use a per-element index computation) and lower ranks
   * walk memory more simply.
   */
  transpose(x: TensorInfo, perm: number[]): TensorInfo {
    if (perm.every((p, i) => p === i)) return x;
    const { shape, perm: merged } = mergeTransposeAxes(x.shape, perm);
    const outShape = perm.map((p) => x.shape[p]);
    if (shape.length === x.shape.length) return this.run(tf.Transpose, { x }, { perm });
    const t = this.run(tf.Transpose, { x: this.reshape(x, shape) }, { perm: merged });
    return this.reshape(t, outShape);
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

/**
 * Merges input axes that stay adjacent and in order under `perm` (e.g. [N, H, W, C] with
 * perm [3, 1, 2, 0] becomes [N, H*W, C] with perm [2, 1, 0]).
 */
export function mergeTransposeAxes(shape: readonly number[], perm: readonly number[]): { shape: number[]; perm: number[] } {
  // Groups of consecutive output positions whose input axes are consecutive.
  const groups: number[][] = [];
  for (const p of perm) {
    const g = groups[groups.length - 1];
    if (g && g[g.length - 1] + 1 === p) g.push(p);
    else groups.push([p]);
  }
  const byFirstAxis = [...groups].sort((a, b) => a[0] - b[0]);
  const mergedShape = byFirstAxis.map((g) => g.reduce((a, p) => a * shape[p], 1));
  const mergedPerm = groups.map((g) => byFirstAxis.indexOf(g));
  return { shape: mergedShape, perm: mergedPerm };
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
