// Remote workers without training: worker tokens (hashed, revocable), leases (claim, renew, expiry,
// take-back, retry limit, local executors leaving cluster runs alone), and the worker API over HTTP
// with its checks: token, Origin, lease, checksum of uploads, size and rate limits.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { createService, type Service } from '../../src-main/core/app/service';
import { remoteWork } from '../../src-main/core/app/remote-service';
import { TrainRequestSchema } from '../../src-main/core/domain/run-requests';
import { parseRunConfig } from '../../src-main/core/domain/run-config';
import { frameUpload } from '../../src-main/core/domain/worker-wire';
import { encodeCheckpoint } from '../../src-main/core/train/checkpoint';
import { commitDataset } from '../../src-main/core/store/datasets';
import { RecordWriter, Staging } from '../../src-main/core/store/files';
import { assignExecutor, claimRemote, expireLeases, MAX_ATTEMPTS, renewLease, takeBack } from '../../src-main/core/store/leases';
import { claimNext, inFlight, queueView, releaseDeadClaims } from '../../src-main/core/store/queue';

const DEAD_PID = 2 ** 22 + 12345; // above Linux's pid_max: no such process
import { getRun, insertRun } from '../../src-main/core/store/runs';
import type { Store } from '../../src-main/core/store/store';
import { checkWorkerToken, createWorkerToken, listWorkerTokens, revokeWorkerToken } from '../../src-main/core/store/worker-tokens';
import { RateLimiter } from '../../src-main/server/rate-limit';
import { workerHandler } from '../../src-main/server/worker-api';
import { startWorkerServer, type RunningWorkerServer } from '../../src-main/server/worker-server';
import { tempStore, type TempStore } from '../helpers/fixtures';

let t: TempStore;
let store: Store;
let svc: Service;

beforeEach(() => {
  t = tempStore();
  store = t.store;
  svc = createService(store);
  const staging = new Staging(store.dataDir);
  const part = (labels: number[], file: string, fill: number) => {
    const w = new RecordWriter(staging.path(file), 4);
    w.append(new Uint8Array(labels.length * 4).fill(fill));
    return { pixels: w.close(), labels: Int32Array.from(labels) };
  };
  commitDataset(store, 'd', staging, {
    format: 'folder', source: {}, imageShape: [2, 2, 1], classNames: ['a', 'b'],
    train: part([0, 0, 0, 1], 'train.u8', 7), test: part([0, 1], 'test.u8', 9),
  });
  svc.createSplit({ dataset: 'd', name: 's', ratio: 3, maxPerClass: 3 });
});
afterEach(() => t.cleanup());

const run = (name: string) => svc.createRun(TrainRequestSchema.parse({ split: 's', name, config: { method: 'ce', model: 'mlp', epochs: 2 } })).id;
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

describe('worker tokens', () => {
  it('are shown once, stored as their SHA-256, and refused once revoked', () => {
    const { token } = createWorkerToken(store, 'node-1');
    assert.match(token, /^dwt_[\w-]{43}$/);
    const stored = store.db.prepare('SELECT token_hash FROM worker_tokens').pluck().all();
    assert.deepEqual(stored, [createHash('sha256').update(token).digest('hex')]);
    assert.equal(checkWorkerToken(store, token), 'node-1');
    assert.equal(checkWorkerToken(store, token + 'x'), null);
    assert.throws(() => createWorkerToken(store, 'node-1'), /already exists/);
    assert.throws(() => createWorkerToken(store, 'a b'), /use 1-64 letters/);
    revokeWorkerToken(store, 'node-1');
    assert.equal(checkWorkerToken(store, token), null);
    assert.throws(() => revokeWorkerToken(store, 'node-1'), /already revoked/);
    assert.throws(() => revokeWorkerToken(store, 'nope'), /no worker token named "nope"/);
    assert.equal(listWorkerTokens(store)[0].revokedAt !== null, true);
  });
});

