// The persistent run queue: every SQL statement that orders, claims and re-prioritises queued runs.
// A run is queued in `runs` (status 'queued'); an executor claims it (claimed_by = its pid) inside
// an immediate transaction that also counts what is in flight, so executors in several processes
// share one concurrency limit and never launch the same run twice.
import type { QueueEntry } from '../domain/study-types';
import type { RunStatus } from '../domain/types';
import { UserError } from '../domain/errors';
import { processAlive } from '../process';
import { runRow } from './runs';
import type { Store } from './store';


interface QueueRow {
  name: string;
  status: RunStatus;
  method: string;
  model: string;
  split: string;
  teacher: string | null;
  teacher_status: RunStatus | null;
  priority: number;
  study: string | null;
  epochs_done: number;
  epochs: number;
  claimed_by: number | null;
  created_at: string;
  executor: string | null;
  job_id: string | null;
  job_state: string | null;
  job_reason: string | null;
}

/** Running runs first (oldest first), then queued runs in start order. One query. */
export function queueView(store: Store): QueueEntry[] {
  const rows = store.db
    .prepare(
      `SELECT r.name, r.status, r.method, r.model, s.name AS split, t.name AS teacher, t.status AS teacher_status, r.priority,
              st.name AS study, r.epochs_done, r.epochs, r.claimed_by, r.created_at,
              r.executor, r.job_id, r.job_state, r.job_reason
       FROM runs r JOIN splits s ON s.id = r.split_id
       LEFT JOIN runs t ON t.id = r.teacher_id
       LEFT JOIN study_runs sr ON sr.run_id = r.id LEFT JOIN studies st ON st.id = sr.study_id
       WHERE r.status IN ('running', 'queued')
       ORDER BY r.status = 'queued', r.priority DESC, r.id`,
    )
    .all() as QueueRow[];
  let position = 0;
  return rows.map((r) => ({
    position: r.status === 'queued' ? ++position : null,
    name: r.name,
    status: r.status,
    method: r.method,
    model: r.model,
    split: r.split,
    teacher: r.teacher,
    blockedBy: r.status === 'queued' && r.teacher != null && r.teacher_status !== 'completed' ? `teacher ${r.teacher} is ${r.teacher_status}` : null,
    priority: r.priority,
    study: r.study,
    epochsDone: r.epochs_done,
    epochs: r.epochs,
    claimedBy: r.claimed_by,
    createdAt: r.created_at,
    executor: r.executor ?? 'local',
    jobId: r.job_id,
    jobState: r.job_state,
    jobReason: r.job_reason,
  }));
}

/** Claims of executors whose process is gone are dropped, so another executor can launch those runs. */
export function releaseDeadClaims(store: Store): number {
  const rows = store.db.prepare(`SELECT id, claimed_by FROM runs WHERE status = 'queued' AND claimed_by IS NOT NULL`).all() as { id: number; claimed_by: number }[];
  let n = 0;
  for (const r of rows) {
    if (r.claimed_by !== process.pid && !processAlive(r.claimed_by)) {
      store.db.prepare(`UPDATE runs SET claimed_by = NULL WHERE id = ? AND status = 'queued'`).run(r.id);
      n++;
    }
  }
  return n;
}

/**
 * Runs in flight on this machine, whichever process launched them: running, or claimed and starting.
 * A run held by a remote worker's lease, or waiting for one in a cluster executor's hands, takes no local slot.
 */
export function inFlight(store: Store): number {
  return store.db.prepare(`SELECT COUNT(*) FROM runs WHERE (status = 'running' AND lease_id IS NULL) OR (status = 'queued' AND claimed_by IS NOT NULL AND IFNULL(executor, 'local') = 'local')`).pluck().get() as number;
}

/**
 * Claims the next startable queued run for executor `pid` when fewer than `limit` runs are in
 * flight: highest priority, then oldest; a run whose teacher is not completed waits. `only`
 * restricts the claim to some runs (`dive train` launches its own run, not the whole queue). A run
 * a cluster executor holds (claimed_by = its pid, executor 'slurm') is left to its remote workers
 * until that process is gone; a local claim makes the run 'local' again.
 * Returns the run id, or null.
 */
export function claimNext(store: Store, pid: number, limit: number, only?: readonly number[]): number | null {
  const claim = store.db.transaction((): number | null => {
    if (inFlight(store) >= limit) return null;
    const id = store.db
      .prepare(
        `SELECT r.id FROM runs r LEFT JOIN runs t ON t.id = r.teacher_id
         WHERE r.status = 'queued' AND r.claimed_by IS NULL AND (r.teacher_id IS NULL OR t.status = 'completed')
           AND (@only IS NULL OR r.id IN (SELECT value FROM json_each(@only)))
         ORDER BY r.priority DESC, r.id LIMIT 1`,
      )
      .pluck()
      .get({ only: only ? JSON.stringify(only) : null }) as number | undefined;
    if (id === undefined) return null;
    store.db.prepare('UPDATE runs SET claimed_by = ?, executor = NULL, job_id = NULL, job_state = NULL, job_reason = NULL WHERE id = ?').run(pid, id);
    return id;
  });
  // IMMEDIATE: the count and the claim happen under one write lock across processes
  return claim.immediate();
}

/**
 * Queued runs (of `only`, when given) that can still start: their teacher is completed or may
 * complete (queued or running). A run whose teacher failed or was cancelled waits for a person.
 */
export function pendingCount(store: Store, only?: readonly number[]): number {
  return store.db
    .prepare(
      `SELECT COUNT(*) FROM runs r LEFT JOIN runs t ON t.id = r.teacher_id
       WHERE r.status IN ('queued', 'running') AND (r.teacher_id IS NULL OR t.status IN ('completed', 'queued', 'running'))
         AND (@only IS NULL OR r.id IN (SELECT value FROM json_each(@only)))`,
    )
    .pluck()
    .get({ only: only ? JSON.stringify(only) : null }) as number;
}

/** Moves a queued run up (higher) or down (lower) the queue. */
export function setPriority(store: Store, ref: string, priority: number): void {
  const r = runRow(store, ref);
  if (r.status !== 'queued') throw new UserError(`run "${r.name}" is ${r.status}; only a queued run can be re-prioritised`);
  if (!Number.isInteger(priority)) throw new UserError(`priority: must be a whole number, got ${priority}`, [{ path: ['priority'], message: 'must be a whole number' }]);
  store.db.prepare('UPDATE runs SET priority = ? WHERE id = ?').run(priority, r.id);
}

/**
 * Runs left "interrupted" (their worker or their executor died) go back to the queue; the worker
 * continues each from its last epoch checkpoint. Returns their ids.
 */
export function requeueInterrupted(store: Store): number[] {
  return store.db.transaction(() => {
    const ids = store.db.prepare(`SELECT id FROM runs WHERE status = 'interrupted' AND trash_id IS NULL ORDER BY id`).pluck().all() as number[];
    const up = store.db.prepare(`UPDATE runs SET status = 'queued', error = NULL, finished_at = NULL, cancel_requested = 0, claimed_by = NULL, heartbeat_at = ? WHERE id = ?`);
    for (const id of ids) up.run(Date.now(), id);
    return ids;
  })();
}
