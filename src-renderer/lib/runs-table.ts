// The runs table's data: columns, sorting and filtering, independent of the DOM.
import type { RunSummary } from '../../src-main/core/domain/types';
import type { Annotation } from '../../src-main/core/domain/notes';
import { notesMatch } from './tags';
import { meets, parseQuery } from './run-query';

export type ColumnKey =
  | 'name' | 'status' | 'method' | 'model' | 'split' | 'dataset' | 'teacher' | 'epochs'
  | 'top1' | 'many' | 'medium' | 'few' | 'warnings' | 'ece' | 'speed' | 'backend' | 'created'
  | 'study' | 'seed' | 'lr' | 'batch' | 'tau' | 'power' | 'alpha';

export interface Column {
  key: ColumnKey;
  label: string;
  numeric: boolean;
  /** shown until the user chooses otherwise */
  default: boolean;
}

export const COLUMNS: readonly Column[] = [
  { key: 'name', label: 'Run', numeric: false, default: true },
  { key: 'status', label: 'Status', numeric: false, default: true },
  { key: 'method', label: 'Method', numeric: false, default: true },
  { key: 'model', label: 'Model', numeric: false, default: true },
  { key: 'split', label: 'Split', numeric: false, default: true },
  { key: 'dataset', label: 'Dataset', numeric: false, default: false },
  { key: 'teacher', label: 'Teacher', numeric: false, default: false },
  { key: 'epochs', label: 'Epochs', numeric: true, default: true },
  { key: 'top1', label: 'Top-1', numeric: true, default: true },
  { key: 'many', label: 'Many', numeric: true, default: true },
  { key: 'medium', label: 'Medium', numeric: true, default: true },
  { key: 'few', label: 'Few', numeric: true, default: true },
  { key: 'warnings', label: 'Warnings', numeric: true, default: false },
  { key: 'ece', label: 'ECE', numeric: true, default: false },
  { key: 'speed', label: 'img/s', numeric: true, default: false },
  { key: 'backend', label: 'Backend', numeric: false, default: false },
  { key: 'created', label: 'Created', numeric: false, default: false },
  // hyper-parameters, as W&B's run table offers config columns
  { key: 'study', label: 'Study', numeric: false, default: false },
  { key: 'seed', label: 'Seed', numeric: true, default: false },
  { key: 'lr', label: 'LR', numeric: true, default: false },
  { key: 'batch', label: 'Batch', numeric: true, default: false },
  { key: 'tau', label: 'T', numeric: true, default: false },
  { key: 'power', label: 'p', numeric: true, default: false },
  { key: 'alpha', label: 'α', numeric: true, default: false },
];

/** kd / dive read T and alpha, dive p: other methods show no value rather than an unused default */
const USES: Partial<Record<ColumnKey, readonly string[]>> = { tau: ['kd', 'dive'], alpha: ['kd', 'dive'], power: ['dive'] };

export function totalEpochs(run: RunSummary): number {
  return run.epochsTotal;
}

/** The value a column sorts by; null sorts last whichever the direction. */
export function cellValue(run: RunSummary, key: ColumnKey): string | number | null {
  switch (key) {
    case 'name': return run.name;
    case 'status': return run.status;
    case 'method': return run.method;
    case 'model': return run.model;
    case 'split': return run.split;
    case 'dataset': return run.dataset;
    case 'teacher': return run.teacher;
    case 'epochs': return run.epochsDone;
    case 'top1': return run.metrics?.top1 ?? null;
    case 'many': return run.metrics?.many ?? null;
    case 'medium': return run.metrics?.medium ?? null;
    case 'few': return run.metrics?.few ?? null;
    case 'warnings': return run.warnings.length;
    case 'ece': return run.metrics?.ece ?? null;
    case 'speed': return run.imagesPerSecond;
    case 'backend': return run.backend;
    case 'created': return run.createdAt;
    case 'study': return run.study;
    case 'seed': return run.seed;
    case 'lr': return run.hyper.lr;
    case 'batch': return run.hyper.batchSize;
    case 'tau':
    case 'power':
    case 'alpha': {
      const v = run.hyper[key];
      return USES[key]?.includes(run.method) && typeof v === 'number' ? v : null;
    }
  }
}

// the search's conditions (config and metrics) are run-query.ts's
export { meets, parseQuery, type ConfigCondition } from './run-query';

export interface RunFilter {
  split?: string;
  method?: string;
  status?: string;
  /** words (case-insensitive substrings of the run's name, study or teacher) and conditions ("lr<0.1 tau=3 top1>50") */
  text?: string;
  /** tags and notes by run name: a word also matches a run's tags or note */
  notes?: Record<string, Annotation>;
}

export function filterRuns(runs: readonly RunSummary[], f: RunFilter): RunSummary[] {
  const { conditions, words } = parseQuery(f.text ?? '');
  const haystack = (r: RunSummary) => `${r.name} ${r.study ?? ''} ${r.teacher ?? ''}`.toLowerCase();
  return runs.filter(
    (r) =>
      (!f.split || r.split === f.split) &&
      (!f.method || r.method === f.method) &&
      (!f.status || r.status === f.status) &&
      words.every((w) => haystack(r).includes(w) || notesMatch(f.notes?.[r.name], w)) &&
      conditions.every((c) => meets(r, c)),
  );
}

export function sortRuns(runs: readonly RunSummary[], key: ColumnKey, dir: 'asc' | 'desc'): RunSummary[] {
  const sign = dir === 'asc' ? 1 : -1;
  return runs
    .map((r, i) => ({ r, i, v: cellValue(r, key) }))
    .sort((a, b) => {
      if (a.v === null && b.v === null) return a.i - b.i;
      if (a.v === null) return 1;
      if (b.v === null) return -1;
      const c = typeof a.v === 'number' && typeof b.v === 'number' ? a.v - b.v : String(a.v).localeCompare(String(b.v), 'en', { numeric: true });
      return c === 0 ? a.i - b.i : sign * c;
    })
    .map((x) => x.r);
}

/** Distinct values for a filter drop-down, sorted. */
export function distinct(runs: readonly RunSummary[], pick: (r: RunSummary) => string | null): string[] {
  return [...new Set(runs.map(pick).filter((v): v is string => !!v))].sort();
}
