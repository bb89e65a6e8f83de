// Every SQL statement on tags and notes (db/007_tags_notes.sql): set a run's or study's, list all.
import type { Annotation, AnnotateRequest, NotesIndex } from '../domain/notes';
import { UserError } from '../domain/errors';
import type { Store } from './handle';

interface NoteRow {
  name: string;
  tags: string;
  note: string;
  updated_at: string;
}

function parseTags(json: string): string[] {
  try {
    const v: unknown = JSON.parse(json);
    return Array.isArray(v) ? v.filter((t): t is string => typeof t === 'string') : [];
  } catch {
    return [];
  }
}

const annotation = (r: NoteRow): Annotation => ({ tags: parseTags(r.tags), note: r.note, updatedAt: r.updated_at });

/** Sets what the request names (tags, note, or both) on one run or study; a row left with neither is removed. */
export function annotate(store: Store, a: AnnotateRequest): Annotation {
  const kind = a.run !== undefined ? 'run' : 'study';
  const name = a.run ?? a.study ?? '';
  const [table, key, owner] = kind === 'run' ? (['run_notes', 'run_id', 'runs'] as const) : (['study_notes', 'study_id', 'studies'] as const);
  return store.db.transaction((): Annotation => {
    const found = store.db.prepare(`SELECT id FROM ${owner} WHERE name = ?`).get(name) as { id: number } | undefined;
    if (!found) throw new UserError(`${kind}: no ${kind} named "${name}"`);
    const old = store.db.prepare(`SELECT tags, note FROM ${table} WHERE ${key} = ?`).get(found.id) as { tags: string; note: string } | undefined;
    const tags = a.tags !== undefined ? [...new Set(a.tags)] : parseTags(old?.tags ?? '[]');
    const note = a.note !== undefined ? a.note.trim() : (old?.note ?? '');
    if (!tags.length && !note) {
      store.db.prepare(`DELETE FROM ${table} WHERE ${key} = ?`).run(found.id);
      return { tags: [], note: '', updatedAt: null };
    }
    store.db
      .prepare(
        `INSERT INTO ${table} (${key}, tags, note) VALUES (?, ?, ?)
         ON CONFLICT(${key}) DO UPDATE SET tags = excluded.tags, note = excluded.note, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')`,
      )
      .run(found.id, JSON.stringify(tags), note);
    const row = store.db.prepare(`SELECT ? AS name, tags, note, updated_at FROM ${table} WHERE ${key} = ?`).get(name, found.id) as NoteRow;
    return annotation(row);
  })();
}

/** One run's tags and note (none: empty). */
export function runAnnotation(store: Store, runId: number): { tags: string[]; note: string } {
  const row = store.db.prepare('SELECT tags, note FROM run_notes WHERE run_id = ?').get(runId) as { tags: string; note: string } | undefined;
  return { tags: parseTags(row?.tags ?? '[]'), note: row?.note ?? '' };
}

/** Every run's and study's tags and note, by name: two small queries. */
export function listNotes(store: Store): NotesIndex {
  const runs = store.db.prepare(`SELECT r.name, n.tags, n.note, n.updated_at FROM run_notes n JOIN runs r ON r.id = n.run_id WHERE r.trash_id IS NULL`).all() as NoteRow[];
  const studies = store.db.prepare(`SELECT s.name, n.tags, n.note, n.updated_at FROM study_notes n JOIN studies s ON s.id = n.study_id WHERE s.trash_id IS NULL`).all() as NoteRow[];
  return { runs: Object.fromEntries(runs.map((r) => [r.name, annotation(r)])), studies: Object.fromEntries(studies.map((r) => [r.name, annotation(r)])) };
}
