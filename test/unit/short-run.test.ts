import { test } from 'node:test';
import assert from 'node:assert/strict';
import { shortRunDefaults, withShortRunDefaults } from '../../src-main/core/domain/short-run';

test('short runs on small splits: the batch halves until the run has 300 steps (not below 16), the lr follows', () => {
  // Fashion-MNIST-LT rho 100, n_max 500: 1,236 images
  assert.deepEqual(shortRunDefaults(3, 1236), { batchSize: 16, lr: 0.0125 }); // 3 * 78 = 234 steps: the floor
  assert.deepEqual(shortRunDefaults(5, 1236), { batchSize: 16, lr: 0.0125 }); // 5 * 78 = 390
  assert.deepEqual(shortRunDefaults(10, 1236), { batchSize: 32, lr: 0.025 }); // 10 * 39 = 390; 64 gives 200
  assert.equal(shortRunDefaults(60, 1236), null); // 60 * 10 = 600 steps at 128
  assert.equal(shortRunDefaults(200, 12406), null); // the paper's CIFAR-10-LT
  assert.deepEqual(shortRunDefaults(3, 12406), { batchSize: 64, lr: 0.05 }); // 3 * 97 = 291 < 300; 3 * 194 = 582
});

test('only what the caller left out is chosen', () => {
  assert.deepEqual(withShortRunDefaults({ method: 'bsce', epochs: 3 }, 1236), { method: 'bsce', epochs: 3, batchSize: 16, lr: 0.0125 });
  assert.deepEqual(withShortRunDefaults({ method: 'bsce', epochs: 3, lr: 0.05 }, 1236), { method: 'bsce', epochs: 3, batchSize: 16, lr: 0.05 });
  const given = { method: 'bsce', epochs: 3, batchSize: 128 };
  assert.equal(withShortRunDefaults(given, 1236), given);
  // a batch given without an lr: the lr follows it
  assert.deepEqual(withShortRunDefaults({ method: 'bsce', batchSize: 64 }, 1236), { method: 'bsce', batchSize: 64, lr: 0.05 });
  assert.deepEqual(withShortRunDefaults({ method: 'bsce', batchSize: 64, lr: 0.2 }, 1236), { method: 'bsce', batchSize: 64, lr: 0.2 });
  assert.deepEqual(withShortRunDefaults({ method: 'bsce' }, 1236), { method: 'bsce' }, '200 epochs: the paper');
});
