// `npm run bench:parity -- --exact`: step-exact parity with PyTorch. Both engines start from the
// same initial weights (ours drawn by the seeded init, written as safetensors and read back on both
// sides, as --init-weights does), see the same batches in the same order (no augmentation; the
// per-epoch orders are handed to both), and take 100 SGD steps (momentum 0.9, weight decay 2e-4,
// batch 128 over the 1,236-image split, 10 epochs: per-step warm-up over the first, lr x0.01 at
// epochs 6 and 8, LDAM-DRW's re-weighting from epoch 8) for ce, bsce, ldam-drw, kd and dive; kd
// and dive distil the bsce cell's final weights (ours), loaded from one file on both sides.
// Prints every step's loss and learning rate on both sides, then per cell the relative loss
// difference at step 1, the largest over the 100 steps, and the largest weight difference at the
// end. Goal: <= 1e-4 relative at step 1, <= 1e-3 over the 100 steps.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseRunConfig, type ModelKind } from '../../src-main/core/domain/run-config';
import { UserError } from '../../src-main/core/domain/errors';
import type { Method } from '../../src-main/core/domain/method';
import { openStore } from '../../src-main/core/store/store';
import { channelStatsOf } from '../../src-main/core/train/augment';
import { asPixelSource } from '../../src-main/core/train/pixel-source';
import { selectBackend } from '../../src-main/core/train/backend';
import { epochOrder } from '../../src-main/core/train/batches';
import { loadSplitData } from '../../src-main/core/train/data';
import { trainRun } from '../../src-main/core/train/loop';
import { createModel, type Model } from '../../src-main/core/train/models';
import { Rng } from '../../src-main/core/rng';
import { readSafeTensorsFile, torchToOurs, writeTorchWeights } from '../../src-main/core/train/torch-weights';

const HERE = path.dirname(new URL(import.meta.url).pathname);
const TORCH = path.join(HERE, 'torch_exact.py');
export const EXACT_METHODS: Method[] = ['ce', 'bsce', 'ldam-drw', 'kd', 'dive'];
export const EXACT_MODELS: ModelKind[] = ['cnn', 'resnet8'];
export const GOAL = { first: 1e-4, all: 1e-3 };

export interface ExactCell {
  model: ModelKind;
  method: Method;
  ours: number[];
  torch: number[];
  lrOurs: number[];
  lrTorch: number[];
  /** |ours - torch| / |torch| at step 1, and the largest over every step (with its 1-based step) */
  first: number;
  worst: number;
  worstStep: number;
  /** largest |w_ours - w_torch| over every float tensor at the end, and its tensor */
  weightDiff: number;
  weightTensor: string;
  lrMismatch: number;
  /**
   * The float64 reference (null where not run: --float64 leaves the model out): PyTorch's same 100
   * steps in double precision. `floor` is PyTorch float32's own largest relative loss difference from
   * it (float32 rounding, amplified by training), `oursToExact` ours; weights likewise at the end.
   */
  exact: number[] | null;
  floor: number | null;
  oursToExact: number | null;
  weightFloor: number | null;
  weightOursToExact: number | null;
}

const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-12);

const worstOf = (a: number[], b: number[]) => a.reduce((m, v, i) => Math.max(m, rel(v, b[i])), 0);

/** Largest absolute difference between two safetensors files' float tensors (same names). */
function weightDiff(a: string, b: string): { diff: number; tensor: string } {
  const fa = readSafeTensorsFile(a);
  const fb = new Map(readSafeTensorsFile(b).tensors.map((t) => [t.name, t]));
  let diff = 0;
  let tensor = '';
  for (const t of fa.tensors) {
    if (t.name.endsWith('num_batches_tracked')) continue;
    const u = fb.get(t.name);
    if (!u || u.data.length !== t.data.length) throw new Error(`final weights: ${t.name} differs in shape`);
    for (let i = 0; i < t.data.length; i++) {
      const d = Math.abs(t.data[i] - u.data[i]);
      if (d > diff) [diff, tensor] = [d, t.name];
    }
  }
  return { diff, tensor };
}

