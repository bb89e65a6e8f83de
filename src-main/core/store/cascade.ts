// Deleting a dataset or a split takes the runs trained on it along: their rows go by foreign-key
// cascade in the same statement, their blob rows with them (the owner triggers of
// db/003_blob_owners.sql), and their folders right after it commits.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../domain/errors';
import type { DatasetInfo, SplitInfo } from '../domain/types';
import { deleteDataset, getDataset } from './datasets';
import { deleteSplit, getSplit } from './splits';
import type { Store } from './store';

/** The folders of the runs under a split or dataset; refuses while one of them is training. */
function runDirsUnder(store: Store, where: { splitId?: number; datasetId?: number }, what: string): string[] {
  const rows = store.db
    .prepare(
      `SELECT r.name, r.status, r.dir FROM runs r JOIN splits s ON s.id = r.split_id
       WHERE (@split IS NOT NULL AND s.id = @split) OR (@dataset IS NOT NULL AND s.dataset_id = @dataset)`,
    )
    .all({ split: where.splitId ?? null, dataset: where.datasetId ?? null }) as {
    name: string; status: string; dir: string | null;
  }[];
  const running = rows.find((r) => r.status === 'running');
  if (running) throw new UserError(`${what} has a running run "${running.name}"; cancel it first`);
  return rows.flatMap((r) => (r.dir ? [join(store.dataDir, r.dir)] : []));
}

export function deleteDatasetWithRuns(store: Store, ref: string | number): DatasetInfo {
  const d = getDataset(store, ref);
  const dirs = runDirsUnder(store, { datasetId: d.id }, `dataset "${d.name}"`);
  const out = deleteDataset(store, d.id);
  dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true }));
  return out;
}

export function deleteSplitWithRuns(store: Store, ref: string | number): SplitInfo {
  const s = getSplit(store, ref);
  const dirs = runDirsUnder(store, { splitId: s.id }, `split "${s.name}"`);
  const out = deleteSplit(store, s.id);
  dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true }));
  return out;
}
