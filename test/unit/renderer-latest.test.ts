import { test } from 'node:test';
import assert from 'node:assert/strict';
import { latest } from '../../src-renderer/lib/latest';

test('latest: one request in flight, only the newest pending input is sent, only fresh results delivered', async () => {
  const sent: number[] = [];
  const delivered: number[] = [];
  const releases: (() => void)[] = [];
  const l = latest(
    (x: number) => {
      sent.push(x);
      return new Promise<number>((resolve) => releases.push(() => resolve(x * 10)));
    },
    (r) => delivered.push(r),
    () => assert.fail('no error expected'),
  );
  const p1 = l.push(1);
  void l.push(2);
  void l.push(3);
  assert.deepEqual(sent, [1]);
  releases[0]();
  await new Promise((r) => setTimeout(r, 0));
  // 1's answer is stale (3 arrived since); 2 was never sent
  assert.deepEqual(delivered, []);
  assert.deepEqual(sent, [1, 3]);
  releases[1]();
  await p1;
  assert.deepEqual(delivered, [30]);
});

test('latest: errors of the newest input are reported, stale ones dropped', async () => {
  const errors: string[] = [];
  const l = latest(
    async (x: number) => {
      if (x < 0) throw new Error(`bad ${x}`);
      return x;
    },
    () => {},
    (e) => errors.push((e as Error).message),
  );
  await l.push(-1);
  assert.deepEqual(errors, ['bad -1']);
  const a = l.push(-2);
  const b = l.push(5);
  await Promise.all([a, b]);
  assert.deepEqual(errors, ['bad -1'], 'the -2 error is stale once 5 is pushed');
});
