// The one API every front door calls (CLI, HTTP, Electron IPC). Every input is validated against
// the contract's zod schemas (here or in the module it is handed to, which parses it first), so a
// front door may pass user input straight through.
import { z } from 'zod';
import { importDataset } from '../data/import';
import type { ImportRequest } from './import-schema';
import type { SplitPreviewRequestInput, SplitRequestInput } from './split-schema';
import { createModelService } from './model-service';
import { createRunService } from './runs-service';
import type { DatasetInfo, ProgressFn, SplitInfo } from './types';
import { getDataset, listDatasets } from '../store/datasets';
import { deleteDataset, deleteSplit, type Deleted, type DeleteOptions } from '../store/deletes';
import { createSplit, getSplit, listSplits, previewSplit, type SplitPreview } from '../store/splits';
import type { Store } from '../store/store';

const Name = z.string().trim().min(1, 'must not be empty');

export function createService(store: Store) {
  return {
    ...createRunService(store),
    ...createModelService(store),
    listDatasets: (): DatasetInfo[] => listDatasets(store),
    getDataset: (name: unknown): DatasetInfo => getDataset(store, Name.parse(name)),
    importDataset: (req: unknown, progress?: ProgressFn): Promise<DatasetInfo> => importDataset(store, req as ImportRequest, progress),
    /** refuses while a dependant run is active, or when students elsewhere need it (unless cascade) */
    deleteDataset: (name: unknown, opts: DeleteOptions = {}): DatasetInfo & Deleted => deleteDataset(store, Name.parse(name), opts),

    previewSplit: (req: unknown): SplitPreview => previewSplit(store, req as SplitPreviewRequestInput),
    createSplit: (req: unknown, progress?: ProgressFn): SplitInfo => createSplit(store, req as SplitRequestInput, progress),
    listSplits: (dataset?: unknown): SplitInfo[] => listSplits(store, dataset == null ? undefined : Name.parse(dataset)),
    getSplit: (name: unknown): SplitInfo => getSplit(store, Name.parse(name)),
    deleteSplit: (name: unknown, opts: DeleteOptions = {}): SplitInfo & Deleted => deleteSplit(store, Name.parse(name), opts),
  };
}

export type Service = ReturnType<typeof createService>;
