// The project's own convolution kernels (native/conv-kernels.c, built to wasm by native/build.mjs
// and committed as base64 in native-conv-binary.ts), instantiated on the tfjs-backend-wasm heap:
// the module imports the backend's WebAssembly.Memory, so the kernels read and write tensors
// where they lie, with no copies.
//
// Why our own: XNNPACK in the registry's wasm build multiplies and adds separately, and runs the
// filter gradient as a convolution whose "filter" (dy, [oh, ow, n, co]) it repacks on every call
// after two transposes (about 3x a forward convolution's time for the same arithmetic). Ours
// accumulate register tiles one image at a time, with f32x4.relaxed_madd (a fused multiply-add
// where the CPU has one) when the engine has relaxed SIMD: Node 20 (V8 11.3) has it behind
// --experimental-wasm-relaxed-simd, which is set here before validating the module; Electron's
// newer V8 has it on by default. Otherwise the plain SIMD128 build of the same source runs.
//
// The single-threaded backend build has an unshared heap and runs the kernels on the calling
// thread. The threaded build's heap is shared: the shared builds of the module run there, split
// by images over a pool of worker threads as large as XNNPACK's (native-pool.ts), which the
// loader starts with prepareNativeConv().
import v8 from 'node:v8';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { KernelBackend } from '@tensorflow/tfjs-core';
import { CONV_KERNELS_RELAXED, CONV_KERNELS_RELAXED_SHARED, CONV_KERNELS_SIMD, CONV_KERNELS_SIMD_SHARED } from './native-conv-binary';
import { KERNELS, NativePool, type KernelName } from './native-pool';

export { imageRange } from './native-pool';
export type NativeConvBuild = 'relaxed' | 'simd';
/** 'auto': relaxed SIMD where the engine has it, else SIMD128; 'off': XNNPACK-only paths */
export type NativeConvMode = 'auto' | NativeConvBuild | 'off';

/**
 * Our kernels on one backend's heap (byte offsets into it). Each takes a range of images [b0, b1);
 * the convolutions need output channels a multiple of 8:
 *   conv2d_filter_grad(x, dy, dw, b0, b1, h, w, ci, oh, ow, co, kh, kw, sh, sw, pt, pl):
 *     dw [kh, kw, ci, co] (overwritten) from those images of x [n, h, w, ci] and dy [n, oh, ow, co]
 *   conv2d_forward(x, filter, y, scratch, b0, b1, h, w, ci, oh, ow, co, kh, kw, sh, sw, pt, pl):
 *     those images of y [n, oh, ow, co], dilation 1; scratch holds one padded image
 *     (forwardScratchFloats), unused when there is no padding
 *   max_pool_grad(x, dy, dx, b0, b1, h, w, c, oh, ow, kh, kw, sh, sw, pt, pl):
 *     those images of dx [n, h, w, c] (overwritten) of max pooling x into dy [n, oh, ow, c]
 */
export interface NativeConv {
  build: NativeConvBuild;
  threads: number;
  /** Runs `kernel` on every thread t < threads with argsOf(t); returns when all are done. */
  run(kernel: KernelName, argsOf: (thread: number) => number[]): void;
  /** Runs `kernel` once, on the calling thread, and returns what it returns (0 for nothing). */
  call(kernel: KernelName, args: number[]): number;
}

/** Floats of scratch conv2d_forward needs per thread: one input image with its padding, as far as the windows reach. */
export function forwardScratchFloats(ci: number, oh: number, ow: number, kh: number, kw: number, sh: number, sw: number): number {
  return ((oh - 1) * sh + kh) * ((ow - 1) * sw + kw) * ci;
}

let mode: NativeConvMode = 'auto';
const modules = new Map<string, WebAssembly.Module | null>();
const bound = new WeakMap<WebAssembly.Memory, Map<NativeConvBuild, NativeConv>>();
/** shared heaps whose worker pool failed to start: XNNPACK's threads serve them */
const refused = new WeakSet<WebAssembly.Memory>();

/** Chooses which kernels run (tests compare each build against the cpu backend; benchmarks compare with 'off'). */
export function setNativeConvMode(m: NativeConvMode): void {
  mode = m;
}

const BINARIES: Record<NativeConvBuild, Record<'unshared' | 'shared', string>> = {
  relaxed: { unshared: CONV_KERNELS_RELAXED, shared: CONV_KERNELS_RELAXED_SHARED },
  simd: { unshared: CONV_KERNELS_SIMD, shared: CONV_KERNELS_SIMD_SHARED },
};

