// Starts the wasm backend in Node, with threads where they help.
//
// What tfjs-backend-wasm 4.22 does in Node on its own: it always loads the single-threaded SIMD
// build (its WASM_HAS_MULTITHREAD_SUPPORT flag is hard-wired to false under Node, tfjs issue
// #3830). Forcing the flag does not work either: the threaded build's pthread workers are created
// from a blob: URL, which Node's worker_threads rejects (ERR_WORKER_PATH). Node 20 itself runs the
// threaded build fine (SharedArrayBuffer and wasm threads need no flag) once the emscripten
// module is given real files: the worker script (shipped inside the package only as a JS string,
// written here to a file in the temp folder) and the main script path. That is what the threaded
// factory below does; it builds the same BackendWasm the package would.
//
// Left alone, XNNPACK's thread pool would be min(requested, 8, logical cores / 2); threadedGlue()
// below lifts both caps, so a run gets one thread per logical core (or --threads N). With one
// thread the package's own single-threaded SIMD build is used. Our convolution kernels
// (native-conv.ts) get a worker pool of the same size once the threaded build has started.
import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { registerWasmKernels } from './index';
import { prepareNativeConv } from './native-conv';

const require = createRequire(import.meta.url);
/** The threaded factory below mirrors this version's backend_wasm.js init(). */
const THREADED_LOADER_VERSION = '4.22.0';
const INIT_TIMEOUT_MS = 30_000;

export interface WasmStart {
  threads: number;
  simd: boolean;
  threaded: boolean;
  detail: string;
  warnings: string[];
}

interface EmscriptenModule {
  cwrap(name: string, ret: string | null, args: string[]): (...a: unknown[]) => unknown;
}
type WasmFactory = (config: { locateFile: (p: string) => string; mainScriptUrlOrBlob: string }) => Promise<EmscriptenModule>;

export function wasmPackageDir(): string {
  return path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
}

/** The worker script of the threaded build as a file (content-addressed, written once). */
function workerFile(outDir: string): string {
  const { wasmWorkerContents } = require(path.join(outDir, 'tfjs-backend-wasm-threaded-simd.worker.js')) as { wasmWorkerContents: string };
  // The package escapes newlines the same way before making its blob (the string holds "\n"
  // inside JS string literals that must stay escaped).
  const code = wasmWorkerContents.replace(/\n/g, '\\n');
  const hash = createHash('sha256').update(code).digest('hex').slice(0, 16);
  const file = path.join(os.tmpdir(), `dive-tfjs-wasm-worker-${hash}.cjs`);
  if (!fs.existsSync(file)) {
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, code);
    fs.renameSync(tmp, file);
  }
  return file;
}

/**
 * The threaded build's glue, with two numbers changed so that every core can work: XNNPACK sizes
 * its pool from emscripten_num_logical_cores() / 2 (the glue's os.cpus().length), and the glue
 * starts only 8 pthread workers up front (a thread beyond those would be started while the main
 * thread blocks waiting for it, i.e. never). Both are single, exact matches in this version's
 * glue; if either is missing the unpatched glue is used and the cap stays.
 */
function threadedGlue(outDir: string, threads: number): { file: string; patched: boolean } {
  const original = path.join(outDir, 'tfjs-backend-wasm-threaded-simd.js');
  const src = fs.readFileSync(original, 'utf8');
  const cores = 'if(ENVIRONMENT_IS_NODE)return require("os").cpus().length;';
  const pool = 'var pthreadPoolSize=8;';
  if (src.split(cores).length !== 2 || src.split(pool).length !== 2) return { file: original, patched: false };
  const code = src.replace(cores, `if(ENVIRONMENT_IS_NODE)return ${2 * threads};`).replace(pool, `var pthreadPoolSize=${Math.max(8, threads)};`);
  const hash = createHash('sha256').update(code).digest('hex').slice(0, 16);
  // beside the original: the glue finds its .wasm and worker through locateFile, but keeps its require()s relative
  const file = path.join(os.tmpdir(), `dive-tfjs-wasm-threaded-${hash}.cjs`);
  if (!fs.existsSync(file)) {
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, code);
    fs.renameSync(tmp, file);
  }
  return { file, patched: true };
}

function threadedFactory(ctor: new (m: never) => BackendWasm, threads: number): () => Promise<BackendWasm> {
  return async () => {
    const outDir = path.join(wasmPackageDir(), 'wasm-out');
    const main = threadedGlue(outDir, threads).file;
    const factory = require(main) as WasmFactory;
    const worker = workerFile(outDir);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`threaded wasm did not start within ${INIT_TIMEOUT_MS / 1000} s`)), INIT_TIMEOUT_MS);
    });
    try {
      const mod = await Promise.race([
        factory({ locateFile: (p) => (p.endsWith('.worker.js') ? worker : path.join(outDir, p)), mainScriptUrlOrBlob: main }),
        timeout,
      ]);
      // The same bridge backend_wasm.js init() attaches.
      (mod as unknown as { tfjs: Record<string, unknown> }).tfjs = {
        init: mod.cwrap('init', null, []),
        initWithThreadsCount: mod.cwrap('init_with_threads_count', null, ['number']),
        getThreadsCount: mod.cwrap('get_threads_count', 'number', []),
        registerTensor: mod.cwrap('register_tensor', null, ['number', 'number', 'number']),
        disposeData: mod.cwrap('dispose_data', null, ['number']),
        dispose: mod.cwrap('dispose', null, []),
      };
      const backend = new ctor(mod as never);
      // Creating the backend started XNNPACK's pool threads; emscripten refs the worker of every
      // running thread, so the idle pool would keep Node from ever exiting. They only ever work
      // while the main thread waits on them, so unreferencing them is safe.
      for (const w of (mod as unknown as { PThread?: { runningWorkers?: { unref?: () => void }[] } }).PThread?.runningWorkers ?? []) w.unref?.();
      return backend;
    } finally {
      clearTimeout(timer);
    }
  };
}