export function exactTable(cells: ExactCell[]): string {
  const e = (x: number) => x.toExponential(1);
  const lines = [
    '| model | method | step-1 loss, ours / PyTorch | rel. diff step 1 | largest rel. diff, 100 steps (step) | largest weight diff at the end (tensor) | within goal | float64 reference: PyTorch fp32 / ours, largest rel. loss diff; weight diff |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const c of cells) {
    const ok = c.first <= GOAL.first && c.worst <= GOAL.all && c.lrMismatch === 0;
    const ref = c.floor === null || c.oursToExact === null || c.weightFloor === null || c.weightOursToExact === null ? 'not run' : `${e(c.floor)} / ${e(c.oursToExact)}; ${e(c.weightFloor)} / ${e(c.weightOursToExact)}`;
    lines.push(`| ${c.model} | ${c.method} | ${c.ours[0].toFixed(6)} / ${c.torch[0].toFixed(6)} | ${e(c.first)} | ${e(c.worst)} (${c.worstStep}) | ${e(c.weightDiff)} (${c.weightTensor}) | ${ok ? 'yes' : '**no**'} | ${ref} |`);
  }
  return lines.join('\n');
}

/**
 * Runs the cells not yet in `results` (a JSON file, appended after each cell: the bench can be
 * stopped and resumed), and answers every requested cell. `float64`: the models whose cells also
 * run PyTorch in double precision (slow for the ResNets: its double convolutions have no fast path).
 */
