// The handlers behind the call table. Arguments arrive parsed by the dispatcher against CALLS
// (domain/contract.ts), so every function here takes the typed, defaults-filled value.
import { importDataset } from '../data/import';
import type { ImportRequest } from '../domain/import-schema';
import type { SplitPreviewRequestInput, SplitRequestInput } from '../domain/split-schema';
import type { DatasetInfo, ProgressFn, SplitInfo, SplitPreview } from '../domain/types';
import { getDataset, listDatasets } from '../store/datasets';
import { createSplit, getSplit, listSplits, previewSplit } from '../store/splits';
import type { Store } from '../store/store';
import { createModelService } from './model-service';
import { createRunService } from './runs-service';
import { createStudyService } from './study-service';
import { createTrashService } from './trash-service';

export function createService(store: Store) {
  return {
    ...createRunService(store),
    ...createModelService(store),
    ...createStudyService(store),
    ...createTrashService(store),
    listDatasets: (): DatasetInfo[] => listDatasets(store),
    getDataset: (name: string): DatasetInfo => getDataset(store, name),
    importDataset: (req: ImportRequest, progress?: ProgressFn, opts?: { readRoots?: string[] }): Promise<DatasetInfo> => importDataset(store, req, progress, opts),
    previewSplit: (req: SplitPreviewRequestInput): SplitPreview => previewSplit(store, req),
    createSplit: (req: SplitRequestInput, progress?: ProgressFn): SplitInfo => createSplit(store, req, progress),
    listSplits: (dataset?: string): SplitInfo[] => listSplits(store, dataset),
    getSplit: (name: string): SplitInfo => getSplit(store, name),
  };
}

export type Service = ReturnType<typeof createService>;
