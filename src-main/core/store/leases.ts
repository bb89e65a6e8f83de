// Leases of remote workers: every SQL statement that claims a queued run for a worker on another
// host, renews and checks its lease, and puts a run whose worker went silent (or whose cluster job
// died) back in the queue. A remote run is 'running' with a lease id and an expiry instead of a
// worker pid; the epoch records and checkpoints it posts go through runs.ts like a local worker's.
import { randomBytes } from 'node:crypto';
import type { Store } from './handle';
import { APPEND_ATTEMPT, requeueRuns, type NewAttempt } from './runs';

/** A run that dies this many times on remote workers ends failed instead of looping. */
export const MAX_ATTEMPTS = 5;

export type ClaimResult = { kind: 'run'; id: number; leaseId: string } | { kind: 'wait' } | { kind: 'none' };

export interface ClaimScope {
  /** only runs of this study */
  study?: string;
  /** only this run */
  run?: string;
}

const SCOPE = `(@study IS NULL OR r.id IN (SELECT sr.run_id FROM study_runs sr JOIN studies st ON st.id = sr.study_id WHERE st.name = @study))
  AND (@run IS NULL OR r.name = @run)`;

/**
 * Claims the next startable queued run in scope for a remote worker (highest priority, then
 * oldest; a student waits for its teacher). The run becomes 'running' under a fresh lease at once:
 * a remote worker has no pid this machine could check. 'wait': runs in scope are queued but wait
 * for a teacher still training; 'none': nothing in scope is left to start.
 */
export function claimRemote(store: Store, scope: ClaimScope, leaseMs: number, jobId: string | null): ClaimResult {
  const params = { study: scope.study ?? null, run: scope.run ?? null };
  return store.db
    .transaction((): ClaimResult => {
      const id = store.db
        .prepare(
          `SELECT r.id FROM runs r LEFT JOIN runs t ON t.id = r.teacher_id
           WHERE r.status = 'queued' AND (r.claimed_by IS NULL OR r.executor = 'slurm') AND (r.teacher_id IS NULL OR t.status = 'completed') AND ${SCOPE}
           ORDER BY r.priority DESC, r.id LIMIT 1`,
        )
        .pluck()
        .get(params) as number | undefined;
      if (id === undefined) {
        const waiting = store.db
          .prepare(
            `SELECT COUNT(*) FROM runs r JOIN runs t ON t.id = r.teacher_id
             WHERE r.status = 'queued' AND t.status IN ('queued', 'running') AND ${SCOPE}`,
          )
          .pluck()
          .get(params) as number;
        return { kind: waiting > 0 ? 'wait' : 'none' };
      }
      const leaseId = randomBytes(16).toString('hex');
      const now = Date.now();
      store.db
        .prepare(
          `UPDATE runs SET status = 'running', error = NULL, worker_pid = NULL, cancel_requested = 0, lease_id = ?, lease_expires_at = ?,
             heartbeat_at = ?, attempts = attempts + 1, job_id = COALESCE(?, job_id), job_state = CASE WHEN ? IS NULL THEN job_state ELSE 'RUNNING' END,
             job_reason = NULL, started_at = COALESCE(started_at, strftime('%Y-%m-%dT%H:%M:%fZ', 'now')), finished_at = NULL
           WHERE id = ?`,
        )
        .run(leaseId, now + leaseMs, now, jobId, jobId, id);
      return { kind: 'run', id, leaseId };
    })
    .immediate();
}

/** The run is still this lease's: running under it (an expired lease not yet taken back still holds). */
export function leaseHolds(store: Store, id: number, leaseId: string): boolean {
  return store.db.prepare(`SELECT 1 FROM runs WHERE id = ? AND status = 'running' AND lease_id = ?`).get(id, leaseId) !== undefined;
}

