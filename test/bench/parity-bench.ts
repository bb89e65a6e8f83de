// Accuracy parity with PyTorch: the same Fashion-MNIST-LT split (exp, rho 100, n_max 500,
// 1,236 images, carved by the workbench and exported by index), the same recipe (Balanced Softmax,
// SGD 0.9, wd 2e-4, batch 128, lr 0.1, linear warm-up, x0.01 at 60% and 80%), trained by our
// engine (wasm backend, in this process) and by test/bench/torch_parity.py, final-epoch top-1 on
// the 10,000 test images. Prints mean and std over seeds side by side and ours minus theirs.
// Goal (docs/fidelity.md): every cell within max(2 points, 1 std) of PyTorch.
//
// Step-exact mode (parity-exact.ts): npm run bench:parity -- --exact [--models cnn,resnet8] [--methods ce,bsce,ldam-drw,kd,dive]
//   [--float64 cnn,resnet8|none] [--results FILE]; finished cells are kept in test/bench/parity-exact-results.json
//
// Run: npm run bench:parity -- [--models mlp,cnn,resnet8] [--epochs 10,60] [--augment none,crop+flip]
//        [--seeds 1,2,3] [--warmup-form step[,epoch]] [--engines ours,torch] [--results FILE]
//        [--work DIR] [--table] [--json]
//
// Resumable: every finished (engine, model, epochs, augment, warm-up form, seed) cell is appended
// to the results file (default test/bench/parity-results.json) and skipped on the next run;
// --table prints the table from that file without training anything.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { UserError } from '../../src-main/core/domain/errors';
import { splitIndices } from '../../src-main/core/store/splits';
import { openStore } from '../../src-main/core/store/store';
import { selectBackend } from '../../src-main/core/train/backend';
import { defaultMilestones, defaultWarmupEpochs, parseRunConfig, type ModelKind, type WarmupForm } from '../../src-main/core/domain/run-config';
import { loadSplitData, type SplitData } from '../../src-main/core/train/data';
import { trainRun } from '../../src-main/core/train/loop';
import { welchDifference, type WelchDifference } from '../../src-main/core/eval/seed-stats';
import { EXACT_METHODS, EXACT_MODELS, exactParity, exactTable, stepListing } from './parity-exact';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.join(HERE, '..', '..');
const DIVE = path.join(ROOT, 'src-main', 'cli', 'dive.mjs');
const TORCH = path.join(HERE, 'torch_parity.py');
const FMNIST = '/usr/share/datasets/fashion-mnist';
const AUGMENTS = ['none', 'crop+flip'] as const;
type Augment = (typeof AUGMENTS)[number];
const MODELS: ModelKind[] = ['mlp', 'cnn', 'resnet8'];

interface Cell {
  engine: 'ours' | 'torch';
  model: ModelKind;
  epochs: number;
  augment: Augment;
  warmupForm: WarmupForm;
  seed: number;
}
interface Result extends Cell {
  top1: number;
  many: number | null;
  medium: number | null;
  few: number | null;
  seconds: number;
  at: string;
}

const key = (c: Cell) => [c.engine, c.model, c.epochs, c.augment, c.warmupForm, c.seed].join('|');

function list<T extends string>(name: string, v: string | undefined, allowed: readonly T[], dflt: T[]): T[] {
  if (v === undefined) return dflt;
  const out = v.split(',').map((s) => s.trim()).filter(Boolean);
  for (const x of out) if (!allowed.includes(x as T)) throw new UserError(`--${name}: unknown value '${x}' (use ${allowed.join(', ')})`);
  return out as T[];
}
function ints(name: string, v: string | undefined, dflt: number[]): number[] {
  if (v === undefined) return dflt;
  const out = v.split(',').map(Number);
  if (!out.length || out.some((n) => !Number.isInteger(n) || n < 1)) throw new UserError(`--${name}: expected whole numbers >= 1 separated by commas, got '${v}'`);
  return out;
}

function run(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new UserError(`${path.basename(args[0] ?? cmd)} ${args.slice(1, 4).join(' ')} failed: ${(r.stderr || r.error?.message || '').trim().split('\n').pop()}`);
  return r.stdout;
}

