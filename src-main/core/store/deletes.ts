// Deleting a dataset, split or run with everything that depends on it. One immediate transaction
// checks the dependants, deletes the rows and moves the folders into the trash, so no run can be
// queued against the object half-way, and rows and files go together or not at all (trash.ts).
//
// Dependants of an object: its own runs (a dataset's splits' runs, a split's runs, the run itself)
// and, transitively, every student distilled from one of them (which may live on another split).
// - any dependant queued or running: refused, naming them (cancel them first);
// - students outside the object: refused, naming them, unless `cascade` (they are deleted too,
//   and listed in the result);
// - the object's own runs go with it, as they always did.
// Blob rows are never deleted here: they go with their owner's row (a run, a dataset part) by the
// triggers of db/003_blob_owners.sql, in the same transaction.
import type { DatasetInfo, Deleted, RunInfo, SplitInfo } from '../domain/types';
import { UserError } from '../domain/errors';
import { killPoint } from '../kill-point';
import { getDataset } from './datasets';
import { getRun, runRow } from './runs';
import { getSplit } from './splits';
import type { Store } from './handle';
import { emptyTrash, moveToTrash, restoreFromTrash } from './trash';

export interface DeleteOptions {
  /** also delete students (on other splits) distilled from the object's runs */
  cascade?: boolean;
}

export type { Deleted };

interface RunLite {
  id: number;
  name: string;
  status: string;
  dir: string | null;
}

const RUN_COLS = 'r.id, r.name, r.status, r.dir';

function ownRuns(store: Store, where: { dataset?: number; split?: number; run?: number }): RunLite[] {
  return store.db
    .prepare(
      `SELECT ${RUN_COLS} FROM runs r JOIN splits s ON s.id = r.split_id
       WHERE s.dataset_id = @dataset OR s.id = @split OR r.id = @run ORDER BY r.id`,
    )
    .all({ dataset: where.dataset ?? null, split: where.split ?? null, run: where.run ?? null }) as RunLite[];
}

/** The runs plus every run distilled (directly or through other students) from one of them. */
function withStudents(store: Store, runs: RunLite[]): RunLite[] {
  const all = new Map(runs.map((r) => [r.id, r]));
  const students = store.db.prepare(`SELECT ${RUN_COLS} FROM runs r WHERE r.teacher_id = ?`);
  const queue = [...runs];
  while (queue.length) {
    for (const s of students.all(queue.pop()!.id) as RunLite[]) {
      if (!all.has(s.id)) {
        all.set(s.id, s);
        queue.push(s);
      }
    }
  }
  return [...all.values()];
}

const names = (rs: RunLite[]) => rs.map((r) => `"${r.name}"`).join(', ');

/** The runs a delete takes with it; throws, naming them, when it must not go ahead. */
function planRuns(store: Store, what: string, own: RunLite[], opts: DeleteOptions): RunLite[] {
  const all = withStudents(store, own);
  const busy = all.filter((r) => r.status === 'queued' || r.status === 'running');
  if (busy.length) {
    const list = busy.map((r) => `"${r.name}" (${r.status})`).join(', ');
    const first = `${what} has ${busy.length === 1 ? 'a run' : 'runs'} depending on it that ${busy.length === 1 ? 'is' : 'are'} still active: ${list}; cancel ${busy.length === 1 ? 'it' : 'them'} first`;
    throw new UserError(`${first} (\`dive cancel NAME\`)`, [{ path: [], message: first }]);
  }
  const ownIds = new Set(own.map((r) => r.id));
  const outside = all.filter((r) => !ownIds.has(r.id));
  if (outside.length && !opts.cascade) {
    const role = what.startsWith('run ') ? 'is the teacher of' : 'holds the teacher of';
    const them = outside.length === 1 ? 'that run' : 'those runs';
    throw new UserError(`${what} ${role} ${names(outside)}, distilled from it; delete ${them} first, or add --cascade to delete ${outside.length === 1 ? 'it' : 'them'} too`, [
      { path: [], message: `${what} ${role} ${names(outside)}, distilled from it; delete ${them} first` },
    ]);
  }
  return all;
}