let started: WasmStart | undefined;

const EMSCRIPTEN_EVENTS = ['uncaughtException', 'unhandledRejection'] as const;

/**
 * Starts the backend, then drops the process-wide error listeners the emscripten glue installs:
 * they rethrow every uncaught error from inside the glue, so Node prints the glue's one-line,
 * 100 kB minified source as the error location instead of the real stack.
 */
async function startWasm(): Promise<boolean> {
  type Listener = (...args: unknown[]) => void;
  const listeners = (e: string) => process.listeners(e as 'uncaughtException') as Listener[];
  const before = new Map(EMSCRIPTEN_EVENTS.map((e) => [e, new Set(listeners(e))]));
  try {
    return await tf.setBackend('wasm');
  } finally {
    for (const e of EMSCRIPTEN_EVENTS) {
      for (const l of listeners(e)) if (!before.get(e)?.has(l)) process.removeListener(e, l);
    }
  }
}

/** Most threads the loader starts: one per logical core, up to this many (a 64-core workstation gets 64). */
export const MAX_WASM_THREADS = 256;

/** Thread pool size for a request: one per logical core by default, never more than the cores. */
export function effectiveWasmThreads(requested: number | undefined, logicalCores: number): number {
  const cap = Math.max(1, Math.min(logicalCores, MAX_WASM_THREADS));
  return Math.min(Math.max(requested ?? cap, 1), cap);
}

/**
 * Imports the wasm backend, registers the project's kernels for it and makes it current.
 * `threads` as in SelectOptions; once started, the build and thread count stay for the process.
 */
export async function loadWasm(threads?: number): Promise<WasmStart> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  registerWasmKernels();
  const warnings: string[] = [];
  const simd = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) === true;
  const describe = (threaded: boolean): WasmStart => {
    const n = wasm.getThreadsCount();
    const build = `wasm ${threaded ? 'threaded SIMD' : simd ? 'SIMD' : 'plain (no SIMD)'} build`;
    return { threads: n, simd, threaded, detail: `${build}, ${n} thread${n === 1 ? '' : 's'}`, warnings };
  };

  const engine = tf.engine();
  if (started && tf.findBackend('wasm')) {
    if (!(await tf.setBackend('wasm'))) throw new Error('the wasm backend did not start');
    if (threads !== undefined && threads !== started.threads) warnings.push(`wasm already runs with ${started.threads} thread(s) in this process; ${threads} takes a restart`);
    return { ...started, warnings };
  }

  const cores = os.availableParallelism();
  const want = effectiveWasmThreads(threads, cores);
  if (threads !== undefined && want < threads) {
    warnings.push(`${threads} threads asked, ${want} used (one per logical core at most)`);
  }
  const shipped = engine.registryFactory.wasm;
  if (!shipped) throw new Error('@tensorflow/tfjs-backend-wasm did not register its backend');
  // The package's own loader reads the .wasm files from here (a file path, read with fs).
  wasm.setWasmPaths(path.join(wasmPackageDir(), 'dist') + path.sep);
  const canThread = want > 1 && simd && wasm.version_wasm === THREADED_LOADER_VERSION;
  if (want > 1 && !canThread) {
    warnings.push(simd ? `threaded wasm loader not checked with tfjs-backend-wasm ${wasm.version_wasm}: single thread` : 'no wasm SIMD: single thread');
  }
  if (canThread) {
    wasm.setThreadsCount(want);
    tf.removeBackend('wasm');
    tf.registerBackend('wasm', threadedFactory(wasm.BackendWasm as unknown as new (m: never) => BackendWasm, want), shipped.priority);
    if (await startWasm()) {
      // our conv kernels' worker threads, one fewer than XNNPACK's (the caller is the first)
      const refused = await prepareNativeConv(tf.backend(), wasm.getThreadsCount());
      if (refused) warnings.push(refused);
      return (started = describe(true));
    }
    // Fall back to the package's single-threaded build.
    warnings.push('threaded wasm failed to start: single thread');
    if (engine.registryFactory.wasm) tf.removeBackend('wasm');
    tf.registerBackend('wasm', shipped.factory, shipped.priority);
  }
  wasm.setThreadsCount(1);
  if (!(await startWasm())) throw new Error('the wasm backend did not start (see the warning above)');
  return (started = describe(false));
}
