// The trash as a user sees it: one entry per delete, listed with everything it holds, and restored
// whole in one transaction (a kill half-way leaves it in the trash, as if never begun). A restore
// is refused while something the entry needs is itself in the trash (a run's split, a student's
// teacher, a split's dataset, a run's study: restore that entry first), and while a new thing has
// taken one of its names or study places, unless `rename` gives those a `-restored` suffix (and
// puts such a study run back outside its study).
import type { Restored, TrashEntry, TrashKind } from '../domain/trash-types';
import { UserError } from '../domain/errors';
import { killPoint } from '../kill-point';
import type { Store } from './handle';
import { bytesOf, notesOf } from './trash-plan';

interface EntryRow {
  id: number;
  kind: TrashKind;
  name: string;
  deleted_at: string;
}

type Table = 'datasets' | 'splits' | 'studies' | 'runs';
const TABLES: readonly Table[] = ['datasets', 'splits', 'studies', 'runs'];
const KIND: Record<Table, TrashKind> = { datasets: 'dataset', splits: 'split', studies: 'study', runs: 'run' };

const rowsIn = (store: Store, table: Table, entry: number) =>
  store.db.prepare(`SELECT id, trashed_name AS name FROM ${table} WHERE trash_id = ? ORDER BY id`).all(entry) as { id: number; name: string }[];

/**
 * What the entry's rows depend on that another entry holds: one line each (`run "S"'s teacher "T"`),
 * by the entry that holds it.
 */
function needsOf(store: Store, entry: number): { id: number; why: string }[] {
  const rows = store.db
    .prepare(
      `SELECT p.trash_id AS id, 'split "' || c.trashed_name || '"''s dataset "' || p.trashed_name || '"' AS why FROM splits c JOIN datasets p ON p.id = c.dataset_id WHERE c.trash_id = @e AND p.trash_id IS NOT NULL AND p.trash_id <> @e
       UNION ALL SELECT p.trash_id, 'study "' || c.trashed_name || '"''s split "' || p.trashed_name || '"' FROM studies c JOIN splits p ON p.id = c.split_id WHERE c.trash_id = @e AND p.trash_id IS NOT NULL AND p.trash_id <> @e
       UNION ALL SELECT p.trash_id, 'run "' || c.trashed_name || '"''s split "' || p.trashed_name || '"' FROM runs c JOIN splits p ON p.id = c.split_id WHERE c.trash_id = @e AND p.trash_id IS NOT NULL AND p.trash_id <> @e
       UNION ALL SELECT p.trash_id, 'run "' || c.trashed_name || '"''s teacher "' || p.trashed_name || '"' FROM runs c JOIN runs p ON p.id = c.teacher_id WHERE c.trash_id = @e AND p.trash_id IS NOT NULL AND p.trash_id <> @e
       UNION ALL SELECT p.trash_id, 'run "' || r.trashed_name || '"''s study "' || p.trashed_name || '"' FROM trash_cells tc JOIN runs r ON r.id = tc.run_id JOIN studies p ON p.id = tc.study_id WHERE tc.trash_id = @e AND p.trash_id IS NOT NULL AND p.trash_id <> @e`,
    )
    .all({ e: entry }) as { id: number; why: string }[];
  return rows;
}

function describeEntry(store: Store, e: EntryRow): TrashEntry {
  const rows = Object.fromEntries(TABLES.map((t) => [t, rowsIn(store, t, e.id)])) as Record<Table, { id: number; name: string }[]>;
  const ids = (t: Table) => rows[t].map((r) => r.id);
  return {
    id: e.id,
    kind: e.kind,
    name: e.name,
    deletedAt: e.deleted_at,
    datasets: rows.datasets.map((r) => r.name),
    splits: rows.splits.map((r) => r.name),
    studies: rows.studies.map((r) => r.name),
    runs: rows.runs.map((r) => r.name),
    notes: notesOf(store, ids('runs'), ids('studies')),
    bytes: bytesOf(store, ids('datasets'), ids('runs')),
    needs: needsOf(store, e.id),
  };
}

const entryRow = (store: Store, id: number) => store.db.prepare('SELECT id, kind, name, deleted_at FROM trash WHERE id = ?').get(id) as EntryRow | undefined;

export function trashEntry(store: Store, id: number): TrashEntry {
  const e = entryRow(store, id);
  if (!e) throw new UserError(`nothing in the trash has id ${id} (see \`dive trash list\`)`, [{ path: ['id'], message: `nothing in the trash has id ${id}` }]);
  return describeEntry(store, e);
}

