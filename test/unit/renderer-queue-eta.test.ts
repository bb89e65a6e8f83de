import { test } from 'node:test';
import assert from 'node:assert/strict';
import { moved, queueEtas } from '../../src-renderer/lib/queue-eta';

test('queued runs start one after another once the running ones end', () => {
  const etas = queueEtas([
    { name: 'r', status: 'running', epochsLeft: 2, secondsPerEpoch: 10, liveEta: 15 },
    { name: 'a', status: 'queued', epochsLeft: 3, secondsPerEpoch: 10, liveEta: null },
    { name: 'b', status: 'queued', epochsLeft: 1, secondsPerEpoch: 4, liveEta: null },
  ]);
  assert.deepEqual(etas, [
    { name: 'r', startsIn: 0, endsIn: 15 },
    { name: 'a', startsIn: 15, endsIn: 45 },
    { name: 'b', startsIn: 45, endsIn: 49 },
  ]);
});

test('a run without a comparable finished run leaves everything after it unknown', () => {
  const etas = queueEtas([
    { name: 'a', status: 'queued', epochsLeft: 3, secondsPerEpoch: null, liveEta: null },
    { name: 'b', status: 'queued', epochsLeft: 1, secondsPerEpoch: 4, liveEta: null },
  ]);
  assert.deepEqual(etas, [
    { name: 'a', startsIn: 0, endsIn: null },
    { name: 'b', startsIn: null, endsIn: null },
  ]);
});

test('moving an entry keeps the others in order', () => {
  assert.deepEqual(moved(['a', 'b', 'c', 'd'], 2, 0), ['c', 'a', 'b', 'd']);
  assert.deepEqual(moved(['a', 'b', 'c'], 0, 5), ['b', 'c', 'a']);
});
