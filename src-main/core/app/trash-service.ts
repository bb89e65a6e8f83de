// Deletes and the trash behind the call table: a delete moves the thing named (and, with cascade,
// what it takes) into one trash entry; entries are listed, restored whole, or emptied for good.
import type { DeletePlan, Deleted, Emptied, Restored, TrashEntry, TrashKind } from '../domain/trash-types';
import type { DatasetInfo, RunInfo, SplitInfo } from '../domain/types';
import { getDataset } from '../store/datasets';
import { planDelete, trashObject, type DeleteOptions } from '../store/deletes';
import { getRun } from '../store/runs';
import { getSplit } from '../store/splits';
import type { Store } from '../store/store';
import { emptyTrashEntries } from '../store/trash-empty';
import { listTrash, restoreEntry } from '../store/trash-entries';

export function createTrashService(store: Store) {
  return {
    planDelete: (kind: TrashKind, name: string): DeletePlan => planDelete(store, kind, name),
    /** refuses while a run it takes is running, or when it takes more than the dataset (unless cascade) */
    deleteDataset: (name: string, opts: DeleteOptions = {}): DatasetInfo & Deleted => ({ ...getDataset(store, name), ...trashObject(store, 'dataset', name, opts) }),
    deleteSplit: (name: string, opts: DeleteOptions = {}): SplitInfo & Deleted => ({ ...getSplit(store, name), ...trashObject(store, 'split', name, opts) }),
    deleteRun: (name: string, opts: DeleteOptions = {}): RunInfo & Deleted => ({ ...getRun(store, name), ...trashObject(store, 'run', name, opts) }),
    listTrash: (): TrashEntry[] => listTrash(store),
    restoreTrash: (id: number, rename = false): Restored => restoreEntry(store, id, { rename }),
    emptyTrash: (ids?: number[]): Emptied => emptyTrashEntries(store, ids),
  };
}
