// One measurement of the training bench, in a process of its own (train-bench.ts starts one per
// model, shape, backend and thread count, so peak RSS and the wasm thread count belong to it):
// the step of train-bench-step.ts timed after a warm-up, then eval-mode inference.
// Run: node --import tsx test/bench/train-bench-child.ts --model M --shape HxWxC --batch B
//        --backend NAME [--threads N] --steps S --warmup W --repeat R
// It prints one line, TRAIN-BENCH {json}.
import os from 'node:os';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { UserError } from '../../src-main/core/domain/errors';
import { BACKENDS, type ModelKind } from '../../src-main/core/domain/run-config';
import { Rng } from '../../src-main/core/rng';
import { selectBackend, type BackendName } from '../../src-main/core/train/backend';
import { createModel } from '../../src-main/core/train/models';
import { Sgd } from '../../src-main/core/train/optim';
import { BENCH_MODELS, parseShape, positiveInt } from './train-bench-args';
import { DISTINCT, inferStep, syntheticBatches, trainStep } from './train-bench-step';
import { CLASSES, LINE, SGD, type Ours } from './train-bench-types';

/**
 * Seconds of the fastest of `repeat` runs of `f` (on a shared machine the fastest run is the one
 * least disturbed by other processes), and the least process CPU time of those runs (all threads):
 * steadier than wall time when other work shares the cores.
 */
async function bestOf(repeat: number, f: () => Promise<void>): Promise<{ wall: number; cpu: number }> {
  let wall = Infinity;
  let cpu = Infinity;
  for (let r = 0; r < repeat; r++) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    await f();
    const c = process.cpuUsage(c0);
    wall = Math.min(wall, (performance.now() - t0) / 1000);
    cpu = Math.min(cpu, (c.user + c.system) / 1e6);
  }
  return { wall, cpu };
}

/** One measurement, in this (child) process. */
async function measure(kind: ModelKind, shapeText: string, batch: number, backend: BackendName, threads: number | undefined, steps: number, warmup: number, repeat: number): Promise<Ours> {
  const shape = parseShape(shapeText);
  const report = await selectBackend(backend, { threads, allowSoftwareAdapter: process.env.DIVE_WEBGPU_ALLOW_SOFTWARE === '1' || undefined });
  for (const r of report.reasons) if (!/not tried/.test(r)) process.stderr.write(`  note: ${r}\n`);
  const root = new Rng(0);
  const model = createModel({ kind, imageShape: shape, numClasses: CLASSES }, root.fork());
  const opt = new Sgd(model.params, { momentum: SGD.momentum, weightDecay: SGD.weightDecay });
  const data = syntheticBatches(root.fork(), batch, shape);
  const classCounts = new Array<number>(CLASSES).fill(batch);
  const tensorsStart = tf.memory().numTensors;
  try {
    for (let i = 0; i < warmup; i++) await trainStep(model, opt, data[i % DISTINCT], classCounts);
    const trainSec = await bestOf(repeat, async () => {
      for (let i = 0; i < steps; i++) {
        const { loss } = await trainStep(model, opt, data[i % DISTINCT], classCounts);
        if (!Number.isFinite(loss)) throw new Error(`loss is ${loss} at step ${i + 1}`);
      }
    });
    const load = os.loadavg()[0];
    for (let i = 0; i < Math.max(warmup, 1); i++) await inferStep(model, data[i % DISTINCT]);
    const inferSec = await bestOf(repeat, async () => {
      for (let i = 0; i < steps; i++) await inferStep(model, data[i % DISTINCT]);
    });
    return {
      engine: 'tfjs',
      model: kind,
      shape: shapeText,
      batch,
      backend,
      detail: report.detail,
      threads: report.threads,
      steps,
      warmup,
      repeat,
      trainIps: (batch * steps) / trainSec.wall,
      trainCpuIps: (batch * steps) / trainSec.cpu,
      inferIps: (batch * steps) / inferSec.wall,
      // maxRSS is in kilobytes
      peakRssMb: process.resourceUsage().maxRSS / 1024,
      tensorsStart,
      tensorsEnd: tf.memory().numTensors,
      load,
    };
  } finally {
    opt.dispose();
    model.dispose();
  }
}


async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      model: { type: 'string' },
      shape: { type: 'string' },
      batch: { type: 'string' },
      backend: { type: 'string' },
      threads: { type: 'string' },
      steps: { type: 'string' },
      warmup: { type: 'string' },
      repeat: { type: 'string' },
    },
  });
  const model = values.model as ModelKind;
  if (!(BENCH_MODELS as readonly string[]).includes(model)) throw new UserError(`--model: unknown model '${values.model}' (use ${BENCH_MODELS.join(', ')})`);
  const backend = values.backend as BackendName;
  if (!(BACKENDS as readonly string[]).includes(backend)) throw new UserError(`--backend: unknown backend '${values.backend}' (use ${BACKENDS.join(', ')})`);
  const shape = values.shape ?? '';
  parseShape(shape);
  const r = await measure(model, shape, positiveInt('batch', values.batch ?? '128')!, backend, positiveInt('threads', values.threads),
    positiveInt('steps', values.steps ?? '10')!, positiveInt('warmup', values.warmup ?? '2', 0)!, positiveInt('repeat', values.repeat ?? '1')!);
  process.stdout.write(`${LINE}${JSON.stringify(r)}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof UserError ? e.message : e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
