// The busy-database helpers (issue 23, item 3): SQLITE_BUSY is retried with back-off and the
// notice printed once per process; other errors pass through; a timer's round never throws.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { BUSY_NOTICE, busyBackoffMs, guardRound, isBusy, retryBusy, retryBusySync, setBusyNotice } from '../../src-main/core/store/busy';

const busy = (code = 'SQLITE_BUSY') => Object.assign(new Error('database is locked'), { code });

it('tells SQLITE_BUSY and SQLITE_LOCKED (any extended code) from other errors', () => {
  assert.ok(isBusy(busy()) && isBusy(busy('SQLITE_BUSY_SNAPSHOT')) && isBusy(busy('SQLITE_LOCKED')));
  assert.ok(!isBusy(busy('SQLITE_CONSTRAINT')) && !isBusy(new Error('x')) && !isBusy(null));
  assert.deepEqual([0, 1, 2, 4, 5, 10].map(busyBackoffMs), [100, 200, 400, 1600, 2000, 2000]);
});

it('retries while busy, says so once, and passes other errors through', async () => {
  const said: string[] = [];
  setBusyNotice((l) => said.push(l));
  let n = 0;
  assert.equal(await retryBusy(() => (++n < 3 ? Promise.reject(busy()) : 'done')), 'done');
  assert.equal(n, 3);
  let m = 0;
  assert.equal(retryBusySync(() => { if (++m < 2) throw busy('SQLITE_BUSY_SNAPSHOT'); return 7; }), 7);
  assert.deepEqual(said, [BUSY_NOTICE], 'once per process');
  await assert.rejects(retryBusy(() => { throw busy('SQLITE_CONSTRAINT'); }), /database is locked/);
  assert.throws(() => retryBusySync(() => { throw new TypeError('bug'); }), TypeError);
});

it('a guarded round reports busy or failed instead of throwing', () => {
  const round = guardRound('test');
  assert.equal(round(() => undefined), 'ok');
  assert.equal(round(() => { throw busy(); }), 'busy');
  assert.equal(round(() => { throw new Error('disk on fire'); }), 'failed');
});
