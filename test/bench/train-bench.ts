// Training and inference throughput of the TF.js engine per backend, side by side with PyTorch
// on the same models, batch and input shape (figures to read, not assertions).
// Run: npm run bench:train -- [--model cnn|resnet8|resnet20|all] [--batch 128]
//        [--shape 28x28x1|32x32x3|all] [--backend wasm,cpu] [--threads N] [--steps S]
//        [--warmup W] [--repeat R] [--json] [--no-torch] [--timeout SEC]
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
// The training step replicates trainStep() of src-main/core/train/loop.ts, which is not exported:
// tensors from the batch, tf.variableGrads over methodLoss('ce') with the training-accuracy count
// kept, Sgd.step, then loss and hits read back with dataSync. Data are a few seeded synthetic
// batches (normal pixels, uniform labels), cycled; the batch assembler and augmentation of the
// real loop are not timed.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { UserError } from '../../src-main/core/domain/errors';
import { Rng } from '../../src-main/core/rng';
import { BACKENDS, selectBackend, type BackendName } from '../../src-main/core/train/backend';
import type { ImageShape, ModelKind } from '../../src-main/core/domain/run-config';
import { methodLoss } from '../../src-main/core/train/losses';
import { DEFAULT_METHOD_PARAMS } from '../../src-main/core/domain/method';
import { createModel, type Model } from '../../src-main/core/train/models';
import { Sgd } from '../../src-main/core/train/optim';

const SELF = fileURLToPath(import.meta.url);
const TORCH_SCRIPT = path.join(path.dirname(SELF), 'torch_bench.py');
const BENCH_MODELS = ['cnn', 'resnet8', 'resnet20'] as const;
const DEFAULT_MODELS: ModelKind[] = ['cnn', 'resnet8'];
const DEFAULT_SHAPES = ['28x28x1', '32x32x3'];
const CLASSES = 10;
/** distinct synthetic batches, cycled (the Python side uses the same count) */
const DISTINCT = 4;
const SGD = { lr: 0.1, momentum: 0.9, weightDecay: 2e-4 };
/** steps per model when --steps is not given: the default bench takes a few minutes on 2 cores */
const DEFAULT_STEPS: Record<(typeof BENCH_MODELS)[number], number> = { cnn: 40, resnet8: 15, resnet20: 6 };
const LINE = 'TRAIN-BENCH ';

interface Ours {
  engine: 'tfjs';
  model: ModelKind;
  shape: string;
  batch: number;
  backend: BackendName;
  detail: string;
  threads: number;
  steps: number;
  warmup: number;
  /** timed runs of `steps` steps; the fastest counts */
  repeat: number;
  trainIps: number;
  inferIps: number;
  peakRssMb: number;
  tensorsStart: number;
  tensorsEnd: number;
}

interface TorchLine {
  engine: 'torch';
  torch: string;
  model: string;
  shape: string;
  batch: number;
  threads: number;
  default_threads: number;
  train_ips: number;
  infer_ips: number;
  peak_rss_mb: number;
}

interface Row extends Ours {
  torch: { version: string; defaultThreads: number; trainIpsDefault: number; trainIpsSame: number | null; inferIpsDefault: number; inferIpsSame: number | null; peakRssMb: number } | null;
  /** ours / torch train img/s at torch's default thread count and at our thread count */
  ratioDefault: number | null;
  ratioSame: number | null;
}

function parseShape(s: string): ImageShape {
  const m = /^(\d+)x(\d+)x(\d+)$/i.exec(s.trim());
  if (!m || [m[1], m[2], m[3]].some((d) => Number(d) < 1)) throw new UserError(`--shape: expected HxWxC such as 32x32x3, got '${s}'`);
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

function positiveInt(name: string, v: string | undefined, min = 1): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new UserError(`--${name}: must be a whole number >= ${min}, got '${v}'`);
  return n;
}

/** Seeded synthetic batches: standard normal pixels (already "normalised"), uniform labels. */
function syntheticBatches(rng: Rng, batch: number, shape: ImageShape): { x: Float32Array; y: Int32Array }[] {
  const size = batch * shape[0] * shape[1] * shape[2];
  return Array.from({ length: DISTINCT }, () => {
    const x = new Float32Array(size);
    for (let i = 0; i < size; i++) x[i] = rng.normal();
    const y = new Int32Array(batch);
    for (let i = 0; i < batch; i++) y[i] = rng.int(0, CLASSES - 1);
    return { x, y };
  });
}

/** loop.ts trainStep() for method 'ce' without a teacher (see the note at the top). */
function trainStep(model: Model, opt: Sgd, b: { x: Float32Array; y: Int32Array }, classCounts: number[]): { loss: number; hits: number } {
  const [h, w, c] = model.spec.imageShape;
  let hits: tf.Scalar | undefined;
  let loss: tf.Scalar | undefined;
  try {
    loss = tf.tidy(() => {
      const x = tf.tensor4d(b.x, [b.y.length, h, w, c]);
      const y = tf.tensor1d(b.y, 'int32');
      const { value, grads } = tf.variableGrads(() => {
        const logits = model.apply(x, true);
        hits = tf.keep(tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), y), 'int32')) as tf.Scalar);
        return methodLoss('ce', DEFAULT_METHOD_PARAMS, logits, y, { classCounts, epoch: 0 });
      }, Object.values(model.params));
      opt.step(grads, SGD.lr);
      return value;
    });
    return { loss: loss.dataSync()[0], hits: hits ? hits.dataSync()[0] : 0 };
  } finally {
    loss?.dispose();
    hits?.dispose();
  }
}

