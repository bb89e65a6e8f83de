// The run listing in one query: what `dive runs` shows, fast on a store with tens of thousands of
// runs. A listing row holds what a runs table shows (as an MLflow or W&B run list does): names,
// status, progress and the final metrics; the full config, the per-epoch history, per-class
// accuracy and the confusion matrix are `dive run NAME` / getRun's. Seed, epochs and the final
// metrics are columns written beside the JSON (db/003), so listing parses no JSON per run.
import type { RunStatus } from '../api/types';
import type { Store } from './store';

export interface RunListRow {
  id: number;
  name: string;
  status: RunStatus;
  error: string | null;
  method: string;
  model: string;
  split: string;
  dataset: string;
  teacher: string | null;
  /** the study the run belongs to, if any */
  study: string | null;
  seed: number;
  epochs: number;
  epochsDone: number;
  top1: number | null;
  many: number | null;
  medium: number | null;
  few: number | null;
  ece: number | null;
  backend: string | null;
  imagesPerSecond: number | null;
  createdAt: string;
  finishedAt: string | null;
}

type Raw = [number, string, RunStatus, string | null, string, string, string, string, string | null, string | null, number, number, number,
  number | null, number | null, number | null, number | null, number | null, string | null, number | null, string, string | null];

export function listRunRows(store: Store, filter: { split?: string; status?: RunStatus } = {}): RunListRow[] {
  const rows = store.db
    .prepare(
      `SELECT r.id, r.name, r.status, r.error, r.method, r.model, s.name, d.name, t.name, st.name,
              r.seed, r.epochs, r.epochs_done, r.top1, r.many, r.medium, r.few, r.ece,
              r.backend, r.images_per_second, r.created_at, r.finished_at
       FROM runs r JOIN splits s ON s.id = r.split_id JOIN datasets d ON d.id = s.dataset_id LEFT JOIN runs t ON t.id = r.teacher_id
       LEFT JOIN study_runs sr ON sr.run_id = r.id LEFT JOIN studies st ON st.id = sr.study_id
       WHERE (@split IS NULL OR s.name = @split) AND (@status IS NULL OR r.status = @status) ORDER BY r.id`,
    )
    // arrays, not row objects: better-sqlite3 builds a 22-key object per row three times slower
    // than the object literal below, whose one shape V8 reuses
    .raw(true)
    .all({ split: filter.split ?? null, status: filter.status ?? null }) as Raw[];
  return rows.map((r) => ({
    id: r[0], name: r[1], status: r[2], error: r[3], method: r[4], model: r[5], split: r[6], dataset: r[7], teacher: r[8], study: r[9],
    seed: r[10], epochs: r[11], epochsDone: r[12], top1: r[13], many: r[14], medium: r[15], few: r[16], ece: r[17],
    backend: r[18], imagesPerSecond: r[19], createdAt: r[20], finishedAt: r[21],
  }));
}
