import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { BackendsProbe } from '../../src-main/core/domain/types';
import { backendPlan, formShapes, runEstimate, runShape, speedsOf, totalEstimate, trainingSeconds } from '../../src-renderer/lib/estimate';

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

test('a run\'s estimate adds its evaluation passes, a teacher\'s forward and the start-up to its training', () => {
  const s = { trainImagesPerSec: 500, evalImagesPerSec: 2000, startSeconds: 4 };
  // 1,236 training and 10,000 test images, 5 epochs: the full-set cadence (K = ceil(40000 / 3708) = 11) would give one
  // test point, so every epoch is evaluated, epochs 1-4 on a sample of floor(3 * 0.25 * 5 * 1236 / 4) = 1,158 images
  const r = runShape({ epochs: 5, counts: [500, 300, 200, 136, 100], testImages: 10_000, valFraction: 0, evalEvery: null, distils: false });
  assert.deepEqual(r, { epochs: 5, trainImages: 1236, valImages: 0, testImages: 10_000, evalEvery: null, distils: false });
  const e = runEstimate(r, s);
  assert.equal(e.training, (5 * 1236) / 500);
  assert.equal(e.evaluation, (4 * 1158 + 10_000) / 2000);
  assert.equal(e.seconds, 12.36 + 7.316 + 4);
  // every 2 epochs of 5: epochs 2, 4 and 5; a 10% holdout per class (50 + 30 + 20 + 14 + 10 = 124) is evaluated with them
  const held = runShape({ epochs: 5, counts: [500, 300, 200, 136, 100], testImages: 10_000, valFraction: 0.1, evalEvery: 2, distils: false });
  assert.deepEqual([held.trainImages, held.valImages], [1112, 124]);
  assert.equal(runEstimate(held, s).evaluation, (3 * (10_000 + 124)) / 2000);
  // a student: the teacher's forward over 5 epochs of 1,236 images, and once for its virtual examples
  const student = runEstimate({ ...r, distils: true }, s);
  assert.equal(student.evaluation, (4 * 1158 + 10_000 + 6 * 1236) / 2000);
  // a post-hoc run trains nothing: the test set twice (its sweep, then the chosen t) and the holdout once
  const posthoc = runEstimate({ ...held, epochs: 0 }, s);
  assert.deepEqual([posthoc.training, posthoc.evaluation], [0, (2 * 10_000 + 124) / 2000]);
  const both = totalEstimate([r, { ...r, distils: true }], s);
  assert.equal(both.seconds, e.seconds + student.seconds);
  assert.equal(both.startup, 8);
});

test('the speeds come from the chosen rung; evaluation at 3x training where it was not timed', () => {
  const timed: BackendsProbe = { ...probe, startSeconds: 1.5, rungs: probe.rungs.map((r) => (r.name === 'wasm' ? { ...r, loadSeconds: 0.5, warmupSeconds: 1, evalImagesPerSec: 1800 } : r)) };
  assert.deepEqual(speedsOf(timed, backendPlan(timed, '')), { trainImagesPerSec: 500, evalImagesPerSec: 1800, startSeconds: 3 });
  assert.deepEqual(speedsOf(probe, backendPlan(probe, 'cpu')), { trainImagesPerSec: 100, evalImagesPerSec: 300, startSeconds: 0 });
  assert.equal(speedsOf(probe, backendPlan(probe, 'webgpu')), null);
});

test('a study is estimated run by run, a teacher with its own epochs, a student with its teacher\'s forward', () => {
  const f = { epochs: 5, evalEvery: '', valFraction: 0, method: 'dive' as const };
  const one = formShapes(f, [10, 5], 100, null);
  assert.deepEqual(one, [{ epochs: 5, trainImages: 15, valImages: 0, testImages: 100, evalEvery: null, distils: true }]);
  const plan = [{ method: 'bsce' as const, config: { epochs: 20 } }, { method: 'dive' as const, config: {} }];
  assert.deepEqual(formShapes({ ...f, evalEvery: '2' }, [10, 5], 100, plan).map((r) => [r.epochs, r.distils, r.evalEvery]), [[20, false, 2], [5, true, 2]]);
});
