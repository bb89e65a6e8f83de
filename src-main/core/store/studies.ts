// Every SQL statement on studies and their cells. A study's runs are ordinary runs; study_runs
// records which planned cell each one fills.
import type { RunStatus } from '../domain/types';
import { fieldError, UserError } from '../domain/errors';
import type { Store } from './store';

export interface StudyRow {
  id: number;
  name: string;
  splitId: number;
  split: string;
  /** the JSON StudySpec as written (parsed by app/study-plan.ts) */
  spec: string;
  createdAt: string;
}

export interface StudyCellRow {
  cell: string;
  runId: number;
  run: string;
  status: RunStatus;
  epochsDone: number;
}

interface RawStudy {
  id: number;
  name: string;
  split_id: number;
  split: string;
  spec: string;
  created_at: string;
}

const toStudy = (r: RawStudy): StudyRow => ({ id: r.id, name: r.name, splitId: r.split_id, split: r.split, spec: r.spec, createdAt: r.created_at });
const SELECT = `SELECT st.id, st.name, st.split_id, s.name AS split, st.spec, st.created_at FROM studies st JOIN splits s ON s.id = st.split_id`;

export function insertStudy(store: Store, name: string, splitId: number, spec: object): number {
  if (store.db.prepare('SELECT 1 FROM studies WHERE name = ?').get(name)) throw fieldError(`a study named "${name}" already exists (see \`dive studies\`)`, ['name'], `a study named "${name}" already exists; choose another name`);
  return Number(store.db.prepare('INSERT INTO studies (name, split_id, spec) VALUES (?, ?, ?)').run(name, splitId, JSON.stringify(spec)).lastInsertRowid);
}

export function studyRow(store: Store, name: string): StudyRow {
  const r = store.db.prepare(`${SELECT} WHERE st.name = ?`).get(name) as RawStudy | undefined;
  if (!r) throw new UserError(`no study named "${name}" (see \`dive studies\`)`, [{ path: [], message: `no study named "${name}"` }]);
  return toStudy(r);
}

export function listStudyRows(store: Store): (StudyRow & { runs: number; completed: number })[] {
  const rows = store.db
    .prepare(
      `SELECT st.id, st.name, st.split_id, s.name AS split, st.spec, st.created_at,
              COUNT(sr.run_id) AS runs, COALESCE(SUM(r.status = 'completed'), 0) AS completed
       FROM studies st JOIN splits s ON s.id = st.split_id
       LEFT JOIN study_runs sr ON sr.study_id = st.id LEFT JOIN runs r ON r.id = sr.run_id
       WHERE st.trash_id IS NULL GROUP BY st.id ORDER BY st.id`,
    )
    .all() as (RawStudy & { runs: number; completed: number })[];
  return rows.map((r) => ({ ...toStudy(r), runs: r.runs, completed: r.completed }));
}

export function studyCells(store: Store, studyId: number): StudyCellRow[] {
  return (store.db
    .prepare(`SELECT sr.cell, r.id AS runId, r.name AS run, r.status, r.epochs_done AS epochsDone FROM study_runs sr JOIN runs r ON r.id = sr.run_id WHERE sr.study_id = ? ORDER BY r.id`)
    .all(studyId) as StudyCellRow[]);
}

export function insertStudyCell(store: Store, studyId: number, cell: string, runId: number): void {
  store.db.prepare('INSERT INTO study_runs (study_id, cell, run_id) VALUES (?, ?, ?)').run(studyId, cell, runId);
}

export function deleteStudyRow(store: Store, studyId: number): void {
  store.db.prepare('DELETE FROM studies WHERE id = ?').run(studyId);
}
