// The owning store's side of the worker API (docs/scale-out.md): claims a run for a remote worker
// under a lease, tells it what to fetch (by SHA-256), and commits what it posts back exactly as a
// local worker would (an epoch record and its checkpoint in one transaction; weights and metrics at
// the end). Every call but a claim names its lease; a lost lease (expired and taken back, or the
// run deleted) is refused, so a worker that was given up on cannot write into a resumed run.
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../domain/errors';
import type { ClaimAnswer, ClaimRequest, EpochBody, FinishBody, HeartbeatBody, ReleaseBody, StartedBody } from '../domain/worker-wire';
import type { z } from 'zod';
import { datasetPart, getDataset } from '../store/datasets';
import { claimRemote, blobPathBySha, clearLease, expireLeases, leaseHolds, renewLease, setRemoteBackend, takeBack } from '../store/leases';
import { addWarning, markCompleted, markEnded, recordEpoch, runDir, runRow } from '../store/runs';
import { getSplit, splitIndices } from '../store/splits';
import type { Store } from '../store/store';
import { saveVirtualExamples } from '../store/virtual-examples';
import { checkWorkerToken } from '../store/worker-tokens';
import { writeFileAtomic } from '../train/checkpoint';

/** A lease the worker renews every quarter of it; long enough for an evaluation pass between batches. */
export const DEFAULT_LEASE_MS = 120_000;

export class LeaseLost extends UserError {}

export interface RemoteWork {
  /** the token's name, or null (unknown or revoked) */
  authenticate(token: string): string | null;
  claim(req: ClaimRequest): ClaimAnswer;
  started(runId: number, body: z.infer<typeof StartedBody>): void;
  heartbeat(runId: number, body: z.infer<typeof HeartbeatBody>): { cancel: boolean };
  epoch(runId: number, body: z.infer<typeof EpochBody>, checkpoint: Uint8Array): void;
  finish(runId: number, body: z.infer<typeof FinishBody>, weights: Uint8Array): void;
  release(runId: number, body: z.infer<typeof ReleaseBody>): void;
  /** absolute path of a stored file with this SHA-256, or null */
  blob(sha256: string): string | null;
  /** takes back runs whose lease expired; their ids */
  expire(): number[];
}

const b64 = (a: Int32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

function checkFile(what: string, bytes: Uint8Array, ref: { sha256: string; bytes: number }): void {
  if (bytes.length !== ref.bytes || sha(bytes) !== ref.sha256) {
    throw new UserError(`${what}: the uploaded bytes do not match the announced size and SHA-256 (${ref.bytes} bytes, ${ref.sha256.slice(0, 12)}…); upload it again`);
  }
}

export function remoteWork(store: Store, opts: { leaseMs?: number } = {}): RemoteWork {
  const leaseMs = opts.leaseMs ?? DEFAULT_LEASE_MS;
  const hold = (runId: number, leaseId: string) => {
    if (!leaseHolds(store, runId, leaseId)) throw new LeaseLost(`run ${runId}: this worker's lease is lost (it expired and the run was given to another worker, or the run was cancelled or deleted); stop training it`);
  };
  const blobRef = (id: number | null) => {
    if (id == null) return null;
    return store.db.prepare('SELECT sha256, bytes FROM blobs WHERE id = ?').get(id) as { sha256: string; bytes: number };
  };

  const job = (id: number, leaseId: string): ClaimAnswer => {
    const r = runRow(store, id);
    const split = getSplit(store, r.split_id);
    const ds = getDataset(store, split.datasetId);
    const train = datasetPart(store, ds.id, 'train');
    const test = datasetPart(store, ds.id, 'test');
    const teacher = r.teacher_id != null ? runRow(store, r.teacher_id) : null;
    const teacherWeights = teacher ? blobRef(teacher.weights_blob) : null;
    if (teacher && !teacherWeights) throw new UserError(`run ${r.name}: its teacher ${teacher.name} has no weights file`);
    return {
      kind: 'run',
      job: {
        id: r.id,
        name: r.name,
        leaseId,
        leaseMs,
        config: JSON.parse(r.config),
        epochsDone: r.epochs_done,
        checkpoint: r.epochs_done > 0 ? blobRef(r.checkpoint_blob) : null,
        teacher: teacher && teacherWeights ? { name: teacher.name, weights: teacherWeights } : null,
        init: r.epochs_done > 0 ? null : blobRef(r.init_blob),
        data: {
          imageShape: ds.imageShape,
          numClasses: ds.numClasses,
          classNames: ds.classNames,
          classCounts: split.counts,
          groups: split.groups,
          trainPixels: { sha256: train.sha256, bytes: train.bytes },
          testPixels: { sha256: test.sha256, bytes: test.bytes },
          trainLabels: b64(train.labels),
          indices: b64(splitIndices(store, split.id)),
          testLabels: b64(test.labels),
        },
      },
    };
  };

  return {
    authenticate: (token) => checkWorkerToken(store, token),
    claim(req) {
      expireLeases(store);
      const c = claimRemote(store, { study: req.study, run: req.run }, leaseMs, req.jobId ?? null);
      if (c.kind !== 'run') return c;
      try {
        return job(c.id, c.leaseId);
      } catch (e) {
        // a run that cannot be described (its teacher's weights are gone) fails instead of looping
        markEnded(store, c.id, 'failed', e instanceof Error ? e.message : String(e));
        clearLease(store, c.id);
        throw e;
      }
    },
    started(runId, body) {
      hold(runId, body.leaseId);
      // stored as the worker reported it; readers parse backend_report as a BackendReport
      setRemoteBackend(store, runId, body.leaseId, body.backend.name, JSON.stringify(body.backend));
    },
    heartbeat(runId, body) {
      const beat = renewLease(store, runId, body.leaseId, leaseMs);
      if (!beat) hold(runId, body.leaseId);
      for (const w of body.warnings ?? []) addWarning(store, runId, w);
      return beat ?? { cancel: true };
    },
    epoch(runId, body, checkpoint) {
      hold(runId, body.leaseId);
      checkFile(`run ${runId} checkpoint of epoch ${body.record.epoch}`, checkpoint, body.checkpoint);
      const dir = runDir(store, runId);
      mkdirSync(dir, { recursive: true });
      const file = writeFileAtomic(join(dir, 'checkpoint.bin'), [checkpoint]);
      recordEpoch(store, runId, { ...body.record, valAcc: body.record.valAcc ?? null }, file);
      renewLease(store, runId, body.leaseId, leaseMs);
    },
    finish(runId, body, weights) {
      hold(runId, body.leaseId);
      checkFile(`run ${runId} weights`, weights, body.weights);
      const r = runRow(store, runId);
      const dir = runDir(store, runId);
      mkdirSync(dir, { recursive: true });
      const file = writeFileAtomic(join(dir, 'weights.bin'), [weights]);
      markCompleted(store, runId, { metrics: body.metrics, imagesPerSecond: body.imagesPerSecond, weights: file });
      clearLease(store, runId);
      if (body.virtualExamples && r.teacher_id != null) saveVirtualExamples(store, r.teacher_id, body.virtualExamples);
    },
    release(runId, body) {
      hold(runId, body.leaseId);
      if (body.status === 'interrupted') {
        takeBack(store, runId, body.leaseId, body.error ?? 'its worker was stopped');
        return;
      }
      markEnded(store, runId, body.status, body.error);
      clearLease(store, runId);
    },
    blob(sha256) {
      const rel = blobPathBySha(store, sha256);
      return rel === null ? null : join(store.dataDir, rel);
    },
    expire: () => expireLeases(store),
  };
}