/** The workbench's own import and split, through the CLI as a user would; the split exported by index. */
function prepare(work: string): { db: string; splitFile: string } {
  mkdirSync(work, { recursive: true });
  const db = path.join(work, 'dive.sqlite');
  const splitFile = path.join(work, 'split.json');
  if (!existsSync(splitFile)) {
    if (!existsSync(FMNIST)) throw new UserError(`${FMNIST} not found: apt-get install dataset-fashion-mnist`);
    run(process.execPath, [DIVE, '--db', db, 'import', 'fashion-mnist']);
    run(process.execPath, [DIVE, '--db', db, 'split', '--dataset', 'fashion-mnist', '--name', 'lt', '--ratio', '100', '--max-per-class', '500']);
    const store = openStore({ db });
    try {
      const indices = Array.from(splitIndices(store, 'lt'));
      const counts = (JSON.parse(run(process.execPath, [DIVE, '--db', db, 'splits', '--json'])) as { name: string; counts: number[] }[]).find((s) => s.name === 'lt')!.counts;
      writeFileSync(splitFile, JSON.stringify({ folder: FMNIST, indices, counts }));
    } finally {
      store.close();
    }
  }
  return { db, splitFile };
}

function scheduleArgs(epochs: number) {
  return { warmup: defaultWarmupEpochs(epochs), milestones: defaultMilestones(epochs) };
}

async function ours(c: Cell, data: SplitData): Promise<Omit<Result, keyof Cell | 'at'>> {
  const s = scheduleArgs(c.epochs);
  const config = parseRunConfig({
    method: 'bsce', model: c.model, epochs: c.epochs, batchSize: 128, lr: 0.1, seed: c.seed, warmupEpochs: s.warmup, milestones: s.milestones,
    warmupForm: c.warmupForm, augment: { crop: c.augment !== 'none', flip: c.augment !== 'none' }, evalEvery: c.epochs,
  });
  const t0 = performance.now();
  const r = await trainRun({ config, data });
  if (r.status !== 'completed') throw new Error('the run stopped');
  return { top1: r.final.top1, many: r.final.many, medium: r.final.medium, few: r.final.few, seconds: (performance.now() - t0) / 1000 };
}

/** The first Python that imports torch: $DIVE_BENCH_PYTHON, python3, /usr/bin/python3, python (as train-bench.ts). */
function findTorchPython(): string {
  const candidates = [process.env.DIVE_BENCH_PYTHON, 'python3', '/usr/bin/python3', 'python'].filter((p): p is string => !!p);
  for (const py of candidates) if (spawnSync(py, ['-c', 'import torch'], { stdio: 'ignore', timeout: 60_000 }).status === 0) return py;
  throw new UserError('no Python here imports torch: apt-get install python3-torch, or set DIVE_BENCH_PYTHON (or run --engines ours)');
}

