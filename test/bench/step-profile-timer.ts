// Kernel timing for step-profile.ts: each kernel call's own time (nested kernel calls, such as
// those a custom gradient's forward pass runs, are taken out of the caller's), by wall clock and
// by process CPU time, and the convolution and batch-norm calls keyed by the layer they belong to.
import * as tf from '@tensorflow/tfjs-core';

export interface CallTime {
  wallMs: number;
  cpuMs: number;
}

const cpuNow = () => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
};

/**
 * Replaces the backend's kernel timer (which tf.profile calls around each kernel, in call order,
 * running the kernel synchronously inside) with one that also takes process CPU time, and records
 * each call's self time. Calls finish in the order tf.profile lists its kernels, so the i-th time
 * recorded belongs to the i-th kernel of the profile.
 */
export function selfTimer(backend: tf.KernelBackend): { times: CallTime[]; restore: () => void } {
  const times: CallTime[] = [];
  const children: CallTime[] = [];
  const original = backend.time.bind(backend);
  backend.time = (f: () => void) => {
    const w0 = performance.now();
    const c0 = cpuNow();
    children.push({ wallMs: 0, cpuMs: 0 });
    try {
      f();
    } finally {
      const inner = children.pop()!;
      const total = { wallMs: performance.now() - w0, cpuMs: cpuNow() - c0 };
      const parent = children[children.length - 1];
      if (parent) {
        parent.wallMs += total.wallMs;
        parent.cpuMs += total.cpuMs;
      }
      times.push({ wallMs: total.wallMs - inner.wallMs, cpuMs: total.cpuMs - inner.cpuMs });
    }
    return Promise.resolve({ kernelMs: times[times.length - 1].wallMs });
  };
  return { times, restore: () => void (backend.time = original) };
}

/** The layer a kernel call belongs to, e.g. "conv 128x32x32x16 -> 16, 3x3/1", or null. */
export function layerOf(name: string, inputs: (number[] | null)[], outputs: number[][]): { layer: string; part: 'forward' | 'input grad' | 'filter grad' | 'batch norm' } | null {
  const conv = (x: number[], co: number, k: number, oh: number) => `conv ${x.join('x')} -> ${co}, ${k}x${k}/${Math.round(x[1] / oh)}`;
  const [a, b] = inputs;
  const [y] = outputs;
  if (!a || !b || !y) return null;
  // Conv2D (x, filter) -> y; Conv2DBackpropInput (dy, filter) -> dx; Conv2DBackpropFilter (x, dy) -> dw
  if (name === tf.Conv2D) return { layer: conv(a, b[3], b[0], y[1]), part: 'forward' };
  if (name === tf.Conv2DBackpropInput) return { layer: conv(y, b[3], b[0], a[1]), part: 'input grad' };
  if (name === tf.Conv2DBackpropFilter) return { layer: conv(a, y[3], y[0], b[1]), part: 'filter grad' };
  if (name === 'DiveBatchNormTrain' || name === 'DiveBatchNormTrainGrad') return { layer: `batch norm ${a.join('x')}`, part: 'batch norm' };
  return null;
}
