// What a delete takes with it, worked out before anything changes: the thing named, what is built
// on it (a dataset's splits, a split's runs and studies, a study's runs) and, transitively, every
// run distilled from a run taken (a student, which may live on another split or dataset). Only
// live rows count: what is already in the trash stays in its own entry.
import type { DeletePlan, TakenRun, TrashKind } from '../domain/trash-types';
import type { RunStatus } from '../domain/types';
import { UserError } from '../domain/errors';
import type { Store } from './handle';

/** Row ids of everything a delete takes, with the runs as the plan lists them. */
export interface Taken {
  root: { kind: TrashKind; id: number; name: string };
  datasets: number[];
  splits: number[];
  studies: number[];
  runs: (TakenRun & { id: number })[];
}

interface RunRow {
  id: number;
  name: string;
  split: string;
  status: RunStatus;
  study: string | null;
  study_id: number | null;
}

const ids = (xs: readonly number[]) => JSON.stringify(xs);

/**
 * The runs with ids in `seed` plus every live run distilled from one of them, directly or through
 * other students: one recursive query, whatever the depth.
 */
function runsWithStudents(store: Store, seed: number[]): RunRow[] {
  return store.db
    .prepare(
      `WITH RECURSIVE taken(id) AS (
         SELECT value FROM json_each(?)
         UNION SELECT r.id FROM runs r JOIN taken t ON r.teacher_id = t.id WHERE r.trash_id IS NULL)
       SELECT r.id, r.name, s.name AS split, r.status, st.name AS study, st.id AS study_id
       FROM taken JOIN runs r ON r.id = taken.id JOIN splits s ON s.id = r.split_id
       LEFT JOIN study_runs sr ON sr.run_id = r.id LEFT JOIN studies st ON st.id = sr.study_id AND st.trash_id IS NULL
       ORDER BY r.id`,
    )
    .all(ids(seed)) as RunRow[];
}

const pluck = (store: Store, sql: string, ...args: unknown[]) => store.db.prepare(sql).pluck().all(...args) as number[];

/** The live row `kind` named `name`; throws the usual "no X named" line. */
export function liveId(store: Store, kind: TrashKind, name: string): number {
  const table = kind === 'study' ? 'studies' : `${kind}s`;
  const id = store.db.prepare(`SELECT id FROM ${table} WHERE name = ? AND trash_id IS NULL`).pluck().get(name) as number | undefined;
  if (id === undefined) {
    const list = kind === 'study' ? 'dive studies' : `dive ${kind}s`;
    throw new UserError(`no ${kind} named "${name}" (see \`${list}\`)`, [{ path: ['name'], message: `no ${kind} named "${name}"` }]);
  }
  return id;
}

export function takenBy(store: Store, kind: TrashKind, id: number, name: string): Taken {
  let datasets: number[] = [];
  let splits: number[] = [];
  let studies: number[] = [];
  let own: number[] = [];
  switch (kind) {
    case 'dataset':
      datasets = [id];
      splits = pluck(store, 'SELECT id FROM splits WHERE dataset_id = ? AND trash_id IS NULL ORDER BY id', id);
      break;
    case 'split':
      splits = [id];
      break;
    case 'study':
      studies = [id];
      own = pluck(store, 'SELECT r.id FROM study_runs sr JOIN runs r ON r.id = sr.run_id WHERE sr.study_id = ? AND r.trash_id IS NULL ORDER BY r.id', id);
      break;
    case 'run':
      own = [id];
      break;
  }
  if (splits.length) {
    studies = pluck(store, 'SELECT id FROM studies WHERE split_id IN (SELECT value FROM json_each(?)) AND trash_id IS NULL ORDER BY id', ids(splits));
    own = pluck(store, 'SELECT id FROM runs WHERE split_id IN (SELECT value FROM json_each(?)) AND trash_id IS NULL ORDER BY id', ids(splits));
  }
  const ownSet = new Set(own);
  const runs = runsWithStudents(store, own).map((r) => ({ id: r.id, name: r.name, split: r.split, status: r.status, study: r.study, studyId: r.study_id, student: !ownSet.has(r.id) }));
  return { root: { kind, id, name }, datasets, splits, studies, runs: runs.map(({ studyId: _s, ...r }) => r) };
}

