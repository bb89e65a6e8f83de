// Where one training step's time goes, ours on a chosen backend beside PyTorch, per kernel group:
// convolution forward, convolution gradients (filter and input), everything else (batch norm,
// element-wise ops, pooling, loss, optimizer). Figures to read, not assertions.
// Run: npm run bench:profile -- [--model resnet8] [--shape 32x32x3] [--batch 128] [--threads 1]
//        [--backend wasm] [--steps 3] [--warmup 2] [--top 15] [--no-torch]
//
// Ours: the training step of train-bench-child.ts under tf.profile, each kernel call's own time
// (step-profile-timer.ts: a kernel run inside another, as in a custom gradient, is not counted
// twice) by wall clock and by process CPU time, summed per kernel name, per group and per layer
// (each convolution's forward pass, input gradient and filter gradient, and batch norm, by shape).
// PyTorch: torch_profile.py, the same model and step under torch.autograd.profiler (self CPU time
// per operator, which is wall clock per call), per group and per layer. On a busy machine wall
// clock inflates on both sides; with one thread our CPU-time column is steady under load, and the
// step's CPU time is printed beside its wall time on both sides. With several threads, CPU / wall
// per kernel is the parallelism it reached (on a quiet machine). Last, each distinct forward
// convolution of the step is timed alone on both sides by process CPU time (ms and GFLOP/s; with
// one thread, steady under load): the arithmetic speed of the backend's convolution.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { UserError } from '../../src-main/core/domain/errors';
import { BACKENDS, type ModelKind } from '../../src-main/core/domain/run-config';
import { Rng } from '../../src-main/core/rng';
import { selectBackend, type BackendName } from '../../src-main/core/train/backend';
import { createModel } from '../../src-main/core/train/models';
import { Sgd } from '../../src-main/core/train/optim';
import { BENCH_MODELS, parseShape, positiveInt } from './train-bench-args';
import { syntheticBatches, trainStep } from './train-bench-step';
import { findTorchPython } from './train-bench-runners';
import { CLASSES, SGD } from './train-bench-types';
import { layerOf, selfTimer, type CallTime } from './step-profile-timer';

const TORCH_PROFILE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'torch_profile.py');
type Group = 'conv_forward' | 'conv_grad' | 'other';
const GROUPS: readonly Group[] = ['conv_forward', 'conv_grad', 'other'];
const GROUP_TEXT: Record<Group, string> = { conv_forward: 'convolution forward', conv_grad: 'convolution gradients', other: 'everything else' };

function groupOf(kernel: string): Group {
  if (kernel === tf.Conv2D || kernel === tf.FusedConv2D) return 'conv_forward';
  if (kernel === tf.Conv2DBackpropFilter || kernel === tf.Conv2DBackpropInput) return 'conv_grad';
  return 'other';
}

interface TorchProfile {
  torch: string;
  step_ms: number;
  cpu_ms: number;
  groups_ms: Record<Group, number>;
  /** forward convolution alone, per entry of `convs` */
  conv_ms: number[];
  /** self time per layer (layerOf's names) and part: forward, gradients (input and filter together), batch norm */
  layers: Record<string, Partial<Record<'forward' | 'grads' | 'batch norm', number>>>;
}

type LayerPart = 'forward' | 'input grad' | 'filter grad' | 'batch norm';
type Sum = CallTime & { calls: number };
const zero = (): Sum => ({ wallMs: 0, cpuMs: 0, calls: 0 });

function addTo(e: Sum, t: CallTime & { calls?: number }, steps: number): void {
  e.wallMs += t.wallMs / steps;
  e.cpuMs += t.cpuMs / steps;
  e.calls += (t.calls ?? 1) / steps;
}

function add(m: Map<string, Sum>, key: string, t: CallTime, steps: number): void {
  const e = m.get(key) ?? zero();
  m.set(key, e);
  addTo(e, t, steps);
}

/** Per layer, ours (wall / CPU ms per step) beside PyTorch (wall), the convolutions' gradients together. */
function printLayers(perLayer: Map<string, Record<LayerPart, Sum>>, torch: TorchProfile | null): void {
  const f = (e: Sum) => (e.calls ? `${e.wallMs.toFixed(1)} / ${e.cpuMs.toFixed(1)}` : '-');
  const t = (v: number | undefined) => (v === undefined ? '-' : v.toFixed(1));
  process.stdout.write(`\nper layer, ms per step (ours: wall / CPU; PyTorch: wall)     calls  forward ours  PyTorch   input grad ours  filter grad ours  grads PyTorch\n`);
  for (const [layer, p] of perLayer) {
    const tl = torch?.layers[layer];
    const calls = Math.max(p.forward.calls, p['batch norm'].calls);
    if (layer.startsWith('batch norm')) {
      process.stdout.write(`${layer.padEnd(58)}  ${calls.toFixed(0).padStart(5)}  ${f(p['batch norm']).padStart(12)}  ${t(tl?.['batch norm']).padStart(7)}   (forward and backward)\n`);
    } else {
      process.stdout.write(`${layer.padEnd(58)}  ${calls.toFixed(0).padStart(5)}  ${f(p.forward).padStart(12)}  ${t(tl?.forward).padStart(7)}  ${f(p['input grad']).padStart(16)}  ${f(p['filter grad']).padStart(16)}  ${t(tl?.grads).padStart(13)}\n`);
    }
  }
}

