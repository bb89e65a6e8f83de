// A run's confusion matrix on disk: its non-zero cells in their own row (db/014), Int32 triples
// (true, predicted, count) with a SHA-256 checked on read, so the size grows with the test set,
// never with classes squared; the metrics JSON keeps the rest. What getRun answers with is the
// full matrix up to CLASS_MATRIX_MAX classes, above it per-class precision and the largest
// confusions (and every cell when asked). Runs stored before keep their dense matrix in the JSON:
// read the same way.
import { createHash } from 'node:crypto';
import { UserError } from '../domain/errors';
import { CLASS_MATRIX_MAX, TOP_CONFUSIONS, type ConfusionCell } from '../domain/many-classes';
import type { RunMetrics } from '../domain/types';
import { cellsOfRows, denseRows, precisionOf, topConfusions } from '../eval/confusion-summary';
import type { Store } from './handle';

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

function encode(cells: readonly ConfusionCell[]): Buffer {
  const a = new Int32Array(cells.length * 3);
  cells.forEach(([t, p, n], i) => a.set([t, p, n], i * 3));
  // little-endian on every platform Node runs on; written through a Buffer view of the same bytes
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

function decode(b: Buffer): ConfusionCell[] {
  const a = new Int32Array(b.length / 4);
  new Uint8Array(a.buffer).set(b);
  const out: ConfusionCell[] = [];
  for (let i = 0; i < a.length; i += 3) out.push([a[i], a[i + 1], a[i + 2]]);
  return out;
}

/**
 * The metrics as stored: the JSON without the matrix, and the cells for run_confusion (from the
 * training's cells, or from a dense matrix a remote worker or an older one sent).
 */
export function splitConfusion(m: RunMetrics): { json: RunMetrics; cells: ConfusionCell[] | null; classes: number } {
  const { confusion, confusionCells, precision: _p, topConfusions: _t, ...json } = m;
  const cells = confusionCells ?? (confusion ? cellsOfRows(confusion) : null);
  return { json, cells, classes: confusion?.length ?? m.perClass.length };
}

/** Writes (or replaces) a run's cells; call inside the transaction that writes its metrics. */
export function saveConfusion(store: Store, runId: number, classes: number, cells: readonly ConfusionCell[]): void {
  const blob = encode(cells);
  store.db.prepare('INSERT OR REPLACE INTO run_confusion (run_id, classes, cells, sha256) VALUES (?, ?, ?, ?)').run(runId, classes, blob, sha(blob));
}

function storedCells(store: Store, runId: number, name: string): { classes: number; cells: ConfusionCell[] } | null {
  const row = store.db.prepare('SELECT classes, cells, sha256 FROM run_confusion WHERE run_id = ?').get(runId) as { classes: number; cells: Buffer; sha256: string } | undefined;
  if (!row) return null;
  if (row.cells.length % 12 !== 0 || sha(row.cells) !== row.sha256) {
    throw new UserError(`run "${name}": its stored confusion matrix is damaged (checksum mismatch); delete the run and train it again`);
  }
  return { classes: row.classes, cells: decode(row.cells) };
}

/**
 * The metrics as getRun answers: the full matrix up to CLASS_MATRIX_MAX classes, above it
 * precision and the TOP_CONFUSIONS largest confusions; with `withCells`, every non-zero cell too.
 */
export function answerConfusion(store: Store, runId: number, name: string, metrics: RunMetrics, withCells = false): RunMetrics {
  const stored = storedCells(store, runId, name);
  const legacy = metrics.confusion;
  const classes = stored?.classes ?? legacy?.length ?? metrics.perClass.length;
  const cells = stored?.cells ?? (legacy ? cellsOfRows(legacy) : null);
  const { confusion: _c, confusionCells: _cc, ...rest } = metrics;
  if (!cells) return rest;
  const out: RunMetrics = classes <= CLASS_MATRIX_MAX
    ? { ...rest, confusion: legacy ?? denseRows(cells, classes) }
    : { ...rest, precision: precisionOf(cells, classes), topConfusions: topConfusions(cells, classes, TOP_CONFUSIONS) };
  return withCells ? { ...out, confusionCells: cells } : out;
}
