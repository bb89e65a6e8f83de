import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { BackendsProbe } from '../../src-main/core/domain/types';
import { backendPlan, trainingSeconds } from '../../src-renderer/lib/estimate';

const probe: BackendsProbe = {
  chosen: 'wasm', logicalCores: 2, model: 'mlp', imageShape: [28, 28, 1], batchSize: 64,
  rungs: [
    { name: 'tensorflow-gpu', available: false, reason: 'no CUDA device' },
    { name: 'webgpu', available: false, reason: 'no adapter' },
    { name: 'wasm', available: true, device: 'cpu', threads: 2, imagesPerSec: 500 },
    { name: 'cpu', available: true, device: 'cpu', imagesPerSec: 100 },
  ],
};

test('without a choice the plan names the best available backend and why the better ones are not used', () => {
  const p = backendPlan(probe, '');
  assert.equal(p.backend, 'wasm');
  assert.equal(p.why, 'the best available; not used: tensorflow-gpu: no CUDA device; webgpu: no adapter');
  assert.equal(p.imagesPerSec, 500);
});

test('a backend asked for is used, with its measured speed; one that is not there says so', () => {
  assert.equal(backendPlan(probe, 'cpu').imagesPerSec, 100);
  const gone = backendPlan(probe, 'webgpu');
  assert.equal(gone.why, 'asked for, but not available here: no adapter');
  assert.equal(gone.imagesPerSec, null);
});

test('the estimate is epochs x images / speed, and unknown without a timed speed', () => {
  assert.equal(trainingSeconds(10, 1236, 500), 24.72);
  assert.equal(trainingSeconds(10, 1236, null), null);
  assert.equal(trainingSeconds(0, 1236, 500), null);
});
