// Training and inference throughput of the TF.js engine per backend, side by side with PyTorch
// on the same models, batch and input shape (figures to read, not assertions).
// Run: npm run bench:train -- [--model cnn|resnet8|resnet20|resnet32|all] [--batch 128]
//        [--shape 28x28x1|32x32x3|all] [--backend wasm,cpu] [--threads 1,all] [--steps S]
//        [--warmup W] [--repeat R] [--json] [--no-torch] [--no-gpu] [--timeout SEC]
// The paper's network at one thread and at all (about 5 minutes on 2 cores):
//        npm run bench:train -- --model resnet32 --shape all --threads 1,all
//
// --threads is a list: each count (or 'all', the logical cores) is measured for ours and for
// PyTorch (torch.set_num_threads) side by side; the default is 1 and all cores.
//
// GPU: the bench first looks for a hardware WebGPU adapter, a CUDA GPU through tfjs-node-gpu, and
// a CUDA or MPS device in PyTorch, says plainly which are missing and why, and where there is one
// times ResNet-32 on 32x32x3 on it beside PyTorch on the same device (gpu-bench.ts).
//
// --repeat R times the S steps R times after the warm-up and keeps the fastest (PyTorch too):
// on a busy shared machine the least disturbed run is the better estimate.
//
// The default backend is wasm alone: the plain JavaScript cpu backend trains about 150 times
// slower (a ResNet-8 step on 32x32x3 takes minutes), so ask for it explicitly, with few steps,
// e.g. --backend wasm,cpu --model cnn --steps 2 --warmup 1.
//
// Each (model, shape, backend) runs in a child process of its own, so that peak RSS is that
// measurement's and each backend starts fresh (the wasm thread count is fixed per process).
// What is timed is described in train-bench-child.ts. Files: train-bench-args.ts (options),
// train-bench-child.ts (one measurement), train-bench-runners.ts (starting ours and PyTorch),
// train-bench-table.ts (rows and table), gpu-probe.ts and gpu-bench.ts (GPUs).
import os from 'node:os';
import { parseArgs } from 'node:util';
import { UserError } from '../../src-main/core/domain/errors';
import { BACKENDS, type ModelKind } from '../../src-main/core/domain/run-config';
import type { BackendName } from '../../src-main/core/train/backend';
import { gpuBench } from './gpu-bench';
import { describeGpus, probeGpus } from './gpu-probe';
import { BENCH_MODELS, parseShape, parseThreads, positiveInt, type BenchModel } from './train-bench-args';
import { findTorchPython, runOurs, runTorch, TORCH_SCRIPT } from './train-bench-runners';
import { combine, table } from './train-bench-table';
import type { Ours, Row, TorchLine } from './train-bench-types';

const DEFAULT_MODELS: ModelKind[] = ['cnn', 'resnet8'];
const DEFAULT_SHAPES = ['28x28x1', '32x32x3'];
/** steps per model when --steps is not given: the default bench takes a few minutes on 2 cores */
const DEFAULT_STEPS: Record<BenchModel, number> = { cnn: 40, resnet8: 15, resnet20: 6, resnet32: 4 };

/** Backends whose speed depends on the CPU thread count. */
const THREADED: readonly BackendName[] = ['wasm', 'tensorflow'];

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      model: { type: 'string', default: 'default' },
      shape: { type: 'string', default: 'default' },
      batch: { type: 'string', default: '128' },
      backend: { type: 'string', default: 'wasm' },
      timeout: { type: 'string', default: '900' },
      threads: { type: 'string', default: '1,all' },
      steps: { type: 'string' },
      warmup: { type: 'string', default: '2' },
      repeat: { type: 'string', default: '2' },
      json: { type: 'boolean', default: false },
      'no-torch': { type: 'boolean', default: false },
      'no-gpu': { type: 'boolean', default: false },
    },
  });
  const batch = positiveInt('batch', values.batch)!;
  const warmup = positiveInt('warmup', values.warmup, 0)!;
  const threadList = parseThreads(values.threads!);
  const stepsArg = positiveInt('steps', values.steps);
  const timeoutSec = positiveInt('timeout', values.timeout)!;
  const repeat = positiveInt('repeat', values.repeat)!;
  const models: ModelKind[] =
    values.model === 'default' ? DEFAULT_MODELS : values.model === 'all' ? [...BENCH_MODELS] : values.model!.split(',').map((m) => m.trim() as ModelKind);
  for (const m of models) if (!(BENCH_MODELS as readonly string[]).includes(m)) throw new UserError(`--model: unknown model '${m}' (use ${BENCH_MODELS.join(', ')} or all)`);
  const shapes = values.shape === 'default' || values.shape === 'all' ? DEFAULT_SHAPES : values.shape!.split(',').map((s) => s.trim());
  shapes.forEach(parseShape);
  const backends = values.backend!.split(',').map((b) => b.trim() as BackendName);
  for (const b of backends) if (!(BACKENDS as readonly string[]).includes(b)) throw new UserError(`--backend: unknown backend '${b}' (use ${BACKENDS.join(', ')})`);
  const stepsFor = (m: ModelKind) => stepsArg ?? DEFAULT_STEPS[m as BenchModel];

  const py = values['no-torch'] ? null : findTorchPython();
  if (!values['no-torch'] && !py) process.stderr.write('PyTorch not found (python3 cannot import torch; set DIVE_BENCH_PYTHON): TF.js only\n');
  const gpus = values['no-gpu'] ? null : probeGpus(py, TORCH_SCRIPT);
  const rows: Row[] = [];
  for (const m of models) {
    for (const s of shapes) {
      const ours: Ours[] = [];
      for (const b of backends) {
        // threads matter to wasm and native TensorFlow; the others run once
        for (const threads of THREADED.includes(b) ? threadList : [undefined]) {
          process.stderr.write(`${m} ${s} batch ${batch}: ${b}${threads ? `, ${threads} thread${threads === 1 ? '' : 's'}` : ''}...\n`);
          const o = runOurs(m, s, batch, b, threads, stepsFor(m), warmup, repeat, timeoutSec);
          if (o) ours.push(o);
        }
      }
      let t: TorchLine[] = [];
      if (py && ours.length) {
        process.stderr.write(`${m} ${s} batch ${batch}: torch (${py})...\n`);
        t = runTorch(py, m, s, batch, [...new Set(ours.map((o) => o.threads))], stepsFor(m), warmup, repeat);
      }
      rows.push(...ours.map((o) => combine(o, t)));
    }
  }
  const gpuRows = gpus ? gpuBench(gpus, py, batch, warmup, repeat, timeoutSec) : [];
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ rows, gpus, gpuRows, torchPython: py })}\n`);
    return;
  }
  process.stdout.write(`${table(rows)}\n`);
  process.stdout.write('ratio = ours / PyTorch training img/s, at PyTorch\'s default thread count and at ours (thr);\n');
  process.stdout.write('CPU img/s = training images per second of process CPU time (all threads), ratio CPU = ours / PyTorch at ours (thr): steadier than wall time when other work shares the cores\n');
  process.stdout.write(`load = the 1-minute load average as each side's timed training ended (${os.availableParallelism()} logical cores here): above the core count, other work shared them\n`);
  if (gpus) {
    process.stdout.write(`\n${describeGpus(gpus).join('\n')}\n`);
    if (gpuRows.length) process.stdout.write(`${table(gpuRows)}\nratio same = ours / PyTorch on its GPU (${gpus.torch.ok ? gpus.torch.device : 'none'})\n`);
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof UserError ? e.message : e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