/** Runs taken whose study stays (not taken): they leave it, their cell waits in trash_cells. */
export function runsLeavingStudies(store: Store, t: Taken): { runId: number; studyId: number; study: string; cell: string; run: string }[] {
  const taken = new Set(t.studies);
  const rows = store.db
    .prepare(
      `SELECT sr.run_id AS runId, sr.study_id AS studyId, st.name AS study, sr.cell, r.name AS run FROM study_runs sr
       JOIN studies st ON st.id = sr.study_id JOIN runs r ON r.id = sr.run_id WHERE sr.run_id IN (SELECT value FROM json_each(?)) ORDER BY sr.run_id`,
    )
    .all(ids(t.runs.map((r) => r.id))) as { runId: number; studyId: number; study: string; cell: string; run: string }[];
  return rows.filter((r) => !taken.has(r.studyId));
}

/** Bytes of the data files the rows hold: a dataset's pixels, a run's checkpoint and weights. */
export function bytesOf(store: Store, datasets: readonly number[], runs: readonly number[]): number {
  return store.db
    .prepare(
      `SELECT COALESCE(SUM(b.bytes), 0) FROM blobs b WHERE b.id IN (
         SELECT pixels_blob FROM dataset_parts WHERE dataset_id IN (SELECT value FROM json_each(?))
         UNION SELECT checkpoint_blob FROM runs WHERE id IN (SELECT value FROM json_each(?))
         UNION SELECT weights_blob FROM runs WHERE id IN (SELECT value FROM json_each(?)))`,
    )
    .pluck()
    .get(ids([...datasets]), ids([...runs]), ids([...runs])) as number;
}

/** Runs and studies among the rows that carry tags or a note. */
export function notesOf(store: Store, runs: readonly number[], studies: readonly number[]): number {
  const n = (sql: string, xs: readonly number[]) => store.db.prepare(sql).pluck().get(ids([...xs])) as number;
  return n('SELECT COUNT(*) FROM run_notes WHERE run_id IN (SELECT value FROM json_each(?))', runs) + n('SELECT COUNT(*) FROM study_notes WHERE study_id IN (SELECT value FROM json_each(?))', studies);
}

const namesOf = (store: Store, table: 'datasets' | 'splits' | 'studies', xs: readonly number[]) =>
  store.db.prepare(`SELECT name FROM ${table} WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id`).pluck().all(ids([...xs])) as string[];

export function planOf(store: Store, t: Taken): DeletePlan {
  const { kind, name } = t.root;
  const leaving = runsLeavingStudies(store, t);
  const losing = new Map<string, string[]>();
  for (const l of leaving) losing.set(l.study, [...(losing.get(l.study) ?? []), l.run]);
  const beyondRoot = t.datasets.length + t.splits.length + t.studies.length + t.runs.length - 1;
  return {
    kind,
    name,
    splits: namesOf(store, 'splits', t.splits),
    studies: namesOf(store, 'studies', t.studies),
    runs: t.runs.map(({ id: _id, ...r }) => r),
    notes: notesOf(store, t.runs.map((r) => r.id), t.studies),
    queued: t.runs.filter((r) => r.status === 'queued').map((r) => r.name),
    running: t.runs.filter((r) => r.status === 'running').map((r) => r.name),
    studiesLosingRuns: [...losing.entries()].map(([study, runs]) => ({ study, runs })),
    needsCascade: beyondRoot > 0,
    bytes: bytesOf(store, t.datasets, t.runs.map((r) => r.id)),
  };
}
