// The project's own convolution kernels (native/conv-kernels.c, built to wasm by native/build.mjs
// and committed as base64 in native-conv-binary.ts), instantiated on the tfjs-backend-wasm heap:
// the module imports the backend's WebAssembly.Memory, so the kernels read and write tensors
// where they lie, with no copies.
//
// Why our own: XNNPACK in the registry's wasm build multiplies and adds separately, and runs the
// filter gradient as a convolution whose "filter" (dy, [oh, ow, n, co]) it repacks on every call
// after two transposes (about 3x a forward convolution's time for the same arithmetic). Ours
// accumulates dw tile by tile in registers, one image at a time, with f32x4.relaxed_madd (a fused
// multiply-add where the CPU has one) when the engine has relaxed SIMD: Node 20 (V8 11.3) has it
// behind --experimental-wasm-relaxed-simd, which is set here before validating the module;
// Electron's newer V8 has it on by default. Otherwise the plain SIMD128 build of the same source
// runs. Only the single-threaded backend build is served: the threaded one's memory is shared
// (a module importing it would need a separate shared-memory build) and there XNNPACK's thread
// pool already divides the work.
import v8 from 'node:v8';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { KernelBackend } from '@tensorflow/tfjs-core';
import { CONV_KERNELS_RELAXED, CONV_KERNELS_SIMD } from './native-conv-binary';

export type NativeConvBuild = 'relaxed' | 'simd';
/** 'auto': relaxed SIMD where the engine has it, else SIMD128; 'off': XNNPACK-only paths */
export type NativeConvMode = 'auto' | NativeConvBuild | 'off';

type FilterGrad = (x: number, dy: number, dw: number, n: number, h: number, w: number, ci: number, oh: number, ow: number,
  co: number, kh: number, kw: number, sh: number, sw: number, pt: number, pl: number) => void;

type Forward = (x: number, filter: number, y: number, scratch: number, n: number, h: number, w: number, ci: number, oh: number,
  ow: number, co: number, kh: number, kw: number, sh: number, sw: number, pt: number, pl: number) => void;

/** Byte offsets into the heap; co (output channels) must be a multiple of 8 for both. */
export interface NativeConv {
  build: NativeConvBuild;
  /** dw [kh, kw, ci, co] (overwritten) from x [n, h, w, ci] and dy [n, oh, ow, co] */
  filterGrad: FilterGrad;
  /**
   * y [n, oh, ow, co] from x [n, h, w, ci] and filter [kh, kw, ci, co], with dilation 1; scratch
   * holds one padded image, forwardScratchFloats of them (unused when there is no padding).
   */
  forward: Forward;
}

/** Floats of scratch `forward` needs: one input image with its padding, as far as the windows reach. */
export function forwardScratchFloats(ci: number, oh: number, ow: number, kh: number, kw: number, sh: number, sw: number): number {
  return ((oh - 1) * sh + kh) * ((ow - 1) * sw + kw) * ci;
}

let mode: NativeConvMode = 'auto';
const modules = new Map<NativeConvBuild, WebAssembly.Module | null>();
const instances = new WeakMap<WebAssembly.Memory, Map<NativeConvBuild, NativeConv>>();

/** Chooses which kernels run (tests compare each build against the cpu backend; benchmarks compare with 'off'). */
export function setNativeConvMode(m: NativeConvMode): void {
  mode = m;
}

function compiled(build: NativeConvBuild): WebAssembly.Module | null {
  let m = modules.get(build);
  if (m !== undefined) return m;
  const bytes = Buffer.from(build === 'relaxed' ? CONV_KERNELS_RELAXED : CONV_KERNELS_SIMD, 'base64');
  if (build === 'relaxed' && !WebAssembly.validate(bytes)) {
    // Node 20's V8 has relaxed SIMD (final opcodes) behind a flag; newer engines validate it as is.
    v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
  }
  m = WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
  modules.set(build, m);
  return m;
}

/** The builds this engine can run, best first. */
export function nativeConvBuilds(): NativeConvBuild[] {
  return (['relaxed', 'simd'] as const).filter((b) => compiled(b) !== null);
}

/** The backend's heap as a WebAssembly.Memory, when it is the unshared memory of the single-threaded build. */
function heapMemory(backend: KernelBackend): WebAssembly.Memory | null {
  const wasm: unknown = (backend as Partial<BackendWasm>).wasm;
  if (typeof wasm !== 'object' || wasm === null || !('asm' in wasm)) return null;
  const asm: unknown = wasm.asm;
  if (typeof asm !== 'object' || asm === null || !('memory' in asm)) return null;
  const memory: unknown = asm.memory;
  if (!(memory instanceof WebAssembly.Memory)) return null;
  return memory.buffer instanceof ArrayBuffer ? memory : null;
}

/** Our kernels bound to this backend's heap, or null (mode 'off', threaded build, no SIMD). */
export function nativeConv(backend: KernelBackend): NativeConv | null {
  if (mode === 'off') return null;
  const memory = heapMemory(backend);
  if (!memory) return null;
  const build = mode === 'auto' ? nativeConvBuilds()[0] : mode;
  if (build === undefined) return null;
  let perBuild = instances.get(memory);
  if (!perBuild) instances.set(memory, (perBuild = new Map()));
  const cached = perBuild.get(build);
  if (cached) return cached;
  const module = compiled(build);
  if (!module) return null;
  const { exports } = new WebAssembly.Instance(module, { env: { memory } });
  const { conv2d_filter_grad: filterGrad, conv2d_forward: forward } = exports;
  if (typeof filterGrad !== 'function' || typeof forward !== 'function') throw new Error('native conv kernels: an export is missing from the module');
  const k: NativeConv = { build, filterGrad: filterGrad as FilterGrad, forward: forward as Forward };
  perBuild.set(build, k);
  return k;
}