/** Extends the lease; returns whether a cancel was requested, or null when the lease is lost. */
export function renewLease(store: Store, id: number, leaseId: string, leaseMs: number): { cancel: boolean } | null {
  const now = Date.now();
  const info = store.db
    .prepare(`UPDATE runs SET lease_expires_at = ?, heartbeat_at = ? WHERE id = ? AND status = 'running' AND lease_id = ?`)
    .run(now + leaseMs, now, id, leaseId);
  if (info.changes === 0) return null;
  const row = store.db.prepare('SELECT cancel_requested FROM runs WHERE id = ?').get(id) as { cancel_requested: number };
  return { cancel: row.cancel_requested === 1 };
}

/**
 * Records the backend the remote worker trains with, and its attempt in the run's provenance. A
 * `started` the worker sends again (its first answer was lost) adds no second entry.
 */
export function setRemoteBackend(store: Store, id: number, leaseId: string, name: string, report: string, attempt: NewAttempt): boolean {
  return store.db
    .prepare(
      `UPDATE runs SET backend = @name, backend_report = @report,
         provenance = CASE WHEN json_extract(provenance, '$[#-1].worker') IS @worker AND json_extract(provenance, '$[#-1].pid') IS @pid
             AND json_extract(provenance, '$[#-1].resumedFrom') = epochs_done AND json_extract(provenance, '$[#-1].executor') = @executor
           THEN provenance ELSE ${APPEND_ATTEMPT.replace(/^provenance = /, '')} END
       WHERE id = @id AND status = 'running' AND lease_id = @lease`,
    )
    .run({ name, report, id, lease: leaseId, attempt: JSON.stringify(attempt), worker: attempt.worker, pid: attempt.pid, executor: attempt.executor }).changes === 1;
}

/**
 * Takes a running remote run back: to the queue (it resumes from its last committed checkpoint),
 * or cancelled when a cancel was requested, or failed after MAX_ATTEMPTS. `leaseId` null: whatever
 * lease it holds (the scheduler says its job died). Returns the status it got, or null if it was not held.
 */
export function takeBack(store: Store, id: number, leaseId: string | null, reason: string): 'queued' | 'cancelled' | 'failed' | null {
  return store.db.transaction(() => {
    const row = store.db.prepare(`SELECT cancel_requested, attempts FROM runs WHERE id = ? AND status = 'running' AND lease_id IS NOT NULL AND (? IS NULL OR lease_id = ?)`).get(id, leaseId, leaseId) as
      | { cancel_requested: number; attempts: number }
      | undefined;
    if (!row) return null;
    const status = row.cancel_requested === 1 ? 'cancelled' : row.attempts >= MAX_ATTEMPTS ? 'failed' : 'queued';
    // a cluster executor's run stays in its hands (claimed_by: its pid) for its next task
    if (status === 'queued') {
      requeueRuns(store, [id], { keepCluster: true, reason });
      return status;
    }
    const error = status === 'failed' ? `its worker was lost ${row.attempts} times (last: ${reason}); resume it with \`dive resume\` once the cause is fixed` : null;
    store.db
      .prepare(
        `UPDATE runs SET status = ?, error = ?, lease_id = NULL, lease_expires_at = NULL, worker_pid = NULL,
           claimed_by = CASE WHEN executor = 'slurm' THEN claimed_by ELSE NULL END, job_reason = ?,
           cancel_requested = 0, heartbeat_at = ?, finished_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
         WHERE id = ?`,
      )
      .run(status, error, reason, Date.now(), id);
    return status;
  }).immediate();
}

/** Running remote runs whose lease expired go back to the queue. Returns their ids. */
export function expireLeases(store: Store, now = Date.now()): number[] {
  const ids = store.db.prepare(`SELECT id FROM runs WHERE status = 'running' AND lease_id IS NOT NULL AND lease_expires_at < ?`).pluck().all(now) as number[];
  return ids.filter((id) => takeBack(store, id, null, 'its worker stopped heartbeating (lease expired)') !== null);
}

