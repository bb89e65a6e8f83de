// Runs one of our conv kernels (native-conv.ts) on several threads of the threaded backend build:
// Node worker threads that each instantiate the same compiled module on the backend's shared
// heap. A call splits the batch's images between the calling thread and the workers; the caller
// takes its share, then blocks until the workers are done (the kernels are synchronous, as every
// backend kernel is). XNNPACK's own pool sits idle meanwhile: its threads only run inside its
// operators. The handshake is a few Atomics on a small SharedArrayBuffer of its own:
//   [0] job sequence number (workers wait on it), [1] workers done, [2] kernel index,
//   then ARGS int32 arguments per thread.
import { Worker } from 'node:worker_threads';

export const KERNELS = ['conv2d_filter_grad', 'conv2d_forward', 'max_pool_grad', 'bn_sum', 'bn_centre', 'bn_apply', 'bn_grad_sums', 'bn_grad_apply',
  'wino_filter', 'wino_filter_floats', 'wino_forward', 'wino_forward_scratch', 'wino_filter_grad', 'wino_filter_grad_scratch', 'sgd_momentum',
  'conv2d_input_grad_filter', 'conv2d_input_grad_scratch', 'conv2d_input_grad'] as const;
export type KernelName = (typeof KERNELS)[number];
const ARGS = 24;
const HEADER = 4;
/** A worker that has not finished after this long has died (its error cannot reach a blocked caller). */
const JOB_TIMEOUT_MS = 120_000;

// Plain JavaScript (the worker is started from this string: no file to find in a bundled app).
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { module, memory, control, index, kernels, args, header } = workerData;
const exports = new WebAssembly.Instance(module, { env: { memory } }).exports;
const fns = kernels.map((k) => exports[k]);
const ctl = new Int32Array(control);
const mine = new Int32Array(control, (header + index * args) * 4, args);
let seen = 0;
for (;;) {
  Atomics.wait(ctl, 0, seen);
  seen = Atomics.load(ctl, 0);
  fns[Atomics.load(ctl, 2)](...mine);
  Atomics.add(ctl, 1, 1);
  Atomics.notify(ctl, 1);
}
`;

export class NativePool {
  private readonly ctl: Int32Array;
  private constructor(private readonly workers: Worker[], control: SharedArrayBuffer) {
    this.ctl = new Int32Array(control);
  }

  /** Starts threads - 1 workers on `memory` (the caller is the first thread). */
  static async start(module: WebAssembly.Module, memory: WebAssembly.Memory, threads: number): Promise<NativePool> {
    const control = new SharedArrayBuffer((HEADER + threads * ARGS) * 4);
    const workers: Worker[] = [];
    try {
      for (let index = 1; index < threads; index++) {
        const w = new Worker(WORKER_SOURCE, { eval: true, workerData: { module, memory, control, index, kernels: KERNELS, args: ARGS, header: HEADER } });
        workers.push(w);
        await new Promise<void>((resolve, reject) => {
          w.once('online', resolve);
          w.once('error', reject);
        });
        // idle workers wait on an Atomics word forever: they must not keep the process alive
        w.unref();
      }
    } catch (e) {
      for (const w of workers) void w.terminate();
      throw e;
    }
    return new NativePool(workers, control);
  }

  get threads(): number {
    return this.workers.length + 1;
  }

  /** Runs `kernel` with argsOf(t) on every thread t (t = 0 here) and returns when all are done. */
  run(kernel: KernelName, call: (...args: number[]) => unknown, argsOf: (thread: number) => number[]): void {
    const { ctl } = this;
    const others = this.workers.length;
    for (let t = 1; t <= others; t++) {
      const a = argsOf(t);
      if (a.length > ARGS) throw new Error(`native pool: ${kernel} takes more than ${ARGS} arguments`);
      ctl.set(a, HEADER + t * ARGS);
    }
    Atomics.store(ctl, 2, KERNELS.indexOf(kernel));
    Atomics.store(ctl, 1, 0);
    Atomics.add(ctl, 0, 1);
    Atomics.notify(ctl, 0);
    call(...argsOf(0));
    const deadline = Date.now() + JOB_TIMEOUT_MS;
    for (let done = Atomics.load(ctl, 1); done < others; done = Atomics.load(ctl, 1)) {
      if (Atomics.wait(ctl, 1, done, Math.max(1, deadline - Date.now())) === 'timed-out' && Date.now() >= deadline) {
        throw new Error(`native conv kernel ${kernel}: a worker thread did not finish within ${JOB_TIMEOUT_MS / 1000} s`);
      }
    }
  }
}

/** Splits n images into `parts` contiguous ranges as equal as they can be: [begin, end) of part t. */
export function imageRange(n: number, parts: number, t: number): [number, number] {
  const base = Math.floor(n / parts);
  const extra = n % parts;
  const begin = t * base + Math.min(t, extra);
  return [begin, begin + base + (t < extra ? 1 : 0)];
}