describe('leases', () => {
  it('claim a run for a remote worker, keep it out of the local slots, and hold students for their teacher', () => {
    const teacher = run('teacher');
    const student = insertRun(store, { name: 'student', splitId: 1, teacherId: teacher, method: 'kd', model: 'mlp', config: parseRunConfig({ method: 'kd' }) });
    const c = claimRemote(store, {}, 60_000, '7_1');
    assert.deepEqual(c.kind === 'run' && c.id, teacher);
    assert.equal(getRun(store, teacher).status, 'running');
    assert.equal(inFlight(store), 0, 'a remote run takes no local slot');
    assert.deepEqual(claimRemote(store, {}, 60_000, null), { kind: 'wait' }, 'the student waits for its running teacher');
    assert.deepEqual(claimRemote(store, { run: 'nothing-like-it' }, 60_000, null), { kind: 'none' });
    const q = queueView(store).find((e) => e.name === 'teacher')!;
    assert.deepEqual([q.jobId, q.jobState], ['7_1', 'RUNNING']);
    // a run in a live Slurm executor's hands is left to remote workers and takes no local slot
    assignExecutor(store, [student], 'slurm', process.pid, '8', 'PENDING');
    store.db.prepare(`UPDATE runs SET status = 'completed', lease_id = NULL WHERE id = ?`).run(teacher);
    assert.equal(claimNext(store, 4242, 5), null);
    assert.equal(inFlight(store), 0);
    assert.deepEqual(queueView(store).map((e) => [e.name, e.executor, e.jobId, e.jobState]), [['student', 'slurm', '8', 'PENDING']]);
    const remote = claimRemote(store, { run: 'student' }, 60_000, '8_0');
    assert.equal(remote.kind === 'run' && remote.id, student, 'its remote workers take it');
    // the task died and the executor is gone too: the run is the ordinary queue's again
    takeBack(store, student, null, 'NODE_FAIL');
    assignExecutor(store, [student], 'slurm', DEAD_PID, null, null);
    assert.equal(releaseDeadClaims(store), 1);
    assert.equal(claimNext(store, 4242, 5), student);
    assert.equal(queueView(store)[0].executor, 'local');
  });

  it('renew until they expire; an expired run goes back to the queue, a cancelled one ends cancelled, a run lost too often fails', () => {
    const a = run('a');
    const c = claimRemote(store, {}, 1000, null);
    assert.equal(c.kind, 'run');
    const leaseId = c.kind === 'run' ? c.leaseId : '';
    assert.deepEqual(renewLease(store, a, leaseId, 1000), { cancel: false });
    assert.equal(renewLease(store, a, 'someone-else', 1000), null);
    assert.deepEqual(expireLeases(store, Date.now()), [], 'not expired yet');
    assert.deepEqual(expireLeases(store, Date.now() + 5000), [a]);
    assert.equal(getRun(store, a).status, 'queued');
    assert.equal(renewLease(store, a, leaseId, 1000), null, 'the old lease is gone');

    claimRemote(store, {}, 1000, null);
    store.db.prepare('UPDATE runs SET cancel_requested = 1 WHERE id = ?').run(a);
    assert.equal(takeBack(store, a, null, 'task ended'), 'cancelled');

    const b = run('b');
    for (let i = 1; i < MAX_ATTEMPTS; i++) {
      assert.equal(claimRemote(store, { run: 'b' }, 1000, null).kind, 'run');
      assert.equal(takeBack(store, b, null, 'NODE_FAIL'), 'queued');
    }
    claimRemote(store, { run: 'b' }, 1000, null);
    assert.equal(takeBack(store, b, null, 'NODE_FAIL'), 'failed');
    assert.match(getRun(store, b).error ?? '', new RegExp(`lost ${MAX_ATTEMPTS} times \\(last: NODE_FAIL\\)`));
  });
});

