// The cached per-test-image predictions of a completed run (db/009_test_predictions.sql): written by
// the worker that computed them, read by the run page's confusion-matrix cells.
import { createHash } from 'node:crypto';
import { int32FromBlob, int32ToBlob } from './int32-blob';
import type { Store } from './store';

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** The sha256 of the run's weights file as recorded with its blob; null when the run has none. */
export function weightsSha256(store: Store, runId: number): string | null {
  const row = store.db.prepare('SELECT b.sha256 AS sha FROM runs r JOIN blobs b ON b.id = r.weights_blob WHERE r.id = ?').get(runId) as { sha: string } | undefined;
  return row?.sha ?? null;
}

export function savePredictions(store: Store, runId: number, weightsSha: string, predictions: Int32Array): void {
  const blob = int32ToBlob(predictions);
  store.db
    .prepare('INSERT OR REPLACE INTO run_predictions (run_id, weights_sha256, predictions, sha256) VALUES (?, ?, ?, ?)')
    .run(runId, weightsSha, blob, sha256(blob));
}

/**
 * The run's stored predictions, or null when there are none, they were computed from other weights
 * than the run's current ones, or their bytes no longer match their checksum (then they are recomputed).
 */
export function loadPredictions(store: Store, runId: number): Int32Array | null {
  const row = store.db.prepare('SELECT weights_sha256 AS w, predictions AS p, sha256 AS s FROM run_predictions WHERE run_id = ?').get(runId) as
    | { w: string; p: Uint8Array; s: string }
    | undefined;
  if (!row || row.w !== weightsSha256(store, runId) || sha256(row.p) !== row.s) return null;
  return int32FromBlob(row.p);
}
