import { test } from 'node:test';
import assert from 'node:assert/strict';
import { emptyLive, foldEvent } from '../../src-renderer/lib/live';
import { importRequest } from '../../src-renderer/lib/import-forms';

test('live progress folds started, batch, epoch and finished events', () => {
  let s = foldEvent(undefined, { type: 'started', run: 'r', backend: { name: 'wasm', device: 'cpu', threads: 2, reasons: [] }, epochs: 4, resumedFrom: 1 });
  assert.equal(s.fraction, 0.25);
  assert.equal(s.backend, 'wasm');
  s = foldEvent(s, { type: 'batch', run: 'r', epoch: 2, batch: 5, batches: 10, loss: 1.5, acc: 0.4, imagesPerSec: 800, etaSeconds: 42 });
  // (2 - 1 + 5 / 10) / 4
  assert.equal(s.fraction, 0.375);
  assert.equal(s.etaSeconds, 42);
  assert.equal(s.imagesPerSec, 800);
  s = foldEvent(s, { type: 'epoch', run: 'r', record: { epoch: 2, loss: 1.4, lr: 0.1, trainAcc: 0.4, testAcc: 0.3, seconds: 2, imagesPerSec: 700 }, epochs: 4 });
  assert.equal(s.fraction, 0.5);
  assert.equal(s.imagesPerSec, 700);
  const cancelled = foldEvent(s, { type: 'finished', run: 'r', status: 'cancelled' });
  assert.equal(cancelled.fraction, 0.5);
  assert.equal(cancelled.finished, true);
  assert.equal(foldEvent(s, { type: 'finished', run: 'r', status: 'completed' }).fraction, 1);
  assert.equal(emptyLive(10, 3).fraction, 0.3);
});

test('import forms: required fields, numbers, class names; the core\'s schema fills the defaults', () => {
  assert.deepEqual(importRequest('fashion-mnist', '', {}), { format: 'fashion-mnist', name: 'fashion-mnist', download: false });
  assert.deepEqual(importRequest('cifar', 'c10', {}), [{ path: ['request', 'dir'], message: 'required' }]);
  assert.deepEqual(importRequest('cifar', '', { dir: '/x' }), [{ path: ['request', 'name'], message: 'give the dataset a name' }]);
  assert.deepEqual(importRequest('folder', ' flowers ', { train: ' /data/train ', size: '64', testFraction: '' }), { format: 'folder', name: 'flowers', train: '/data/train', size: 64, testFraction: 0.2, seed: 0 });
  // the schema's verdict in the form's words, under the field's path in the call's argument
  assert.deepEqual(importRequest('folder', 'f', { train: '/t', size: '2' }), [{ path: ['request', 'size'], message: 'must be at least 4' }]);
  assert.deepEqual(importRequest('folder', 'f', { train: '/t', size: 'big' }), [{ path: ['request', 'size'], message: 'not a number (big)' }]);
  // every missing field at once, not only the first
  assert.deepEqual(importRequest('folder', '', {}), [{ path: ['request', 'name'], message: 'give the dataset a name' }, { path: ['request', 'train'], message: 'required' }]);
  assert.deepEqual(importRequest('idx', 'm', { trainImages: 'a', trainLabels: 'b', testImages: 'c', testLabels: 'd', classNames: 'x, y ,z' }), {
    format: 'idx', name: 'm', trainImages: 'a', trainLabels: 'b', testImages: 'c', testLabels: 'd', classNames: ['x', 'y', 'z'],
  });
});