interface Plan<T> {
  runs: RunLite[];
  /** folders of the object itself, relative to the data directory */
  dirs: string[];
  deleteRows(): void;
  result: T;
}

/**
 * Plans and carries out a delete in one immediate transaction (so the dependants cannot change
 * between the check and the delete): the runs' rows (their blob rows follow by trigger), the object's
 * rows (its parts' blob rows likewise), and its folders,
 * which go to the trash before COMMIT and are removed after it. On any failure the rows stay and
 * the folders are moved back.
 */
function deleteTogether<T>(store: Store, plan: () => Plan<T>): T {
  const db = store.db;
  const moved: string[] = [];
  let result: T;
  try {
    result = db
      .transaction(() => {
        const p = plan();
        const delRun = db.prepare('DELETE FROM runs WHERE id = ?');
        // teacher_id is SET NULL, so run order is free; each run's blob rows go by trigger
        for (const r of p.runs) delRun.run(r.id);
        p.deleteRows();
        // a folder still named by a run that stays (runs of an older store sharing one) stays too
        const stillNamed = db.prepare('SELECT 1 FROM runs WHERE dir = ?');
        const runDirs = [...new Set(p.runs.flatMap((r) => (r.dir ? [r.dir] : [])))].filter((d) => stillNamed.get(d) === undefined);
        for (const rel of [...runDirs, ...p.dirs]) if (moveToTrash(store.dataDir, rel)) moved.push(rel);
        killPoint('delete-before-commit');
        return p.result;
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
  killPoint('delete-after-commit');
  emptyTrash(store.dataDir, moved);
  return result;
}

export function deleteDataset(store: Store, ref: string | number, opts: DeleteOptions = {}): DatasetInfo & Deleted {
  return deleteTogether(store, () => {
    const info = getDataset(store, ref);
    const runs = planRuns(store, `dataset "${info.name}"`, ownRuns(store, { dataset: info.id }), opts);
    const dir = store.db.prepare('SELECT dir FROM datasets WHERE id = ?').pluck().get(info.id) as string;
    return {
      runs,
      dirs: [dir],
      // its parts go by foreign-key cascade, their pixel blob rows by trigger
      deleteRows: () => store.db.prepare('DELETE FROM datasets WHERE id = ?').run(info.id),
      result: { ...info, deletedRuns: runs.map((r) => r.name) },
    };
  });
}

export function deleteSplit(store: Store, ref: string | number, opts: DeleteOptions = {}): SplitInfo & Deleted {
  return deleteTogether(store, () => {
    const info = getSplit(store, ref);
    const runs = planRuns(store, `split "${info.name}"`, ownRuns(store, { split: info.id }), opts);
    return {
      runs,
      dirs: [],
      deleteRows: () => store.db.prepare('DELETE FROM splits WHERE id = ?').run(info.id),
      result: { ...info, deletedRuns: runs.map((r) => r.name) },
    };
  });
}

export function deleteRun(store: Store, ref: string, opts: DeleteOptions = {}): RunInfo & Deleted {
  return deleteTogether(store, () => {
    const info = getRun(store, ref);
    const r = runRow(store, ref);
    if (r.status === 'running' || r.status === 'queued') {
      throw new UserError(`run "${r.name}" is ${r.status}; cancel it first (\`dive cancel ${r.name}\`)`, [{ path: [], message: `run "${r.name}" is ${r.status}; cancel it first` }]);
    }
    const runs = planRuns(store, `run "${r.name}"`, ownRuns(store, { run: r.id }), opts);
    return { runs, dirs: [], deleteRows: () => undefined, result: { ...info, deletedRuns: runs.filter((x) => x.id !== r.id).map((x) => x.name) } };
  });
}
