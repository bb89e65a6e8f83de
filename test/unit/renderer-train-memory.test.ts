// The Train form remembers its last settings per dataset (issue 22, item 8): read back field by
// field, so a stored form from an older build or an edited store cannot break the screen.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultForm, presetFor } from '../../src-renderer/lib/train-form';
import { MEMORY_KEY, recall, remember, restoreForm, type KeyValueStore } from '../../src-renderer/lib/train-memory';

function memoryStorage(): KeyValueStore & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return { data, getItem: (k: string) => data.get(k) ?? null, setItem: (k: string, v: string) => void data.set(k, v) };
}

test('a form is remembered per dataset, without its run name and teacher', () => {
  const store = memoryStorage();
  const f = { ...defaultForm('fm-lt'), name: 'mine', teacher: 'T', method: 'dive' as const, params: { ...presetFor('dive'), tau: 6 }, model: 'mlp' as const, epochs: 7, lr: 0.02, seed: 5, evalEvery: '2' };
  remember(store, 'fashion-mnist', f);
  remember(store, 'cifar10', { ...defaultForm('c-lt'), epochs: 90 });
  const back = recall(store, 'fashion-mnist', defaultForm('other-split'));
  assert.deepEqual(back, { ...f, split: 'other-split', name: '', teacher: '' });
  assert.equal(recall(store, 'cifar10', defaultForm('c'))?.epochs, 90);
  assert.equal(recall(store, 'kmnist', defaultForm('k')), null, 'nothing kept for a dataset never used');
});

test('what is read back is checked field by field: wrong types keep the fresh value', () => {
  const base = defaultForm('s');
  const got = restoreForm({ method: 'nope', model: 'resnet1000', epochs: '30', lr: null, batchSize: 64, crop: 'yes', backend: 'quantum', params: { tau: 'hot', alpha: 0.3 }, valFraction: 0.1 }, base);
  assert.deepEqual(got, { ...base, lr: undefined, batchSize: 64, valFraction: 0.1, params: { ...base.params, alpha: 0.3 } });
  assert.deepEqual(restoreForm('garbage', base), base);
  assert.deepEqual(restoreForm(null, base), base);
  const store = memoryStorage();
  store.data.set(MEMORY_KEY, '{not json');
  assert.equal(recall(store, 'd', base), null);
  remember(store, 'd', base);
  assert.deepEqual(recall(store, 'd', base), base, 'a damaged store is replaced, not kept');
});