describe('the worker API over HTTP', () => {
  let server: RunningWorkerServer;
  let token: string;
  const start = async (o: Parameters<typeof workerHandler>[1] = {}) => {
    server = await startWorkerServer({ handler: workerHandler(remoteWork(store, { leaseMs: 60_000 }), { log: () => undefined, ...o }), host: '127.0.0.1', allowRemote: false });
    token = createWorkerToken(store, `w${Math.random().toString(36).slice(2, 8)}`).token;
  };
  afterEach(() => server?.close());
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${server.url}/worker/v1/${path}`, { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const upload = (path: string, chunks: Uint8Array[]) => fetch(`${server.url}/worker/v1/${path}`, { method: 'POST', headers: { Authorization: `Bearer ${token}` }, body: Buffer.concat(chunks) });

  it('answers a claim with what to fetch by SHA-256, serves those files, and commits an epoch only with its lease and matching bytes', async () => {
    await start();
    const id = run('a');
    assert.equal((await fetch(`${server.url}/worker/v1/claim`, { method: 'POST', body: '{}' })).status, 401);
    assert.equal((await post('claim', { worker: 'x' }, { Origin: 'http://evil.example' })).status, 403);
    const claim = (await (await post('claim', { worker: 'test' })).json()) as { kind: string; job: { id: number; leaseId: string; data: { trainPixels: { sha256: string; bytes: number }; indices: string } } };
    assert.equal(claim.kind, 'run');
    assert.equal(claim.job.id, id);
    const blob = await fetch(`${server.url}/worker/v1/blobs/${claim.job.data.trainPixels.sha256}`, { headers: { Authorization: `Bearer ${token}` } });
    const bytes = new Uint8Array(await blob.arrayBuffer());
    assert.deepEqual([bytes.length, sha(bytes), bytes[0]], [16, claim.job.data.trainPixels.sha256, 7]);
    assert.equal((await fetch(`${server.url}/worker/v1/blobs/${'0'.repeat(64)}`, { headers: { Authorization: `Bearer ${token}` } })).status, 404);

    const record = { epoch: 1, loss: 0.5, lr: 0.1, trainAcc: 0.5, testAcc: null, valAcc: null, seconds: 1, imagesPerSec: 10 };
    const ckpt = Buffer.concat(encodeCheckpoint({ config: parseRunConfig({ method: 'ce', model: 'mlp', epochs: 2 }), epochsDone: 1, records: [], best: null, rngState: [1, 2, 3, 4], weights: [], momentum: [] }));
    const lease = claim.job.leaseId;
    const bad = await upload(`runs/${id}/epoch`, frameUpload({ leaseId: lease, record, checkpoint: { sha256: sha(new Uint8Array([9])), bytes: ckpt.length } }, ckpt));
    assert.equal(bad.status, 400);
    assert.match(((await bad.json()) as { error: string }).error, /do not match the announced size and SHA-256/);
    assert.equal(getRun(store, id).epochsDone, 0, 'nothing committed');
    assert.equal((await upload(`runs/${id}/epoch`, frameUpload({ leaseId: 'stolen', record, checkpoint: { sha256: sha(ckpt), bytes: ckpt.length } }, ckpt))).status, 409);
    assert.equal((await upload(`runs/${id}/epoch`, frameUpload({ leaseId: lease, record, checkpoint: { sha256: sha(ckpt), bytes: ckpt.length } }, ckpt))).status, 200);
    assert.equal(getRun(store, id).epochsDone, 1);
    const stored = store.db.prepare(`SELECT b.sha256 FROM runs r JOIN blobs b ON b.id = r.checkpoint_blob WHERE r.id = ?`).pluck().get(id);
    assert.equal(stored, sha(ckpt));

    // a stopped worker hands the run back: queued, to resume from the committed epoch
    assert.equal((await post(`runs/${id}/release`, { leaseId: lease, status: 'interrupted' })).status, 200);
    assert.deepEqual([getRun(store, id).status, getRun(store, id).epochsDone], ['queued', 1]);
    const again = (await (await post('claim', { worker: 'other' })).json()) as { job: { checkpoint: { sha256: string } | null } };
    assert.equal(again.job.checkpoint?.sha256, sha(ckpt), 'the next worker resumes from it');
  });

  it('refuses uploads over the limit and clients over their rate', async () => {
    await start({ maxUpload: 1024, ratePerSecond: 1 });
    const id = run('a');
    const big = await upload(`runs/${id}/epoch`, [new Uint8Array(4096)]);
    assert.equal(big.status, 413);
    let limited = 0;
    for (let i = 0; i < 30; i++) if ((await post('claim', { run: 'none-such', worker: 'x' })).status === 429) limited++;
    assert.ok(limited > 0, 'a burst of 20 at 1 request a second runs out');
  });

  it('listens on a non-loopback address only when allowed', async () => {
    await assert.rejects(startWorkerServer({ handler: workerHandler(remoteWork(store)), host: '0.0.0.0', allowRemote: false }), /not a loopback address/);
  });
});

it('rate limiter: a burst, then the refill rate', () => {
  let now = 0;
  const r = new RateLimiter(2, 3, () => now);
  assert.deepEqual([r.take('k'), r.take('k'), r.take('k'), r.take('k')], [true, true, true, false]);
  assert.equal(r.take('other'), true, 'per key');
  now = 500; // half a second at 2 a second: one more
  assert.deepEqual([r.take('k'), r.take('k')], [true, false]);
});
