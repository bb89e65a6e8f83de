// 3x3 stride-1 convolutions (all but two of a CIFAR ResNet's) by Winograd's F(4x4, 3x3)
// (native/winograd.c): 36 multiplies per 4x4 outputs and channel pair where a direct convolution
// does 144. oneDNN ran its f32 training convolutions this way on AVX-512 machines (its
// "wino_4x3" kernels) for the same reason we do: the arithmetic is the limit. Ours is 128-bit
// wasm SIMD, half the width oneDNN's AVX2 kernels have on the same core, so doing less of it is
// the way to PyTorch's speed. Forward pass, input gradient (a forward pass of dy with the filter
// flipped and its channels swapped) and filter gradient, each split by images over the pool.
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { imageRange, type NativeConv } from './native-conv';

let enabled = true;

/** Turns the Winograd kernels off (the direct kernels then serve): tests compare both, benches time both. */
export function setWinograd(on: boolean): void {
  enabled = on;
}

export function winogradEnabled(): boolean {
  return enabled;
}

/** What winograd.c needs: 3x3, stride 1, no dilation, k input channels a multiple of 4, n output channels of 8. */
export function winogradServes(kh: number, kw: number, sh: number, sw: number, dh: number, dw: number, k: number, n: number): boolean {
  return enabled && kh === 3 && kw === 3 && sh === 1 && sw === 1 && dh === 1 && dw === 1 && k % 4 === 0 && n % 8 === 0;
}

export interface WinoGeometry {
  n: number;
  h: number;
  w: number;
  /** input channels of this pass (the layer's output channels for the input gradient) */
  ci: number;
  oh: number;
  ow: number;
  co: number;
  /** padding above and left of this pass's input */
  pt: number;
  pl: number;
}

const at = (backend: BackendWasm, t: TensorInfo) => backend.typedArrayFromHeap(t).byteOffset;

/** Runs body with temporary float tensors of these sizes, freed afterwards. */
function withTemps<T>(backend: BackendWasm, sizes: number[], body: (temps: TensorInfo[]) => T): T {
  const temps = sizes.map((s) => backend.makeOutput([s], 'float32'));
  try {
    return body(temps);
  } finally {
    for (const t of temps) backend.disposeData(t.dataId);
  }
}

/**
 * y [n, oh, ow, co] (allocated by the caller) = x [n, h, w, ci] convolved with filter [3, 3, ci, co];
 * with `flip` the filter is a layer's [3, 3, co, ci] used as for its input gradient.
 */
export function winoForward(native: NativeConv, backend: BackendWasm, x: TensorInfo, filter: TensorInfo, y: TensorInfo, g: WinoGeometry, flip: boolean): void {
  const perThread = native.call('wino_forward_scratch', [g.ci, g.oh, g.ow, g.co]);
  const T = native.threads;
  withTemps(backend, [native.call('wino_filter_floats', [g.ci, g.co]), T * perThread], ([u, scratch]) => {
    // offsets are read after the allocations (an allocation can grow the heap)
    const [fc, fo] = flip ? [g.co, g.ci] : [g.ci, g.co];
    native.call('wino_filter', [at(backend, filter), at(backend, u), fc, fo, flip ? 1 : 0]);
    native.run('wino_forward', (t) => [at(backend, x), at(backend, u), at(backend, y), at(backend, scratch) + 4 * t * perThread,
      ...imageRange(g.n, T, t), g.h, g.w, g.ci, g.oh, g.ow, g.co, g.pt, g.pl]);
  });
}

/** dw [3, 3, ci, co] (allocated by the caller) from x [n, h, w, ci] and dy [n, oh, ow, co]; threads after the first sum into `partial`. */
export function winoFilterGrad(native: NativeConv, backend: BackendWasm, x: TensorInfo, dy: TensorInfo, dw: TensorInfo, partial: TensorInfo | null, g: WinoGeometry): void {
  const perThread = native.call('wino_filter_grad_scratch', [g.ci, g.oh, g.ow, g.co]);
  const T = native.threads;
  const size = 9 * g.ci * g.co;
  withTemps(backend, [T * perThread], ([scratch]) => {
    native.run('wino_filter_grad', (t) => [at(backend, x), at(backend, dy), t === 0 || !partial ? at(backend, dw) : at(backend, partial) + 4 * (t - 1) * size,
      at(backend, scratch) + 4 * t * perThread, ...imageRange(g.n, T, t), g.h, g.w, g.ci, g.oh, g.ow, g.co, g.pt, g.pl]);
  });
}