/** Eval-mode forward as predictLogits() does it, logits read back. */
function inferStep(model: Model, b: { x: Float32Array; y: Int32Array }): void {
  const [h, w, c] = model.spec.imageShape;
  const logits = tf.tidy(() => model.apply(tf.tensor4d(b.x, [b.y.length, h, w, c]), false));
  logits.dataSync();
  logits.dispose();
}

/**
 * Seconds of the fastest of `repeat` runs of `f`: on a shared machine the fastest run is the one
 * least disturbed by other processes.
 */
function bestOf(repeat: number, f: () => void): number {
  let best = Infinity;
  for (let r = 0; r < repeat; r++) {
    const t0 = performance.now();
    f();
    best = Math.min(best, (performance.now() - t0) / 1000);
  }
  return best;
}

/** One measurement, in this (child) process. */
async function measure(kind: ModelKind, shapeText: string, batch: number, backend: BackendName, threads: number | undefined, steps: number, warmup: number, repeat: number): Promise<Ours> {
  const shape = parseShape(shapeText);
  const report = await selectBackend(backend, { threads });
  for (const r of report.reasons) if (!/not tried/.test(r)) process.stderr.write(`  note: ${r}\n`);
  const root = new Rng(0);
  const model = createModel({ kind, imageShape: shape, numClasses: CLASSES }, root.fork());
  const opt = new Sgd(model.params, { momentum: SGD.momentum, weightDecay: SGD.weightDecay });
  const data = syntheticBatches(root.fork(), batch, shape);
  const classCounts = new Array<number>(CLASSES).fill(batch);
  const tensorsStart = tf.memory().numTensors;
  try {
    for (let i = 0; i < warmup; i++) trainStep(model, opt, data[i % DISTINCT], classCounts);
    const trainSec = bestOf(repeat, () => {
      for (let i = 0; i < steps; i++) {
        const { loss } = trainStep(model, opt, data[i % DISTINCT], classCounts);
        if (!Number.isFinite(loss)) throw new Error(`loss is ${loss} at step ${i + 1}`);
      }
    });
    for (let i = 0; i < Math.max(warmup, 1); i++) inferStep(model, data[i % DISTINCT]);
    const inferSec = bestOf(repeat, () => {
      for (let i = 0; i < steps; i++) inferStep(model, data[i % DISTINCT]);
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
      trainIps: (batch * steps) / trainSec,
      inferIps: (batch * steps) / inferSec,
      // maxRSS is in kilobytes
      peakRssMb: process.resourceUsage().maxRSS / 1024,
      tensorsStart,
      tensorsEnd: tf.memory().numTensors,
    };
  } finally {
    opt.dispose();
    model.dispose();
  }
}

/** The first Python that imports torch: $DIVE_BENCH_PYTHON, python3, /usr/bin/python3, python. */
function findTorchPython(): string | null {
  const candidates = [process.env.DIVE_BENCH_PYTHON, 'python3', '/usr/bin/python3', 'python'].filter((p): p is string => !!p);
  for (const py of candidates) {
    const r = spawnSync(py, ['-c', 'import torch'], { stdio: 'ignore', timeout: 60_000 });
    if (r.status === 0) return py;
  }
  return null;
}

function jsonLines<T>(stdout: string, pick: (line: string) => string | null): T[] {
  return stdout
    .split('\n')
    .map(pick)
    .filter((l): l is string => l !== null)
    .map((l) => JSON.parse(l) as T);
}

function runOurs(kind: ModelKind, shape: string, batch: number, backend: BackendName, threads: number | undefined, steps: number, warmup: number, repeat: number, timeoutSec: number): Ours | null {
  const args = ['--import', 'tsx', SELF, '--child', '--model', kind, '--shape', shape, '--batch', String(batch), '--backend', backend, '--steps', String(steps), '--warmup', String(warmup), '--repeat', String(repeat)];
  if (threads !== undefined) args.push('--threads', String(threads));
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 24, timeout: timeoutSec * 1000 });
  const out = jsonLines<Ours>(r.stdout ?? '', (l) => (l.startsWith(LINE) ? l.slice(LINE.length) : null));
  if (r.status !== 0 || out.length !== 1) {
    const why = r.error && 'code' in r.error && r.error.code === 'ETIMEDOUT' ? `over --timeout ${timeoutSec} s` : `exit ${r.status ?? r.signal}`;
    process.stderr.write(`  ${backend}: no result (${why})\n`);
    return null;
  }
  return out[0];
}

