// Chooses the TF.js compute backend: tfjs-node-gpu (CUDA), tfjs-node (native TensorFlow on the
// CPU), the wasm backend (XNNPACK, SIMD, optional threads), then the plain JavaScript cpu backend.
// The two native packages are optional dependencies, loaded by dynamic import only here. Nothing
// happens on import of this module: backends are loaded and registered by selectBackend().
//
// Every backend package must share the app's @tensorflow/tfjs-core: two copies would give two
// Tensor classes and two kernel tables in one process, so each candidate's view of tfjs-core is
// resolved and compared with ours before it is loaded.
import * as tf from '@tensorflow/tfjs-core';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { UserError } from '../domain/errors';
import { BACKENDS, type BackendName } from '../domain/run-config';
import { loadWasm } from './wasm-kernels/loader';

// the names live in domain/ (a run config's `backend` field); benches import them from here
export { BACKENDS, type BackendName };

export interface BackendReport {
  /** the backend chosen, in this module's names */
  name: BackendName;
  /** what tf.getBackend() now says ('tensorflow' for both native packages) */
  tfBackend: string;
  device: 'gpu' | 'cpu';
  /** compute threads the backend uses (wasm: XNNPACK's thread pool, 1 without threads) */
  threads: number;
  /** one line on the build in use, e.g. "wasm SIMD, single-threaded build" */
  detail: string;
  /** why each backend ahead of the chosen one in BACKENDS was not used */
  reasons: string[];
}

export interface SelectOptions {
  /** wasm compute threads; default: the wasm backend's own choice (half the logical cores, at most 8) */
  threads?: number;
  /** environment to read DIVE_BACKEND from (default process.env) */
  env?: Record<string, string | undefined>;
}

/** A backend that could not be used, and why, in words for the user. */
export class BackendUnavailable extends Error {}

type Loaded = Omit<BackendReport, 'name' | 'reasons'> & { warnings?: string[] };

const require = createRequire(import.meta.url);

/** The folder of an installed package, or BackendUnavailable('not installed'). */
export function packageDir(pkg: string, from: string = import.meta.url): string {
  try {
    return path.dirname(createRequire(from).resolve(`${pkg}/package.json`));
  } catch {
    throw new BackendUnavailable(`${pkg} is not installed`);
  }
}

/** Throws unless `pkg` resolves @tensorflow/tfjs-core to the very file this app uses. */
export function checkSharedCore(pkg: string): void {
  const ours = require.resolve('@tensorflow/tfjs-core');
  const dir = packageDir(pkg);
  let theirs: string;
  try {
    theirs = createRequire(path.join(dir, 'package.json')).resolve('@tensorflow/tfjs-core');
  } catch {
    throw new BackendUnavailable(`${pkg} cannot find @tensorflow/tfjs-core`);
  }
  if (theirs !== ours) {
    throw new BackendUnavailable(`${pkg} uses its own copy of @tensorflow/tfjs-core (${theirs}, not ${ours}); reinstall so npm dedupes it`);
  }
}

function message(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0];
}

/** Says why a native TensorFlow binding failed to load, naming missing CUDA libraries as such. */
export function nativeLoadReason(pkg: string, e: unknown): string {
  const m = message(e);
  if (/lib(cuda|cudart|cublas|cudnn|cufft|curand|cusolver|cusparse|nvinfer)[^ ]*\.so|cuda/i.test(m)) return `CUDA libraries missing: ${m}`;
  if (/cannot open shared object|image not found|dlopen|\.node|libtensorflow/i.test(m)) return `${pkg} native library failed to load: ${m}`;
  return `${pkg} failed to load: ${m}`;
}

interface NativeBackend {
  isUsingGpuDevice?: boolean;
}