export async function exactParity(o: { work: string; db: string; splitFile: string; python: string; models: ModelKind[]; methods: Method[]; float64: ModelKind[]; results: string; log: (l: string) => void }): Promise<ExactCell[]> {
  const done: ExactCell[] = existsSync(o.results) ? (JSON.parse(readFileSync(o.results, 'utf8')) as ExactCell[]) : [];
  const have = (model: ModelKind, method: Method) => done.find((c) => c.model === model && c.method === method);
  const wanted = () => o.models.flatMap((model) => o.methods.map((method) => have(model, method)).filter((c): c is ExactCell => !!c));
  if (o.models.every((model) => o.methods.every((method) => have(model, method)))) return wanted();
  await selectBackend('wasm');
  const store = openStore({ db: o.db });
  let data;
  try {
    data = await loadSplitData(store, 'lt');
  } finally {
    store.close();
  }
  const n = data.trainLabels.length;
  const norm = channelStatsOf(asPixelSource(data.trainImages, data.imageShape[0] * data.imageShape[1] * data.imageShape[2]), data.imageShape);
  // one order per epoch, handed to both engines
  const orders = Array.from({ length: 10 }, (_, e) => epochOrder(n, new Rng(1000 + e)));
  const dir = path.join(o.work, 'exact');
  mkdirSync(dir, { recursive: true });
  for (const model of o.models) {
    let teacherFile: string | null = null;
    for (const method of o.methods) {
      // a finished cell is skipped; kd and dive still need the bsce cell's final weights on disk
      const bsceFile = path.join(dir, `${model}-bsce-ours.safetensors`);
      if (have(model, method)) {
        if (method === 'bsce' && existsSync(bsceFile)) teacherFile = bsceFile;
        continue;
      }
      const cfg = parseRunConfig({ method, model, epochs: 10, batchSize: 128, lr: 0.1, seed: 1, augment: { crop: false, flip: false }, evalEvery: 10, warmupForm: 'step' });
      if (Math.ceil(n / cfg.batchSize) * cfg.epochs !== 100) throw new UserError(`the split has ${n} images: not 100 steps at batch 128 over 10 epochs`);
      const spec = { kind: model, imageShape: data.imageShape, numClasses: data.numClasses, normHead: cfg.normHead };
      const meta = { model, imageShape: data.imageShape, numClasses: data.numClasses, normHead: cfg.normHead, ...norm };
      const info = { classNames: data.classNames, run: { bench: 'parity --exact', model, method }, steps: 0 };
      // the initial weights: our seeded init, through the safetensors file both sides read
      const fresh = createModel(spec, new Rng(cfg.seed).fork());
      const initFile = path.join(dir, `${model}-${method}-init.safetensors`);
      writeTorchWeights(initFile, meta, await fresh.snapshotAsync(), info);
      fresh.dispose();
      const init = torchToOurs(readSafeTensorsFile(initFile), spec, initFile);
      let teacher: Model | undefined;
      if (cfg.method === 'kd' || cfg.method === 'dive') {
        if (!teacherFile) throw new UserError(`${method} needs the bsce cell first (its final weights are the teacher)`);
        const tSpec = { ...spec, normHead: false };
        teacher = createModel(tSpec, new Rng(0));
        teacher.restore(torchToOurs(readSafeTensorsFile(teacherFile), tSpec, teacherFile));
      }
      const ours: number[] = [];
      const lrOurs: number[] = [];
      const r = await trainRun({
        config: cfg, data, init, order: (e) => orders[e], teacher, teacherNormalization: teacher ? norm : undefined,
        hooks: { onStep: (s) => (ours.push(s.loss), lrOurs.push(s.lr)) },
      });
      teacher?.dispose();
      if (r.status !== 'completed') throw new Error('the run stopped');
      const oursFile = path.join(dir, `${model}-${method}-ours.safetensors`);
      writeTorchWeights(oursFile, meta, r.weights, { ...info, steps: ours.length });
      if (method === 'bsce') teacherFile = oursFile;

      const cellFile = path.join(dir, `${model}-${method}.json`);
      writeFileSync(cellFile, JSON.stringify({
        model, method, imageShape: data.imageShape, normHead: cfg.normHead, params: cfg.params, lr: cfg.lr, momentum: cfg.momentum, weightDecay: cfg.weightDecay,
        batchSize: cfg.batchSize, epochs: cfg.epochs, warmupEpochs: cfg.warmupEpochs, milestones: cfg.milestones, gamma: cfg.gamma, mean: norm.mean, std: norm.std,
        orders: orders.map((x) => Array.from(x)),
      }));
      const torchRun = (dtype: 'float32' | 'float64') => {
        const out = path.join(dir, `${model}-${method}-torch-${dtype}.safetensors`);
        const args = [TORCH, '--cell', cellFile, '--split', o.splitFile, '--init', initFile, '--out', out, '--dtype', dtype, ...(teacherFile && (method === 'kd' || method === 'dive') ? ['--teacher', teacherFile] : [])];
        const p = spawnSync(o.python, args, { encoding: 'utf8', maxBuffer: 1 << 26 });
        if (p.status !== 0) throw new UserError(`torch_exact.py ${model} ${method} failed: ${(p.stderr || p.error?.message || '').trim().split('\n').pop()}`);
        return { file: out, ...(JSON.parse(p.stdout.trim().split('\n').pop() ?? '{}') as { losses: number[]; lrs: number[] }) };
      };
      const t = torchRun('float32');
      const t64 = o.float64.includes(model) ? torchRun('float64') : null;
      const torchFile = t.file;
      let worst = 0;
      let worstStep = 0;
      t.losses.forEach((v, i) => {
        const d = rel(ours[i], v);
        if (d > worst) [worst, worstStep] = [d, i + 1];
      });
      const lrMismatch = lrOurs.filter((lr, i) => rel(lr, t.lrs[i]) > 1e-12).length + Math.abs(lrOurs.length - t.lrs.length);
      const w = weightDiff(oursFile, torchFile);
      const cell: ExactCell = {
        model, method, ours, torch: t.losses, lrOurs, lrTorch: t.lrs, first: rel(ours[0], t.losses[0]), worst, worstStep, weightDiff: w.diff, weightTensor: w.tensor, lrMismatch,
        exact: t64 ? t64.losses : null, floor: t64 ? worstOf(t.losses, t64.losses) : null, oursToExact: t64 ? worstOf(ours, t64.losses) : null,
        weightFloor: t64 ? weightDiff(torchFile, t64.file).diff : null, weightOursToExact: t64 ? weightDiff(oursFile, t64.file).diff : null,
      };
      done.push(cell);
      writeFileSync(o.results, `${JSON.stringify(done)}\n`);
      o.log(`${model} ${method}: step 1 ${cell.first.toExponential(2)}, worst ${worst.toExponential(2)} at step ${worstStep}, weights ${w.diff.toExponential(2)} (${w.tensor})${lrMismatch ? `, ${lrMismatch} learning rates differ` : ''}${cell.floor !== null && cell.oursToExact !== null ? `; against float64: PyTorch ${cell.floor.toExponential(2)}, ours ${cell.oursToExact.toExponential(2)}` : ''}`);
    }
  }
  return wanted();
}

/** Every step of every cell: step, lr, loss ours, loss PyTorch, relative difference. */
export function stepListing(cells: ExactCell[]): string {
  const out: string[] = [];
  for (const c of cells) {
    out.push(`${c.model} ${c.method}: step, lr, loss ours, loss PyTorch, rel. diff, loss PyTorch float64`);
    c.ours.forEach((v, i) => out.push(`  ${i + 1} ${c.lrOurs[i].toPrecision(6)} ${v.toFixed(7)} ${c.torch[i].toFixed(7)} ${rel(v, c.torch[i]).toExponential(2)} ${c.exact ? c.exact[i].toFixed(7) : '-'}`));
  }
  return out.join('\n');
}
