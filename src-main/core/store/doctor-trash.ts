// `dive doctor`'s look at the user's trash (db/013_trash.sql): how much it holds, entries left
// holding nothing, and rows that disagree with it (a live row whose parent is in the trash, a
// trashed row that kept its name). The delete, restore and empty transactions never leave these;
// a database edited by hand, or a bug, might.
import type { DoctorProblem } from '../domain/types';
import type { Store } from './handle';
import { bytesOf } from './trash-plan';

export function trashSummary(store: Store): { entries: number; bytes: number } {
  const entries = store.db.prepare('SELECT COUNT(*) FROM trash').pluck().get() as number;
  const ids = (table: string) => store.db.prepare(`SELECT id FROM ${table} WHERE trash_id IS NOT NULL`).pluck().all() as number[];
  return { entries, bytes: bytesOf(store, ids('datasets'), ids('runs')) };
}

/** The problems found; with `fix`, entries that hold nothing are removed (nothing else is safe to change). */
export function trashProblems(store: Store, fix: boolean): DoctorProblem[] {
  const out: DoctorProblem[] = [];
  const db = store.db;
  const empty = db
    .prepare(
      `SELECT t.id, t.kind, t.name FROM trash t WHERE NOT EXISTS (SELECT 1 FROM datasets WHERE trash_id = t.id) AND NOT EXISTS (SELECT 1 FROM splits WHERE trash_id = t.id)
       AND NOT EXISTS (SELECT 1 FROM studies WHERE trash_id = t.id) AND NOT EXISTS (SELECT 1 FROM runs WHERE trash_id = t.id)`,
    )
    .all() as { id: number; kind: string; name: string }[];
  for (const e of empty) {
    if (fix) {
      db.prepare('DELETE FROM trash_cells WHERE trash_id = ?').run(e.id);
      db.prepare('DELETE FROM trash WHERE id = ?').run(e.id);
    }
    out.push({ kind: 'trash-entry', path: store.dbPath, detail: `trash entry ${e.id} (${e.kind} "${e.name}") holds nothing${fix ? '; removed' : '; `dive doctor --fix` removes it'}`, fixed: fix });
  }
  const orphaned = db
    .prepare(
      `SELECT 'run "' || c.name || '" is live, but its split "' || p.trashed_name || '" is in trash entry ' || p.trash_id FROM runs c JOIN splits p ON p.id = c.split_id WHERE c.trash_id IS NULL AND p.trash_id IS NOT NULL
       UNION ALL SELECT 'run "' || c.name || '" is live, but its teacher "' || p.trashed_name || '" is in trash entry ' || p.trash_id FROM runs c JOIN runs p ON p.id = c.teacher_id WHERE c.trash_id IS NULL AND p.trash_id IS NOT NULL
       UNION ALL SELECT 'study "' || c.name || '" is live, but its split "' || p.trashed_name || '" is in trash entry ' || p.trash_id FROM studies c JOIN splits p ON p.id = c.split_id WHERE c.trash_id IS NULL AND p.trash_id IS NOT NULL
       UNION ALL SELECT 'split "' || c.name || '" is live, but its dataset "' || p.trashed_name || '" is in trash entry ' || p.trash_id FROM splits c JOIN datasets p ON p.id = c.dataset_id WHERE c.trash_id IS NULL AND p.trash_id IS NOT NULL`,
    )
    .pluck()
    .all() as string[];
  for (const line of orphaned) out.push({ kind: 'database', path: store.dbPath, detail: `${line}: restore that entry (\`dive trash restore N\`) or delete the live one`, fixed: false });
  for (const t of ['datasets', 'splits', 'studies', 'runs']) {
    const bad = db.prepare(`SELECT id FROM ${t} WHERE (trash_id IS NULL) <> (trashed_name IS NULL) OR (trash_id IS NOT NULL AND name NOT LIKE ' [trash #%')`).pluck().all() as number[];
    for (const id of bad) out.push({ kind: 'database', path: store.dbPath, detail: `${t} row ${id} is half in the trash (its trash_id, trashed_name and name disagree); restore the database from a backup`, fixed: false });
  }
  return out;
}