function torch(py: string, c: Cell, splitFile: string): Omit<Result, keyof Cell | 'at'> {
  const s = scheduleArgs(c.epochs);
  const t0 = performance.now();
  const out = run(py, [TORCH, '--split', splitFile, '--model', c.model, '--epochs', String(c.epochs), '--augment', c.augment, '--warmup-form', c.warmupForm,
    '--warmup', String(s.warmup), '--milestones', s.milestones.join(','), '--seed', String(c.seed)]);
  const j = JSON.parse(out.trim().split('\n').pop() ?? '{}') as { top1: number; many: number | null; medium: number | null; few: number | null };
  return { top1: j.top1, many: j.many, medium: j.medium, few: j.few, seconds: (performance.now() - t0) / 1000 };
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
/** sample standard deviation (n - 1); 0 for one value */
const std = (xs: number[]) => (xs.length < 2 ? 0 : Math.sqrt(xs.reduce((a, x) => a + (x - mean(xs)) ** 2, 0) / (xs.length - 1)));
const pts = (x: number) => (x * 100).toFixed(1);

export interface TableRow {
  model: string;
  epochs: number;
  augment: string;
  warmupForm: string;
  ours: number[];
  torch: number[];
  /** ours minus torch, in accuracy units; null until both sides have a seed */
  diff: number | null;
  /** |diff| <= max(0.02, the larger std) */
  withinGoal: boolean | null;
}

/** Rows per (model, epochs, augmentation, warm-up form); `grid` adds rows for requested cells with no result yet. */
export function table(results: Result[], grid: Omit<Cell, 'engine' | 'seed'>[] = []): TableRow[] {
  const groups = new Map<string, TableRow>();
  for (const g of grid) {
    const k = [g.model, g.epochs, g.augment, g.warmupForm].join('|');
    if (!groups.has(k)) groups.set(k, { model: g.model, epochs: g.epochs, augment: g.augment, warmupForm: g.warmupForm, ours: [], torch: [], diff: null, withinGoal: null });
  }
  for (const r of results) {
    const k = [r.model, r.epochs, r.augment, r.warmupForm].join('|');
    const row = groups.get(k) ?? { model: r.model, epochs: r.epochs, augment: r.augment, warmupForm: r.warmupForm, ours: [], torch: [], diff: null, withinGoal: null };
    row[r.engine].push(r.top1);
    groups.set(k, row);
  }
  const rows = [...groups.values()];
  for (const row of rows) {
    if (row.ours.length && row.torch.length) {
      row.diff = mean(row.ours) - mean(row.torch);
      row.withinGoal = Math.abs(row.diff) <= Math.max(0.02, std(row.ours), std(row.torch));
    }
  }
  const order = (r: TableRow) => [MODELS.indexOf(r.model as ModelKind), r.epochs, r.augment, r.warmupForm].join('|');
  return rows.sort((a, b) => MODELS.indexOf(a.model as ModelKind) - MODELS.indexOf(b.model as ModelKind) || a.epochs - b.epochs || order(a).localeCompare(order(b)));
}

export function markdown(rows: TableRow[]): string {
  const side = (xs: number[]) => (xs.length ? `${pts(mean(xs))} ± ${pts(std(xs))} (${xs.length})` : 'not run');
  // the table's rows: what was asked for (the default grid) and whatever else the results file holds
  const lines = [
    '| model | epochs | augmentation | warm-up | ours: mean ± std (seeds) | PyTorch: mean ± std (seeds) | ours − PyTorch | within goal |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const r of rows) {
    lines.push(`| ${r.model} | ${r.epochs} | ${r.augment} | per ${r.warmupForm} | ${side(r.ours)} | ${side(r.torch)} | ${r.diff === null ? '-' : (r.diff >= 0 ? '+' : '') + pts(r.diff)} | ${r.withinGoal === null ? '-' : r.withinGoal ? 'yes' : '**no**'} |`);
  }
  return lines.join('\n');
}

/**
 * Ours minus PyTorch per cell with its 95% Welch interval (the two engines' seeds are independent
 * samples: each draws its own initial weights and batch order), and pooled over the cells: the
 * average of the cells' differences with its Welch–Satterthwaite interval (seed-stats.ts).
 */
export function intervalTable(rows: TableRow[]): string {
  const both = rows.filter((r) => r.ours.length >= 2 && r.torch.length >= 2);
  const fmt = (w: WelchDifference | null) => (w ? `${w.mean >= 0 ? '+' : ''}${pts(w.mean)} [${pts(w.lo)}, ${pts(w.hi)}]` : '-');
  const lines = ['| model | epochs | augmentation | warm-up | seeds (ours / PyTorch) | ours − PyTorch, points [95% interval] |', '|---|---|---|---|---|---|'];
  for (const r of both) lines.push(`| ${r.model} | ${r.epochs} | ${r.augment} | per ${r.warmupForm} | ${r.ours.length} / ${r.torch.length} | ${fmt(welchDifference([{ a: r.ours, b: r.torch }]))} |`);
  const pooled = welchDifference(both.map((r) => ({ a: r.ours, b: r.torch })));
  lines.push(`| **pooled** (${both.length} cells, mean of the differences) | | | | ${both.reduce((s, r) => s + r.ours.length, 0)} / ${both.reduce((s, r) => s + r.torch.length, 0)} | **${fmt(pooled)}** |`);
  return lines.join('\n');
}

async function main(): Promise<void> {
  const { values: o } = parseArgs({
    options: {
      models: { type: 'string' }, epochs: { type: 'string' }, augment: { type: 'string' }, seeds: { type: 'string' }, 'warmup-form': { type: 'string' },
      engines: { type: 'string' }, results: { type: 'string' }, work: { type: 'string' }, table: { type: 'boolean' }, json: { type: 'boolean' },
      exact: { type: 'boolean' }, methods: { type: 'string' }, float64: { type: 'string' },
    },
  });
  if (o.exact) {
    const { db, splitFile } = prepare(o.work ?? path.join(tmpdir(), 'dive-parity'));
    const cells = await exactParity({
      work: o.work ?? path.join(tmpdir(), 'dive-parity'), db, splitFile, python: findTorchPython(),
      models: list('models', o.models, MODELS, EXACT_MODELS), methods: list('methods', o.methods, EXACT_METHODS, EXACT_METHODS),
      float64: o.float64 === 'none' ? [] : list('float64', o.float64, MODELS, EXACT_MODELS),
      results: o.results ?? path.join(HERE, 'parity-exact-results.json'),
      log: (l) => process.stderr.write(`${l}\n`),
    });
    process.stdout.write(o.json ? `${JSON.stringify(cells)}\n` : `${stepListing(cells)}\n\n${exactTable(cells)}\n`);
    return;
  }
  const resultsFile = o.results ?? path.join(HERE, 'parity-results.json');
  const results: Result[] = existsSync(resultsFile) ? (JSON.parse(readFileSync(resultsFile, 'utf8')) as Result[]) : [];
  const models = list('models', o.models, MODELS, MODELS);
  const epochs = ints('epochs', o.epochs, [10, 60]);
  const augments = list('augment', o.augment, AUGMENTS, [...AUGMENTS]);
  const seeds = ints('seeds', o.seeds, [1, 2, 3]);
  const forms = list('warmup-form', o['warmup-form'], ['step', 'epoch'] as const, ['step']);
  const engines = list('engines', o.engines, ['ours', 'torch'] as const, ['ours', 'torch']);
  const grid = epochs.flatMap((ep) => models.flatMap((model) => augments.flatMap((augment) => forms.map((warmupForm) => ({ model, epochs: ep, augment, warmupForm })))));
  if (!o.table) {
    const { db, splitFile } = prepare(o.work ?? path.join(tmpdir(), 'dive-parity'));
    const done = new Set(results.map(key));
    let data: SplitData | null = null;
    const py = engines.includes('torch') ? findTorchPython() : '';
    // cheapest cells first, so that an interrupted run has covered the most ground
    for (const ep of [...epochs].sort((a, b) => a - b)) for (const model of models) for (const augment of augments) for (const warmupForm of forms) for (const seed of seeds) for (const engine of engines) {
      const cell: Cell = { engine, model, epochs: ep, augment, warmupForm, seed };
      if (done.has(key(cell))) continue;
      let r: Omit<Result, keyof Cell | 'at'>;
      if (engine === 'ours') {
        if (!data) {
          await selectBackend('wasm');
          const store = openStore({ db });
          try {
            data = await loadSplitData(store, 'lt');
          } finally {
            store.close();
          }
        }
        r = await ours(cell, data);
      } else {
        r = torch(py, cell, splitFile);
      }
      results.push({ ...cell, ...r, at: new Date().toISOString() });
      writeFileSync(resultsFile, `${JSON.stringify(results, null, 1)}\n`);
      process.stderr.write(`${key(cell)}: top-1 ${pts(r.top1)}% in ${r.seconds.toFixed(0)} s\n`);
    }
  }
  const rows = table(results, grid);
  process.stdout.write(o.json ? `${JSON.stringify(rows)}\n` : `${markdown(rows)}\n\n${intervalTable(rows)}\n`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e: unknown) => {
    process.stderr.write(`bench:parity: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
}
