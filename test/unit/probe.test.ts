import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BACKENDS } from '../../src-main/core/train/backend';
import { probeBackends, syntheticData, timeSteps } from '../../src-main/core/train/probe';
import { describeProbe } from '../../src-main/cli/commands/backends';

test('synthetic probe data: labels cycle over 10 classes, images fill the shape', () => {
  const d = syntheticData(25, [4, 4, 3]);
  assert.equal(d.trainImages.length, 25 * 48);
  assert.deepEqual(Array.from(d.trainLabels.slice(0, 12)), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]);
  assert.deepEqual(d.classCounts, [3, 3, 3, 3, 3, 2, 2, 2, 2, 2]);
  assert.equal(d.testLabels.length, 10);
});

test('every rung is probed in order; the first available is the one runs would choose', async () => {
  const p = await probeBackends({ noTiming: true });
  assert.deepEqual(p.rungs.map((r) => r.name), [...BACKENDS]);
  // wasm and cpu load everywhere; the rungs before them say why not, or are available
  for (const r of p.rungs) {
    if (r.available) assert.ok(r.detail && r.device && (r.threads ?? 0) >= 1, `${r.name}: ${JSON.stringify(r)}`);
    else assert.ok(r.reason && !r.reason.startsWith('backend '), `${r.name}: ${r.reason}`);
    assert.equal(r.imagesPerSec, undefined);
  }
  assert.ok(p.rungs.find((r) => r.name === 'wasm')?.available);
  assert.equal(p.chosen, p.rungs.find((r) => r.available)?.name);
  const text = describeProbe(p);
  assert.match(text, new RegExp(`^\\* ${p.chosen} `, 'm'));
  assert.match(text, /^ {2}cpu +CPU, plain JavaScript kernels/m);
});

test('timeSteps times the steps after the warm-up one', async () => {
  await (await import('../../src-main/core/train/backend')).selectBackend('wasm');
  const t = await timeSteps('mlp', [8, 8, 1], 8, 2, 60);
  assert.equal(t.timedSteps, 2);
  assert.equal(t.includesWarmup, false);
  assert.ok(t.imagesPerSec > 0 && Number.isFinite(t.imagesPerSec));
  // a budget the warm-up step alone exceeds: that step is the figure
  const slow = await timeSteps('mlp', [8, 8, 1], 8, 2, 0);
  assert.deepEqual([slow.timedSteps, slow.includesWarmup], [1, true]);
});
