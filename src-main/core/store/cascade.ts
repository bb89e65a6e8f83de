// Deleting a dataset or a split takes the runs trained on it along: their rows and blob rows go in
// the same transaction as the dataset's or split's own rows, their folders right after it commits.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../domain/errors';
import type { DatasetInfo, SplitInfo } from '../domain/types';
import { deleteDataset, getDataset } from './datasets';
import { deleteSplit, getSplit } from './splits';
import type { Store } from './store';

interface RunFiles {
  ids: number[];
  dirs: string[];
  blobs: number[];
}

/** The runs under a split or dataset; refuses while one of them is training. */
function runsUnder(store: Store, where: { splitId?: number; datasetId?: number }, what: string): RunFiles {
  const rows = store.db
    .prepare(
      `SELECT r.id, r.name, r.status, r.dir, r.checkpoint_blob, r.weights_blob FROM runs r JOIN splits s ON s.id = r.split_id
       WHERE (@split IS NOT NULL AND s.id = @split) OR (@dataset IS NOT NULL AND s.dataset_id = @dataset)`,
    )
    .all({ split: where.splitId ?? null, dataset: where.datasetId ?? null }) as {
    id: number; name: string; status: string; dir: string | null; checkpoint_blob: number | null; weights_blob: number | null;
  }[];
  const running = rows.find((r) => r.status === 'running');
  if (running) throw new UserError(`${what} has a running run "${running.name}"; cancel it first`);
  return {
    ids: rows.map((r) => r.id),
    dirs: rows.flatMap((r) => (r.dir ? [join(store.dataDir, r.dir)] : [])),
    blobs: rows.flatMap((r) => [r.checkpoint_blob, r.weights_blob].filter((b): b is number => b != null)),
  };
}

/** Run rows first (they reference the blobs), then the blob rows; call inside a transaction. */
function dropRuns(store: Store, files: RunFiles): void {
  const delRun = store.db.prepare('DELETE FROM runs WHERE id = ?');
  const delBlob = store.db.prepare('DELETE FROM blobs WHERE id = ?');
  // students before teachers is not needed: teacher_id is ON DELETE SET NULL
  for (const id of files.ids) delRun.run(id);
  for (const b of files.blobs) delBlob.run(b);
}

export function deleteDatasetWithRuns(store: Store, ref: string | number): DatasetInfo {
  const d = getDataset(store, ref);
  const files = runsUnder(store, { datasetId: d.id }, `dataset "${d.name}"`);
  const out = store.db.transaction(() => {
    dropRuns(store, files);
    return deleteDataset(store, d.id);
  })();
  files.dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true }));
  return out;
}

export function deleteSplitWithRuns(store: Store, ref: string | number): SplitInfo {
  const s = getSplit(store, ref);
  const files = runsUnder(store, { splitId: s.id }, `split "${s.name}"`);
  const out = store.db.transaction(() => {
    dropRuns(store, files);
    return deleteSplit(store, s.id);
  })();
  files.dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true }));
  return out;
}