/** A forward convolution of the step: [n, h, w, ci, co, k, stride] (padding (k - 1) / 2, as layers.ts). */
type ConvSpec = [number, number, number, number, number, number, number];

const convFlops = ([n, h, w, ci, co, k, stride]: ConvSpec) => 2 * n * Math.ceil(h / stride) * Math.ceil(w / stride) * k * k * ci * co;

/**
 * The least process CPU time of a few forward convolutions of that shape on the current backend,
 * in ms: with one thread that is the convolution's own time even when other work shares the cores.
 */
async function convMs([n, h, w, ci, co, k, stride]: ConvSpec, reps = 5): Promise<number> {
  const x = tf.randomNormal([n, h, w, ci]) as tf.Tensor4D;
  const f = tf.randomNormal([k, k, ci, co]) as tf.Tensor4D;
  let best = Infinity;
  try {
    for (let r = 0; r < reps + 2; r++) {
      const c0 = process.cpuUsage();
      const y = tf.conv2d(x, f, stride, (k - 1) / 2);
      // CPU backends compute the output before returning; reading it back would time an 8 MB copy too
      if (tf.getBackend() === 'webgpu') await y.data();
      const c = process.cpuUsage(c0);
      y.dispose();
      if (r >= 2) best = Math.min(best, (c.user + c.system) / 1000);
    }
  } finally {
    x.dispose();
    f.dispose();
  }
  return best;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      model: { type: 'string', default: 'resnet8' },
      shape: { type: 'string', default: '32x32x3' },
      batch: { type: 'string', default: '128' },
      threads: { type: 'string', default: '1' },
      backend: { type: 'string', default: 'wasm' },
      steps: { type: 'string', default: '3' },
      warmup: { type: 'string', default: '2' },
      top: { type: 'string', default: '15' },
      'no-torch': { type: 'boolean', default: false },
    },
  });
  const kind = values.model as ModelKind;
  if (!(BENCH_MODELS as readonly string[]).includes(kind)) throw new UserError(`--model: unknown model '${values.model}' (use ${BENCH_MODELS.join(', ')})`);
  const backend = values.backend as BackendName;
  if (!(BACKENDS as readonly string[]).includes(backend)) throw new UserError(`--backend: unknown backend '${values.backend}' (use ${BACKENDS.join(', ')})`);
  const shape = parseShape(values.shape!);
  const batch = positiveInt('batch', values.batch)!;
  const threads = positiveInt('threads', values.threads)!;
  const steps = positiveInt('steps', values.steps)!;
  const warmup = positiveInt('warmup', values.warmup, 0)!;
  const top = positiveInt('top', values.top)!;

  const report = await selectBackend(backend, { threads });
  const root = new Rng(0);
  const model = createModel({ kind, imageShape: shape, numClasses: CLASSES }, root.fork());
  const opt = new Sgd(model.params, { momentum: SGD.momentum, weightDecay: SGD.weightDecay });
  const [data] = syntheticBatches(root.fork(), batch, shape);
  const classCounts = new Array<number>(CLASSES).fill(batch);
  const perKernel = new Map<string, Sum>();
  const perLayer = new Map<string, Record<LayerPart, Sum>>();
  const convs = new Map<string, ConvSpec>();
  let wallMs = 0;
  let cpuMs = 0;
  try {
    for (let i = 0; i < warmup; i++) await trainStep(model, opt, data, classCounts);
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    for (let i = 0; i < steps; i++) await trainStep(model, opt, data, classCounts);
    const cu = process.cpuUsage(c0);
    wallMs = (performance.now() - t0) / steps;
    cpuMs = (cu.user + cu.system) / 1000 / steps;
    for (let i = 0; i < steps; i++) {
      const timer = selfTimer(tf.backend());
      const info = await tf.profile(async () => void (await trainStep(model, opt, data, classCounts))).finally(timer.restore);
      if (timer.times.length !== info.kernels.length) throw new Error(`profile: ${info.kernels.length} kernels but ${timer.times.length} timings`);
      info.kernels.forEach((k, j) => {
        const t = timer.times[j];
        add(perKernel, k.name, t, steps);
        const l = layerOf(k.name, k.inputShapes, k.outputShapes);
        if (l) {
          const row = perLayer.get(l.layer) ?? { forward: zero(), 'input grad': zero(), 'filter grad': zero(), 'batch norm': zero() };
          perLayer.set(l.layer, row);
          addTo(row[l.part], t, steps);
        }
        if (k.name === tf.Conv2D && k.inputShapes.length >= 2 && k.outputShapes.length >= 1) {
          const [[n, h, w, ci], [kh, , , co], [, oh]] = [k.inputShapes[0]!, k.inputShapes[1]!, k.outputShapes[0]];
          const spec: ConvSpec = [n, h, w, ci, co, kh, Math.round(h / oh)];
          convs.set(spec.join(), spec);
        }
      });
    }
  } finally {
    opt.dispose();
    model.dispose();
  }
  const convSpecs = [...convs.values()];
  const oursConv: number[] = [];
  for (const spec of convSpecs) oursConv.push(await convMs(spec));

  const total = [...perKernel.values()].reduce((a, e) => a + e.wallMs, 0);
  const totalCpu = [...perKernel.values()].reduce((a, e) => a + e.cpuMs, 0);
  const ours: Record<Group, Sum> = { conv_forward: zero(), conv_grad: zero(), other: zero() };
  for (const [name, e] of perKernel) addTo(ours[groupOf(name)], e, 1);
  process.stdout.write(`${kind} ${values.shape} batch ${batch}, ${report.detail}: step ${wallMs.toFixed(0)} ms wall, ${cpuMs.toFixed(0)} ms CPU; profiled kernels ${total.toFixed(0)} ms wall, ${totalCpu.toFixed(0)} ms CPU; load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}\n\n`);
  process.stdout.write('wall ms  CPU ms  calls  share  kernel (each call\'s own time, per step)\n');
  for (const [name, e] of [...perKernel].sort((a, b) => b[1].cpuMs - a[1].cpuMs).slice(0, top)) {
    process.stdout.write(`${e.wallMs.toFixed(1).padStart(7)}  ${e.cpuMs.toFixed(1).padStart(6)}  ${e.calls.toFixed(0).padStart(5)}  ${((100 * e.cpuMs) / totalCpu).toFixed(0).padStart(4)}%  ${name}\n`);
  }

  let torch: TorchProfile | null = null;
  const py = values['no-torch'] ? null : findTorchPython();
  if (py) {
    const r = spawnSync(py, [TORCH_PROFILE, '--model', kind, '--shape', values.shape!, '--batch', String(batch), '--threads', String(threads), '--steps', String(steps), '--warmup', String(warmup), '--convs', JSON.stringify(convSpecs)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    const line = (r.stdout ?? '').split('\n').find((l) => l.startsWith('{'));
    if (r.status === 0 && line) torch = JSON.parse(line) as TorchProfile;
    else process.stderr.write(`torch profile failed (exit ${r.status ?? r.signal})\n`);
  } else if (!values['no-torch']) process.stderr.write('PyTorch not found (python3 cannot import torch; set DIVE_BENCH_PYTHON): ours only\n');

  process.stdout.write(`\ngroup                   ours wall ms  ours CPU ms  ${torch ? `PyTorch ${torch.torch} ms  ours / PyTorch (wall)` : ''}\n`);
  for (const g of GROUPS) {
    const t = torch?.groups_ms[g];
    process.stdout.write(`${GROUP_TEXT[g].padEnd(22)}  ${ours[g].wallMs.toFixed(0).padStart(12)}  ${ours[g].cpuMs.toFixed(0).padStart(11)}  ${t === undefined ? '' : `${t.toFixed(0).padStart(10)}  ${(ours[g].wallMs / t).toFixed(2).padStart(21)}`}\n`);
  }
  if (torch) {
    process.stdout.write(`${'step (wall)'.padEnd(22)}  ${wallMs.toFixed(0).padStart(12)}  ${''.padStart(11)}  ${torch.step_ms.toFixed(0).padStart(10)}  ${(wallMs / torch.step_ms).toFixed(2).padStart(21)}\n`);
    process.stdout.write(`${'step (CPU time)'.padEnd(22)}  ${''.padStart(12)}  ${cpuMs.toFixed(0).padStart(11)}  ${torch.cpu_ms.toFixed(0).padStart(10)}  ${(cpuMs / torch.cpu_ms).toFixed(2).padStart(21)}\n`);
  }
  printLayers(perLayer, torch);
  printConvs(convSpecs, oursConv, torch);
}

function printConvs(specs: ConvSpec[], ours: number[], torch: TorchProfile | null): void {
  process.stdout.write(`\nforward convolution alone (least CPU time of 5)  ours ms  GFLOP/s${torch ? '   PyTorch ms  GFLOP/s  ours / PyTorch time' : ''}\n`);
  specs.forEach((spec, i) => {
    const [n, h, w, ci, co, k, stride] = spec;
    const gf = (ms: number) => (convFlops(spec) / ms / 1e6).toFixed(0);
    const label = `${n}x${h}x${w}x${ci} -> ${co}, ${k}x${k}/${stride}`;
    const t = torch?.conv_ms[i];
    process.stdout.write(`${label.padEnd(46)}  ${ours[i].toFixed(1).padStart(7)}  ${gf(ours[i]).padStart(7)}${t === undefined ? '' : `  ${t.toFixed(1).padStart(11)}  ${gf(t).padStart(7)}  ${(ours[i] / t).toFixed(2).padStart(19)}`}\n`);
  });
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof UserError ? e.message : e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