async function loadNative(pkg: '@tensorflow/tfjs-node-gpu' | '@tensorflow/tfjs-node', gpu: boolean): Promise<Loaded> {
  checkSharedCore(pkg);
  try {
    await import(pkg);
  } catch (e) {
    throw new BackendUnavailable(nativeLoadReason(pkg, e));
  }
  if (!(await tf.setBackend('tensorflow'))) throw new BackendUnavailable(`${pkg} loaded but its 'tensorflow' backend did not start`);
  const onGpu = gpu && (tf.backend() as unknown as NativeBackend).isUsingGpuDevice === true;
  const threads = os.availableParallelism();
  if (gpu && !onGpu) {
    return { tfBackend: tf.getBackend(), device: 'cpu', threads, detail: `${pkg} without a visible CUDA GPU: native TensorFlow on the CPU`, warnings: ['no CUDA GPU is visible: tfjs-node-gpu runs on the CPU'] };
  }
  return { tfBackend: tf.getBackend(), device: gpu ? 'gpu' : 'cpu', threads, detail: gpu ? `${pkg} on a CUDA GPU` : `${pkg}: native TensorFlow on the CPU` };
}

async function loadCpu(): Promise<Loaded> {
  checkSharedCore('@tensorflow/tfjs-backend-cpu');
  await import('@tensorflow/tfjs-backend-cpu');
  if (!(await tf.setBackend('cpu'))) throw new BackendUnavailable('the cpu backend did not start');
  return { tfBackend: tf.getBackend(), device: 'cpu', threads: 1, detail: 'plain JavaScript kernels, single-threaded' };
}

const LOADERS: Record<BackendName, (o: SelectOptions) => Promise<Loaded>> = {
  'tensorflow-gpu': () => loadNative('@tensorflow/tfjs-node-gpu', true),
  tensorflow: () => loadNative('@tensorflow/tfjs-node', false),
  wasm: async (o) => {
    checkSharedCore('@tensorflow/tfjs-backend-wasm');
    const w = await loadWasm(o.threads);
    return { tfBackend: tf.getBackend(), device: 'cpu', threads: w.threads, detail: w.detail, warnings: w.warnings };
  },
  cpu: () => loadCpu(),
};

function parseName(value: string, source: string): BackendName {
  const v = value.trim().toLowerCase();
  if ((BACKENDS as readonly string[]).includes(v)) return v as BackendName;
  throw new UserError(`${source}: unknown backend '${value}' (use one of ${BACKENDS.join(', ')})`);
}

async function registerGradients(): Promise<void> {
  // Loaded on demand: tfjs-core's gradient modules are a large import.
  const { registerTrainingGradients } = await import('./gradients');
  registerTrainingGradients();
}

/**
 * Loads and activates a backend and registers the training gradients (and, for wasm, the
 * project's kernels). `pref` (or else the DIVE_BACKEND environment variable) forces one backend
 * and fails with a UserError saying why if it cannot load; otherwise the first of BACKENDS that
 * loads wins and `reasons` says why each one before it did not.
 */
export async function selectBackend(pref?: BackendName, opts: SelectOptions = {}): Promise<BackendReport> {
  const envValue = (opts.env ?? process.env).DIVE_BACKEND;
  const forced = pref !== undefined ? parseName(pref, 'backend') : envValue ? parseName(envValue, 'DIVE_BACKEND') : undefined;
  if (opts.threads !== undefined && !(Number.isInteger(opts.threads) && opts.threads >= 1)) {
    throw new UserError(`threads: must be a whole number >= 1, got ${opts.threads}`);
  }
  const candidates = forced ? [forced] : BACKENDS;
  const source = pref !== undefined ? 'requested' : 'requested by DIVE_BACKEND';
  // A forced choice still says why the backends ahead of it were not used.
  const reasons: string[] = forced ? BACKENDS.slice(0, BACKENDS.indexOf(forced)).map((b) => `${b}: not tried ('${forced}' was ${source})`) : [];
  for (const name of candidates) {
    let loaded: Loaded;
    try {
      loaded = await LOADERS[name](opts);
    } catch (e) {
      const why = message(e);
      if (forced) {
        throw new UserError(`backend '${name}' was ${source} but cannot be used: ${why}`);
      }
      reasons.push(`${name}: ${why}`);
      continue;
    }
    await registerGradients();
    const { warnings = [], ...rest } = loaded;
    return { name, ...rest, reasons: [...reasons, ...warnings.map((w) => `${name}: ${w}`)] };
  }
  throw new Error(`no backend could be loaded: ${reasons.join('; ')}`);
}