function compiled(build: NativeConvBuild, shared: boolean): WebAssembly.Module | null {
  const key = `${build}${shared ? ' shared' : ''}`;
  let m = modules.get(key);
  if (m !== undefined) return m;
  const bytes = Buffer.from(BINARIES[build][shared ? 'shared' : 'unshared'], 'base64');
  if (build === 'relaxed' && !WebAssembly.validate(bytes)) {
    // Node 20's V8 has relaxed SIMD (final opcodes) behind a flag; newer engines validate it as is.
    v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
  }
  m = WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
  modules.set(key, m);
  return m;
}

/** The builds this engine can run, best first. */
export function nativeConvBuilds(): NativeConvBuild[] {
  return (['relaxed', 'simd'] as const).filter((b) => compiled(b, false) !== null && compiled(b, true) !== null);
}

/** The backend's heap: the single-threaded build exports it, the threaded build keeps it on the module. */
function heapMemory(backend: KernelBackend): WebAssembly.Memory | null {
  const wasm: unknown = (backend as Partial<BackendWasm>).wasm;
  if (typeof wasm !== 'object' || wasm === null) return null;
  const asm: unknown = 'asm' in wasm ? wasm.asm : undefined;
  const memory: unknown = 'wasmMemory' in wasm ? wasm.wasmMemory : typeof asm === 'object' && asm !== null && 'memory' in asm ? asm.memory : undefined;
  return memory instanceof WebAssembly.Memory ? memory : null;
}

function chosenBuild(): NativeConvBuild | undefined {
  return mode === 'off' ? undefined : mode === 'auto' ? nativeConvBuilds()[0] : mode;
}

function instantiate(module: WebAssembly.Module, memory: WebAssembly.Memory): ((...args: number[]) => unknown)[] {
  const { exports } = new WebAssembly.Instance(module, { env: { memory } });
  return KERNELS.map((name) => {
    const f = exports[name];
    if (typeof f !== 'function') throw new Error(`native conv kernels: ${name} is missing from the module`);
    return f as (...args: number[]) => unknown;
  });
}

function bind(memory: WebAssembly.Memory, build: NativeConvBuild, pool: NativePool | null): NativeConv | null {
  const module = compiled(build, memory.buffer instanceof SharedArrayBuffer);
  if (!module) return null;
  const fns = instantiate(module, memory);
  const fn = (k: KernelName) => fns[KERNELS.indexOf(k)];
  const call = (kernel: KernelName, args: number[]) => Number(fn(kernel)(...args) ?? 0);
  const k: NativeConv = pool
    ? { build, threads: pool.threads, run: (kernel, argsOf) => pool.run(kernel, fn(kernel), argsOf), call }
    : { build, threads: 1, run: (kernel, argsOf) => void fn(kernel)(...argsOf(0)), call };
  let perBuild = bound.get(memory);
  if (!perBuild) bound.set(memory, (perBuild = new Map()));
  perBuild.set(build, k);
  return k;
}

/** Our kernels bound to this backend's heap, or null (mode 'off', not the wasm backend, no SIMD). */
export function nativeConv(backend: KernelBackend): NativeConv | null {
  const build = chosenBuild();
  if (build === undefined) return null;
  const memory = heapMemory(backend);
  if (!memory || refused.has(memory)) return null;
  return bound.get(memory)?.get(build) ?? bind(memory, build, null);
}

/**
 * Starts the worker threads that run our kernels beside the calling thread on a threaded
 * backend's shared heap (threads in all, the caller included). Does nothing on an unshared heap.
 * Returns a warning when the workers could not start: XNNPACK's convolutions then serve that heap.
 */
export async function prepareNativeConv(backend: KernelBackend, threads: number): Promise<string | null> {
  const memory = heapMemory(backend);
  if (!memory || !(memory.buffer instanceof SharedArrayBuffer) || threads < 2) return null;
  try {
    // one pool, for the build 'auto' picks (another build, chosen by a test, runs on the calling thread)
    const build = nativeConvBuilds()[0];
    const module = build && compiled(build, true);
    if (module && bound.get(memory)?.get(build)?.threads !== threads) bind(memory, build, await NativePool.start(module, memory, threads));
    return null;
  } catch (e) {
    refused.add(memory);
    return `the convolution kernels' worker threads did not start (${e instanceof Error ? e.message : String(e)}): XNNPACK convolutions are used`;
  }
}