function runTorch(py: string, kind: ModelKind, shape: string, batch: number, threads: number[], steps: number, warmup: number, repeat: number): TorchLine[] {
  const args = [TORCH_SCRIPT, '--model', kind, '--shape', shape, '--batch', String(batch), '--steps', String(steps), '--warmup', String(warmup), '--repeat', String(repeat)];
  args.push('--threads', ['default', ...threads.map(String)].join(','), '--lr', String(SGD.lr), '--momentum', String(SGD.momentum), '--weight-decay', String(SGD.weightDecay));
  const r = spawnSync(py, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 24 });
  if (r.status !== 0) {
    process.stderr.write(`  torch: failed (exit ${r.status ?? r.signal})\n`);
    return [];
  }
  return jsonLines<TorchLine>(r.stdout, (l) => (l.trim().startsWith('{') ? l.trim() : null));
}

function combine(o: Ours, t: TorchLine[]): Row {
  const def = t.find((l) => l.threads === l.default_threads);
  const same = t.find((l) => l.threads === o.threads);
  return {
    ...o,
    torch: def
      ? {
          version: def.torch,
          defaultThreads: def.default_threads,
          trainIpsDefault: def.train_ips,
          trainIpsSame: same?.train_ips ?? null,
          inferIpsDefault: def.infer_ips,
          inferIpsSame: same?.infer_ips ?? null,
          peakRssMb: Math.max(...t.map((l) => l.peak_rss_mb)),
        }
      : null,
    ratioDefault: def ? o.trainIps / def.train_ips : null,
    ratioSame: same ? o.trainIps / same.train_ips : null,
  };
}

function table(rows: Row[]): string {
  const f0 = (n: number | null | undefined) => (n == null ? '-' : n.toFixed(0));
  const f2 = (n: number | null | undefined) => (n == null ? '-' : n.toFixed(2));
  const head = ['model', 'shape', 'batch', 'backend', 'thr', 'train img/s', 'infer img/s', 'peak RSS MB', 'tensors', 'torch@def (thr)', 'torch@same', 'ratio def', 'ratio same'];
  const body = rows.map((r) => [
    r.model,
    r.shape,
    String(r.batch),
    r.backend,
    String(r.threads),
    f0(r.trainIps),
    f0(r.inferIps),
    f0(r.peakRssMb),
    `${r.tensorsStart}→${r.tensorsEnd}`,
    r.torch ? `${f0(r.torch.trainIpsDefault)} (${r.torch.defaultThreads})` : '-',
    f0(r.torch?.trainIpsSame),
    f2(r.ratioDefault),
    f2(r.ratioSame),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i < 4 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      model: { type: 'string', default: 'default' },
      shape: { type: 'string', default: 'default' },
      batch: { type: 'string', default: '128' },
      backend: { type: 'string', default: 'wasm' },
      timeout: { type: 'string', default: '900' },
      threads: { type: 'string' },
      steps: { type: 'string' },
      warmup: { type: 'string', default: '2' },
      repeat: { type: 'string', default: '2' },
      json: { type: 'boolean', default: false },
      'no-torch': { type: 'boolean', default: false },
      child: { type: 'boolean', default: false },
    },
  });
  const batch = positiveInt('batch', values.batch)!;
  const warmup = positiveInt('warmup', values.warmup, 0)!;
  const threads = positiveInt('threads', values.threads);
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
  const stepsFor = (m: ModelKind) => stepsArg ?? DEFAULT_STEPS[m as (typeof BENCH_MODELS)[number]];

  if (values.child) {
    const r = await measure(models[0], shapes[0], batch, backends[0], threads, stepsFor(models[0]), warmup, repeat);
    process.stdout.write(`${LINE}${JSON.stringify(r)}\n`);
    return;
  }

  const py = values['no-torch'] ? null : findTorchPython();
  if (!values['no-torch'] && !py) process.stderr.write('PyTorch not found (python3 cannot import torch; set DIVE_BENCH_PYTHON): TF.js only\n');
  const rows: Row[] = [];
  for (const m of models) {
    for (const s of shapes) {
      const ours: Ours[] = [];
      for (const b of backends) {
        process.stderr.write(`${m} ${s} batch ${batch}: ${b}...\n`);
        const o = runOurs(m, s, batch, b, threads, stepsFor(m), warmup, repeat, timeoutSec);
        if (o) ours.push(o);
      }
      let t: TorchLine[] = [];
      if (py && ours.length) {
        process.stderr.write(`${m} ${s} batch ${batch}: torch (${py})...\n`);
        t = runTorch(py, m, s, batch, [...new Set(ours.map((o) => o.threads))], stepsFor(m), warmup, repeat);
      }
      rows.push(...ours.map((o) => combine(o, t)));
    }
  }
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ rows, torchPython: py })}\n`);
    return;
  }
  process.stdout.write(`${table(rows)}\n`);
  process.stdout.write('ratio = ours / PyTorch training img/s, at PyTorch\'s default thread count and at ours (thr)\n');
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof UserError ? e.message : e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
