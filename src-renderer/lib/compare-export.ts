// Compare's exports: a summary (one row per run: final figures and every config field), the
// per-epoch history in long format (one row per run and epoch, as pandas' read_csv and a
// groupby want it), per-class accuracy (one row per run and class), and JSON with everything.
// Missing values are empty cells (never a dash); accuracies are fractions rounded to 4 decimals
// (0.7786 = 77.86%, what the screen shows), losses and learning rates to 6 significant digits.
// Cells go through the domain's csvField (quoting, formula defusing), as the CLI's do.
import type { CompareRow } from '../../src-main/core/domain/contract';
import { toCsv, type Cell } from '../../src-main/core/domain/csv';
import type { RunInfo, SplitInfo } from '../../src-main/core/domain/types';
import { flattenValues } from './config-diff';
import { groupOf } from './groups';

/** `x` rounded to `digits` decimals; null, undefined and non-finite values stay empty. */
export function fixed(x: number | null | undefined, digits: number): number | null {
  return x === null || x === undefined || !Number.isFinite(x) ? null : Number(x.toFixed(digits));
}

/** `x` to `digits` significant digits (a learning rate of 1.2345678e-5 stays readable). */
export function significant(x: number | null | undefined, digits = 6): number | null {
  return x === null || x === undefined || !Number.isFinite(x) ? null : Number(x.toPrecision(digits));
}

const acc = (x: number | null | undefined) => fixed(x, 4);

const SUMMARY = ['run', 'status', 'method', 'model', 'split', 'dataset', 'teacher', 'params', 'epochs', 'top1', 'many', 'medium', 'few', 'ece'];

/** One row per run: identity, the final figures, then every config field (dotted keys, union over runs). */
export function comparisonCsv(runs: readonly RunInfo[], rows: readonly CompareRow[]): string {
  const byName = new Map(rows.map((r) => [r.run, r]));
  const flat = runs.map((r) => flattenValues(r.config));
  const cfgKeys = [...new Set(flat.flatMap((f) => Object.keys(f)))].sort();
  const body: Cell[][] = runs.map((run, i) => {
    const c = byName.get(run.name);
    return [
      run.name, run.status, run.method, run.model, run.split, run.dataset, run.teacher, c?.params || null, run.epochsDone,
      acc(c?.top1), acc(c?.many), acc(c?.medium), acc(c?.few), acc(c?.ece),
      ...cfgKeys.map((k) => flat[i][k] ?? null),
    ];
  });
  return toCsv([...SUMMARY, ...cfgKeys.map((k) => `config.${k}`)], body);
}

const HISTORY = ['run', 'method', 'split', 'seed', 'epoch', 'loss', 'lr', 'train_acc', 'test_acc', 'test_images', 'val_acc', 'seconds', 'images_per_sec'];

/** Long format: one row per run and logged epoch; test_acc is empty on epochs not evaluated. */
export function historyCsv(runs: readonly RunInfo[]): string {
  const body: Cell[][] = runs.flatMap((r) =>
    [...r.epochs]
      .sort((a, b) => a.epoch - b.epoch)
      .map((e) => [
        r.name, r.method, r.split, r.seed, e.epoch, significant(e.loss), significant(e.lr), acc(e.trainAcc), acc(e.testAcc),
        e.testAcc == null ? null : (e.testImages ?? null), acc(e.valAcc), fixed(e.seconds, 3), fixed(e.imagesPerSec, 1),
      ]),
  );
  return toCsv(HISTORY, body);
}

const PER_CLASS = ['run', 'method', 'split', 'seed', 'class_index', 'class', 'train_images', 'shot_group', 'test_accuracy'];

/** One row per run and class of its final metrics; a run without metrics has no rows. */
export function perClassCsv(runs: readonly RunInfo[], splitOf: (r: RunInfo) => SplitInfo | null, classNames: (r: RunInfo) => readonly string[]): string {
  const body: Cell[][] = runs.flatMap((r) => {
    const s = splitOf(r);
    const names = classNames(r);
    return (r.metrics?.perClass ?? []).map((a, c) => {
      const n = s?.counts[c] ?? null;
      return [r.name, r.method, r.split, r.seed, c, names[c] ?? null, n, s && n !== null ? groupOf(n, s.thresholds) : null, acc(a)];
    });
  });
  return toCsv(PER_CLASS, body);
}

/** Everything the screen shows, as one JSON document. */
export function comparisonJson(runs: readonly RunInfo[], rows: readonly CompareRow[], exportedAt: string): string {
  return JSON.stringify({ exportedAt, summary: rows, runs }, null, 2);
}
