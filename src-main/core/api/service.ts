// The one API every front door calls (CLI, HTTP, Electron IPC). Every input is validated against
// the contract's zod schemas (here or in the module it is handed to, which parses it first), so a
// front door may pass user input straight through.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { UserError } from '../errors';
import { importDataset } from '../data/import';
import type { ImportRequest } from './import-schema';
import type { SplitPreviewRequestInput, SplitRequestInput } from './split-schema';
import { createModelService } from './model-service';
import { createRunService } from './runs-service';
import { createStudyService } from '../app/study-service';
import type { DatasetInfo, ProgressFn, SplitInfo } from './types';
import { deleteDataset, getDataset, listDatasets } from '../store/datasets';
import { createSplit, deleteSplit, getSplit, listSplits, previewSplit, type SplitPreview } from '../store/splits';
import type { Store } from '../store/store';

const Name = z.string().trim().min(1, 'must not be empty');

/**
 * Files of the runs that deleting a split or dataset cascades to (their rows go with it);
 * refuses while one of those runs is training.
 */
function runFilesUnder(store: Store, where: { splitId?: number; datasetId?: number }, what: string): { dirs: string[]; blobs: number[] } {
  const rows = store.db
    .prepare(
      `SELECT r.name, r.status, r.dir, r.checkpoint_blob, r.weights_blob FROM runs r JOIN splits s ON s.id = r.split_id
       WHERE (@split IS NOT NULL AND s.id = @split) OR (@dataset IS NOT NULL AND s.dataset_id = @dataset)`,
    )
    .all({ split: where.splitId ?? null, dataset: where.datasetId ?? null }) as {
    name: string; status: string; dir: string | null; checkpoint_blob: number | null; weights_blob: number | null;
  }[];
  const running = rows.find((r) => r.status === 'running');
  if (running) throw new UserError(`${what} has a running run "${running.name}"; cancel it first`);
  return {
    dirs: rows.flatMap((r) => (r.dir ? [join(store.dataDir, r.dir)] : [])),
    blobs: rows.flatMap((r) => [r.checkpoint_blob, r.weights_blob].filter((b): b is number => b != null)),
  };
}

export function createService(store: Store) {
  const purge = (files: { dirs: string[]; blobs: number[] }) => {
    store.db.transaction(() => files.blobs.forEach((b) => store.db.prepare('DELETE FROM blobs WHERE id = ?').run(b)))();
    files.dirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
  };
  return {
    ...createRunService(store),
    ...createModelService(store),
    ...createStudyService(store),
    listDatasets: (): DatasetInfo[] => listDatasets(store),
    getDataset: (name: unknown): DatasetInfo => getDataset(store, Name.parse(name)),
    importDataset: (req: unknown, progress?: ProgressFn): Promise<DatasetInfo> => importDataset(store, req as ImportRequest, progress),
    deleteDataset: (name: unknown): DatasetInfo => {
      const d = getDataset(store, Name.parse(name));
      const files = runFilesUnder(store, { datasetId: d.id }, `dataset "${d.name}"`);
      const out = deleteDataset(store, d.id);
      purge(files);
      return out;
    },

    previewSplit: (req: unknown): SplitPreview => previewSplit(store, req as SplitPreviewRequestInput),
    createSplit: (req: unknown, progress?: ProgressFn): SplitInfo => createSplit(store, req as SplitRequestInput, progress),
    listSplits: (dataset?: unknown): SplitInfo[] => listSplits(store, dataset == null ? undefined : Name.parse(dataset)),
    getSplit: (name: unknown): SplitInfo => getSplit(store, Name.parse(name)),
    deleteSplit: (name: unknown): SplitInfo => {
      const s = getSplit(store, Name.parse(name));
      const files = runFilesUnder(store, { splitId: s.id }, `split "${s.name}"`);
      const out = deleteSplit(store, s.name);
      purge(files);
      return out;
    },
  };
}

export type Service = ReturnType<typeof createService>;
