// Emptying the trash: the only place rows and files of datasets, splits, runs and studies are
// removed for good. One immediate transaction deletes the entries' rows (their blob rows follow
// by the triggers of db/003_blob_owners.sql, their children by foreign-key cascade) and moves
// their folders into `data/trash/` before COMMIT; the folders are removed after it. A kill before
// the commit leaves rows and folders (the next open moves them back: recovery.ts); a kill after it
// leaves only folders in `data/trash/`, which the next open removes (trash.ts).
//
// An entry whose rows depend on rows being removed (a run deleted alone whose split is emptied:
// the split's rows would take the run's by cascade) is emptied with it, and listed, so nothing in
// the trash loses a part silently.
import type { Emptied, TrashEntry } from '../domain/trash-types';
import { UserError } from '../domain/errors';
import { killPoint } from '../kill-point';
import type { Store } from './handle';
import { moveToTrash, removeTrashFolders, restoreFromTrash } from './trash';
import { listTrash, trashEntry } from './trash-entries';

const json = (xs: Iterable<number>) => JSON.stringify([...xs]);

/** `ids` plus every entry whose rows a cascade from theirs would remove. */
function closure(store: Store, ids: number[]): number[] {
  const all = new Set(ids);
  const dependants = store.db.prepare(
    `SELECT DISTINCT r.trash_id FROM runs r JOIN splits s ON s.id = r.split_id WHERE s.trash_id IN (SELECT value FROM json_each(@ids)) AND r.trash_id IS NOT NULL
     UNION SELECT DISTINCT st.trash_id FROM studies st JOIN splits s ON s.id = st.split_id WHERE s.trash_id IN (SELECT value FROM json_each(@ids)) AND st.trash_id IS NOT NULL
     UNION SELECT DISTINCT s.trash_id FROM splits s JOIN datasets d ON d.id = s.dataset_id WHERE d.trash_id IN (SELECT value FROM json_each(@ids)) AND s.trash_id IS NOT NULL`,
  ).pluck();
  for (;;) {
    const more = (dependants.all({ ids: json(all) }) as number[]).filter((id) => !all.has(id));
    if (!more.length) return [...all].sort((a, b) => a - b);
    for (const id of more) all.add(id);
  }
}

/** Live rows a removal would take by cascade: none in a store that agrees with itself. */
function liveDependants(store: Store, ids: number[]): string[] {
  return store.db
    .prepare(
      `SELECT 'run "' || r.name || '"' FROM runs r JOIN splits s ON s.id = r.split_id WHERE s.trash_id IN (SELECT value FROM json_each(@ids)) AND r.trash_id IS NULL
       UNION ALL SELECT 'study "' || st.name || '"' FROM studies st JOIN splits s ON s.id = st.split_id WHERE s.trash_id IN (SELECT value FROM json_each(@ids)) AND st.trash_id IS NULL
       UNION ALL SELECT 'split "' || s.name || '"' FROM splits s JOIN datasets d ON d.id = s.dataset_id WHERE d.trash_id IN (SELECT value FROM json_each(@ids)) AND s.trash_id IS NULL`,
    )
    .pluck()
    .all({ ids: json(ids) }) as string[];
}

/** Removes the entries `ids` (all of them when left out) and what depends on them, rows and files. */
export function emptyTrashEntries(store: Store, ids?: number[]): Emptied {
  const db = store.db;
  const moved: string[] = [];
  let out: Emptied;
  try {
    out = db
      .transaction((): Emptied => {
        const asked = ids ?? (db.prepare('SELECT id FROM trash ORDER BY id').pluck().all() as number[]);
        for (const id of asked) trashEntry(store, id); // an unknown id is refused before anything changes
        const all = closure(store, asked);
        const live = liveDependants(store, all);
        if (live.length) {
          throw new UserError(`the trash holds what live ${live.slice(0, 5).join(', ')}${live.length > 5 ? ` and ${live.length - 5} more` : ''} ${live.length === 1 ? 'depends' : 'depend'} on; restore it, or run \`dive doctor\``);
        }
        const chosen = new Set(all);
        const emptied: TrashEntry[] = listTrash(store).filter((e) => chosen.has(e.id));
        const where = 'trash_id IN (SELECT value FROM json_each(?))';
        const dirs = db.prepare(`SELECT dir FROM runs WHERE ${where} AND dir IS NOT NULL UNION ALL SELECT dir FROM datasets WHERE ${where}`).pluck().all(json(all), json(all)) as string[];
        // runs first (a teacher's students keep their recorded teacher: teacher_id is SET NULL), then what held them
        for (const table of ['runs', 'studies', 'splits', 'datasets']) db.prepare(`DELETE FROM ${table} WHERE ${where}`).run(json(all));
        db.prepare(`DELETE FROM trash_cells WHERE ${where}`).run(json(all));
        db.prepare(`DELETE FROM trash WHERE id IN (SELECT value FROM json_each(?))`).run(json(all));
        for (const rel of dirs) if (moveToTrash(store.dataDir, rel)) moved.push(rel);
        killPoint('trash-empty-before-commit');
        return { emptied, bytes: emptied.reduce((s, e) => s + e.bytes, 0) };
      })
      .immediate();
  } catch (e) {
    for (const rel of moved.reverse()) {
      try {
        restoreFromTrash(store.dataDir, rel);
      } catch {
        // the next open restores it: its rows are still there
      }
    }
    throw e;
  }
  killPoint('trash-empty-after-commit');
  removeTrashFolders(store.dataDir, moved);
  return out;
}