/** Every entry, newest first. */
export function listTrash(store: Store): TrashEntry[] {
  const rows = store.db.prepare('SELECT id, kind, name, deleted_at FROM trash ORDER BY id DESC').all() as EntryRow[];
  return rows.map((e) => describeEntry(store, e));
}

/** The first of `NAME-restored`, `NAME-restored-2`, ... that no live row of `table` has. */
function freeName(store: Store, table: Table, name: string): string {
  const taken = (n: string) => store.db.prepare(`SELECT 1 FROM ${table} WHERE name = ?`).get(n) !== undefined;
  for (let i = 1; ; i++) {
    const n = `${name}-restored${i === 1 ? '' : `-${i}`}`;
    if (!taken(n)) return n;
  }
}

interface CellRow {
  run_id: number;
  study_id: number;
  cell: string;
  study: string;
  run: string;
  holder: string | null;
}

/** Restores entry `id` whole, or refuses (changing nothing) as the header says. */
export function restoreEntry(store: Store, id: number, opts: { rename?: boolean } = {}): Restored {
  const db = store.db;
  return db
    .transaction((): Restored => {
      const entry = trashEntry(store, id);
      const label = `trash entry ${id} (${entry.kind} "${entry.name}")`;
      if (entry.needs.length) {
        const first = entry.needs[0].id;
        const line = `${label} needs what trash entry ${entry.needs.map((n) => n.id).filter((x, i, a) => a.indexOf(x) === i).join(', ')} holds: ${entry.needs.map((n) => n.why).join('; ')} ${entry.needs.length === 1 ? 'is' : 'are'} in the trash`;
        throw new UserError(`${line}; restore that first (\`dive trash restore ${first}\`)`, [{ path: ['id'], message: `${line}; restore that first` }]);
      }
      const clashes: string[] = [];
      for (const t of TABLES) {
        for (const r of rowsIn(store, t, id)) if (db.prepare(`SELECT 1 FROM ${t} WHERE name = ?`).get(r.name)) clashes.push(`a new ${KIND[t]} is named "${r.name}"`);
      }
      const cells = db
        .prepare(
          `SELECT tc.run_id, tc.study_id, tc.cell, st.name AS study, r.trashed_name AS run, h.name AS holder FROM trash_cells tc
           JOIN studies st ON st.id = tc.study_id JOIN runs r ON r.id = tc.run_id
           LEFT JOIN study_runs sr ON sr.study_id = tc.study_id AND sr.cell = tc.cell LEFT JOIN runs h ON h.id = sr.run_id
           WHERE tc.trash_id = ? ORDER BY tc.run_id`,
        )
        .all(id) as CellRow[];
      for (const c of cells) if (c.holder) clashes.push(`study "${c.study}" has trained run "${c.holder}" in the place of "${c.run}"`);
      if (clashes.length && !opts.rename) {
        const line = `cannot restore ${label}: ${clashes.join('; ')}`;
        throw new UserError(`${line}; restore with --rename to give what clashes a -restored suffix (\`dive trash restore ${id} --rename\`), or delete the new ones first`, [{ path: ['rename'], message: line }]);
      }
      const out: Restored = { entry, renamed: [], detached: [] };
      for (const t of TABLES) {
        const set = db.prepare(`UPDATE ${t} SET name = ?, trashed_name = NULL, trash_id = NULL WHERE id = ?`);
        for (const r of rowsIn(store, t, id)) {
          const free = !db.prepare(`SELECT 1 FROM ${t} WHERE name = ?`).get(r.name);
          const name = free ? r.name : freeName(store, t, r.name);
          if (!free) out.renamed.push({ kind: KIND[t], from: r.name, to: name });
          set.run(name, r.id);
        }
        // a kill here (DIVE_KILL_AT) checks that half a restore is rolled back with the rest
        if (t === 'splits') killPoint('trash-restore-mid');
      }
      for (const c of cells) {
        if (c.holder) out.detached.push({ run: out.renamed.find((r) => r.kind === 'run' && r.from === c.run)?.to ?? c.run, study: c.study });
        else db.prepare('INSERT INTO study_runs (study_id, cell, run_id) VALUES (?, ?, ?)').run(c.study_id, c.cell, c.run_id);
      }
      db.prepare('DELETE FROM trash_cells WHERE trash_id = ?').run(id);
      db.prepare('DELETE FROM trash WHERE id = ?').run(id);
      return out;
    })
    .immediate();
}
