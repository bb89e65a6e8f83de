// A run has at most one live owner (issue 23, item 2). A run leased to a remote worker whose
// `dive serve` was killed was marked interrupted and requeued with its lease still set; a local slot
// claimed it, the lease-expiry timer put it back in the queue while it trained, and a second local
// worker trained it too; inFlight() skipped it (a leased row), so the concurrency limit broke as
// well. Every path that requeues a run or marks it interrupted (or ended) clears its lease, and the
// claim transaction itself takes the run from any owner it still names.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, it } from 'node:test';
import { claimRemote, expireLeases, leaseHolds, renewLease, takeBack } from '../../src-main/core/store/leases';
import { claimNext, inFlight, requeueInterrupted } from '../../src-main/core/store/queue';
import { getRun, markEnded, markInterrupted, markStarted, requestCancel, requeueForResume } from '../../src-main/core/store/runs';
import { tinyStore, type TinyStore } from '../helpers/tiny-store';

const REPORT = { name: 'cpu', device: 'cpu' as const, threads: 1, reasons: [] };
let t: TinyStore;
beforeEach(() => (t = tinyStore()));
afterEach(() => t.cleanup());

const lease = (id: number) => t.store.db.prepare('SELECT lease_id, lease_expires_at FROM runs WHERE id = ?').get(id) as { lease_id: string | null; lease_expires_at: number | null };
const leased = (name: string) => {
  const c = claimRemote(t.store, { run: name }, 60_000, null);
  assert.equal(c.kind, 'run');
  return c.kind === 'run' ? c.leaseId : '';
};
const silence = (id: number) => t.store.db.prepare('UPDATE runs SET heartbeat_at = ? WHERE id = ?').run(Date.now() - 3_600_000, id);

it('a remote run whose server died is interrupted and requeued without its lease, and trains once in one local slot', () => {
  const a = t.run('a');
  const old = leased('a');
  silence(a); // `dive serve` was killed: nobody renewed the lease, the store is opened again
  assert.equal(markInterrupted(t.store), 1);
  assert.deepEqual(lease(a), { lease_id: null, lease_expires_at: null }, 'interrupted: no lease');
  assert.deepEqual(requeueInterrupted(t.store), [a]);
  assert.equal(claimNext(t.store, process.pid, 1), a);
  assert.ok(markStarted(t.store, a, REPORT, process.pid));
  assert.equal(inFlight(t.store), 1, 'the local run takes its slot');
  assert.deepEqual(expireLeases(t.store, Date.now() + 10 * 60_000), [], 'no lease to expire under a local worker');
  assert.equal(getRun(t.store, a).status, 'running');
  assert.equal(claimNext(t.store, process.pid, 5), null, 'nothing else to claim: it is not back in the queue');
  assert.equal(renewLease(t.store, a, old, 60_000), null, 'the dead worker\'s lease is lost');
  assert.equal(leaseHolds(t.store, a, old), false);
});

it('the claim transaction takes the run from any lease it still names (a store written before the fix)', () => {
  const a = t.run('a');
  const old = leased('a');
  // what the old requeue left: queued, lease still set
  t.store.db.prepare(`UPDATE runs SET status = 'queued' WHERE id = ?`).run(a);
  assert.equal(claimNext(t.store, process.pid, 1), a);
  assert.deepEqual(lease(a), { lease_id: null, lease_expires_at: null });
  assert.ok(markStarted(t.store, a, REPORT, process.pid));
  assert.equal(renewLease(t.store, a, old, 60_000), null);
  assert.deepEqual(expireLeases(t.store, Date.now() + 10 * 60_000), []);
  assert.equal(inFlight(t.store), 1);
});

it('every path that ends, cancels or requeues a leased run clears its lease', () => {
  const names = ['failed', 'cancelled', 'interrupted', 'resumed', 'cancel-asked', 'taken-back'];
  const ids = Object.fromEntries(names.map((n) => [n, t.run(n)]));
  for (const n of names) leased(n);
  markEnded(t.store, ids.failed, 'failed', 'boom');
  markEnded(t.store, ids.cancelled, 'cancelled');
  markEnded(t.store, ids.interrupted, 'interrupted', 'gone');
  markEnded(t.store, ids.resumed, 'interrupted', 'gone');
  requeueForResume(t.store, 'resumed');
  t.store.db.prepare('UPDATE runs SET cancel_requested = 1 WHERE id = ?').run(ids['cancel-asked']);
  assert.equal(takeBack(t.store, ids['cancel-asked'], null, 'task ended'), 'cancelled');
  assert.equal(takeBack(t.store, ids['taken-back'], null, 'NODE_FAIL'), 'queued');
  for (const n of names) assert.deepEqual(lease(ids[n]), { lease_id: null, lease_expires_at: null }, n);
  // a queued run cancelled at once holds no lease either
  const q = t.run('q');
  requestCancel(t.store, 'q');
  assert.deepEqual(lease(q), { lease_id: null, lease_expires_at: null });
});
