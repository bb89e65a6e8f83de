// Deleting a dataset, split, run or study: everything it takes goes into one trash entry, in one
// immediate transaction (so no run can be queued against it half-way). Nothing is removed: rows
// keep their ids, children and files, and give up their names (db/013_trash.sql); `dive trash
// restore` brings the entry back, `dive trash empty` removes it for good (trash-empty.ts).
//
// A delete that would take more than the thing named (a split's runs and studies, a dataset's
// splits, a study's runs, students distilled from a run taken, wherever they live, with their tags
// and notes) is refused, naming all of it, unless `cascade` asks for it. A running run among them
// always refuses it (cancel it first); a queued one is taken off the queue (cancelled).
import type { DeletePlan, Deleted, TrashKind } from '../domain/trash-types';
import { UserError } from '../domain/errors';
import { killPoint } from '../kill-point';
import type { Store } from './handle';
import { liveId, planOf, runsLeavingStudies, takenBy, type Taken } from './trash-plan';

export interface DeleteOptions {
  /** also take what the thing named holds or teaches (everything is listed in the refusal without it) */
  cascade?: boolean;
}

export type { Deleted, DeletePlan };

const quoted = (xs: readonly string[]) => xs.map((x) => `"${x}"`).join(', ');
const some = (n: number, one: string, many: string) => `${n === 1 ? one : many}`;

/** "split "s2", study "lt100" and 3 runs ("a", "b", "c"), 1 of them a student on another split ("c")": what a delete takes besides the thing named. */
export function takenWords(p: DeletePlan): string {
  const splits = p.splits.filter((s) => !(p.kind === 'split' && s === p.name));
  const studies = p.studies.filter((s) => !(p.kind === 'study' && s === p.name));
  const runs = p.runs.filter((r) => !(p.kind === 'run' && r.name === p.name));
  const parts: string[] = [];
  if (splits.length) parts.push(`${some(splits.length, 'split', `${splits.length} splits`)} ${quoted(splits)}`);
  if (studies.length) parts.push(`${some(studies.length, 'study', `${studies.length} studies`)} ${quoted(studies)}`);
  if (runs.length) {
    const students = runs.filter((r) => r.student);
    const what = p.kind === 'run' ? `${some(runs.length, 'run', `${runs.length} runs`)} distilled from it (${quoted(runs.map((r) => r.name))})` : `${some(runs.length, 'run', `${runs.length} runs`)} (${quoted(runs.map((r) => r.name))})`;
    const elsewhere = p.kind !== 'run' && students.length ? `, ${students.length} of them ${some(students.length, 'a student', 'students')} distilled from its runs (${quoted(students.map((r) => r.name))})` : '';
    parts.push(what + elsewhere);
  }
  const list = parts.length > 1 ? `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}` : parts[0] ?? 'nothing else';
  return p.notes ? `${list}, with the tags and notes of ${p.notes}` : list;
}

/** Throws the refusal when the delete must not go ahead: a running run, or more than the thing named without cascade. */
function check(p: DeletePlan, opts: DeleteOptions): void {
  const what = `${p.kind} "${p.name}"`;
  if (p.running.length) {
    const self = p.kind === 'run' && p.running.includes(p.name);
    const line = self ? `${what} is running; cancel it first` : `${what} has ${p.running.length === 1 ? 'a run' : 'runs'} depending on it that ${p.running.length === 1 ? 'is' : 'are'} still running: ${quoted(p.running)}; cancel ${p.running.length === 1 ? 'it' : 'them'} first`;
    throw new UserError(`${line} (\`dive cancel NAME\`)`, [{ path: [], message: line }]);
  }
  if (p.needsCascade && !opts.cascade) {
    const taken = takenWords(p);
    throw new UserError(`deleting ${what} would also take ${taken}; add --cascade to move it all to the trash (\`dive trash restore\` brings it back), or delete them first`, [
      { path: ['cascade'], message: `deleting ${what} would also take ${taken}` },
    ]);
  }
}

const json = (xs: readonly number[]) => JSON.stringify(xs);

/** Moves the rows of `t` into a new trash entry, giving up their names; returns its id. */
function moveRows(store: Store, t: Taken): number {
  const db = store.db;
  const entry = Number(db.prepare('INSERT INTO trash (kind, name) VALUES (?, ?)').run(t.root.kind, t.root.name).lastInsertRowid);
  const runIds = t.runs.map((r) => r.id);
  // queued runs leave the queue: cancelled now, so no executor claims a run in the trash
  db.prepare(`UPDATE runs SET status = 'cancelled', error = 'moved to the trash while queued', worker_pid = NULL, claimed_by = NULL, finished_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
              WHERE status = 'queued' AND id IN (SELECT value FROM json_each(?))`).run(json(runIds));
  // a study that stays keeps its cell free for `study run`; the cell waits for a restore
  const ins = db.prepare('INSERT INTO trash_cells (run_id, trash_id, study_id, cell) VALUES (?, ?, ?, ?)');
  for (const l of runsLeavingStudies(store, t)) {
    ins.run(l.runId, entry, l.studyId, l.cell);
    db.prepare('DELETE FROM study_runs WHERE run_id = ?').run(l.runId);
  }
  const move = (table: string, xs: readonly number[]) =>
    db.prepare(`UPDATE ${table} SET trash_id = ?, trashed_name = name, name = ' [trash #' || id || '] ' || name WHERE id IN (SELECT value FROM json_each(?)) AND trash_id IS NULL`).run(entry, json(xs));
  move('runs', runIds);
  // a kill here (DIVE_KILL_AT) checks that half a move is rolled back with the rest
  killPoint('trash-move-mid');
  move('studies', t.studies);
  move('splits', t.splits);
  move('datasets', t.datasets);
  return entry;
}

/** What deleting would take, for a dialog to list before anything happens. */
export function planDelete(store: Store, kind: TrashKind, name: string): DeletePlan {
  return planOf(store, takenBy(store, kind, liveId(store, kind, name), name));
}

/** Moves the thing named, and what it takes, into one trash entry; refuses (changing nothing) as check() says. */
export function trashObject(store: Store, kind: TrashKind, name: string, opts: DeleteOptions = {}): Deleted {
  return store.db
    .transaction((): Deleted => {
      const t = takenBy(store, kind, liveId(store, kind, name), name);
      const p = planOf(store, t);
      check(p, opts);
      const trashId = moveRows(store, t);
      killPoint('trash-move-before-commit');
      return {
        trashId,
        deletedRuns: p.runs.map((r) => r.name).filter((n) => !(kind === 'run' && n === name)),
        deletedSplits: p.splits.filter((n) => !(kind === 'split' && n === name)),
        deletedStudies: p.studies.filter((n) => !(kind === 'study' && n === name)),
      };
    })
    .immediate();
}