/** Ends a lease with the run's final state (completed rows are written by markCompleted first). */
export function clearLease(store: Store, id: number): void {
  store.db.prepare('UPDATE runs SET lease_id = NULL, lease_expires_at = NULL WHERE id = ?').run(id);
}

/**
 * Puts queued runs in a cluster executor's hands: claimed by its process (`pid`), so local executors
 * leave them to remote workers while it lives, and take them back (releaseDeadClaims) once it is gone.
 */
export function assignExecutor(store: Store, ids: readonly number[], executor: string, pid: number, jobId: string | null, state: string | null): void {
  const up = store.db.prepare(`UPDATE runs SET executor = ?, claimed_by = ?, job_id = COALESCE(?, job_id), job_state = COALESCE(?, job_state), job_reason = NULL WHERE id = ? AND status = 'queued'`);
  store.db.transaction(() => ids.forEach((id) => up.run(executor, pid, jobId, state, id))).immediate();
}

/** A cluster executor that stops hands its queued runs back to the ordinary queue. */
export function releaseExecutor(store: Store, ids: readonly number[]): void {
  const up = store.db.prepare(`UPDATE runs SET claimed_by = NULL, executor = NULL WHERE id = ? AND status = 'queued' AND executor IS NOT NULL`);
  store.db.transaction(() => ids.forEach((id) => up.run(id))).immediate();
}

export interface JobRow {
  id: number;
  name: string;
  status: string;
  jobId: string | null;
  jobState: string | null;
  cancelRequested: boolean;
}

/** The runs of a study with their scheduler job (one query). */
export function studyJobs(store: Store, study: string): JobRow[] {
  const rows = store.db
    .prepare(
      `SELECT r.id, r.name, r.status, r.job_id, r.job_state, r.cancel_requested FROM runs r
       JOIN study_runs sr ON sr.run_id = r.id JOIN studies st ON st.id = sr.study_id WHERE st.name = ? ORDER BY r.id`,
    )
    .all(study) as { id: number; name: string; status: string; job_id: string | null; job_state: string | null; cancel_requested: number }[];
  return rows.map((r) => ({ id: r.id, name: r.name, status: r.status, jobId: r.job_id, jobState: r.job_state, cancelRequested: r.cancel_requested === 1 }));
}

/** What the scheduler says of a run's job. */
export function setJobState(store: Store, id: number, state: string, reason: string | null): void {
  store.db.prepare('UPDATE runs SET job_state = ?, job_reason = ? WHERE id = ?').run(state, reason, id);
}

/** A stored file by its SHA-256, if this store has one (dataset pixels, weights, checkpoints). */
export function blobPathBySha(store: Store, sha256: string): string | null {
  const row = store.db.prepare('SELECT path FROM blobs WHERE sha256 = ? LIMIT 1').get(sha256) as { path: string } | undefined;
  return row ? row.path : null;
}

/** A study's runs as a cluster executor needs them: queued ones that can start now, queued ones waiting for a teacher that may still complete, running ones. */
export function studyQueue(store: Store, study: string): { startable: number[]; waiting: number; running: number } {
  const rows = store.db
    .prepare(
      `SELECT r.id, r.status, t.status AS teacher_status, r.teacher_id FROM runs r LEFT JOIN runs t ON t.id = r.teacher_id
       JOIN study_runs sr ON sr.run_id = r.id JOIN studies st ON st.id = sr.study_id
       WHERE st.name = ? AND r.status IN ('queued', 'running') ORDER BY r.priority DESC, r.id`,
    )
    .all(study) as { id: number; status: string; teacher_status: string | null; teacher_id: number | null }[];
  const queued = rows.filter((r) => r.status === 'queued');
  return {
    startable: queued.filter((r) => r.teacher_id === null || r.teacher_status === 'completed').map((r) => r.id),
    waiting: queued.filter((r) => r.teacher_id !== null && (r.teacher_status === 'queued' || r.teacher_status === 'running')).length,
    running: rows.filter((r) => r.status === 'running').length,
  };
}
