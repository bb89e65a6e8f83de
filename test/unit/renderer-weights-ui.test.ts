import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initCandidates, originLine, percent, toBase64, tooLarge } from '../../src-renderer/lib/weights-ui';
import { run } from './renderer-fixtures';

test('base64 of bytes, the upload limit, percentages', () => {
  assert.equal(toBase64(Uint8Array.from([0, 1, 2, 250, 251, 252])), Buffer.from([0, 1, 2, 250, 251, 252]).toString('base64'));
  const big = new Uint8Array(70_000).map((_, i) => i % 256);
  assert.equal(toBase64(big), Buffer.from(big).toString('base64'));
  assert.equal(tooLarge(2 * 1024 * 1024), null);
  assert.equal(tooLarge(2 * 1024 * 1024 + 1), 'over 2 MiB: shrink it first');
  assert.equal(percent(0.8342), '83.4%');
});

test('init candidates: completed runs of the same dataset and model; origin lines', () => {
  const runs = [run({ name: 'a', model: 'cnn' }), run({ name: 'b', model: 'mlp' }), run({ name: 'c', model: 'cnn', status: 'failed' }), run({ name: 'd', model: 'cnn', dataset: 'other' })];
  assert.deepEqual(initCandidates(runs, 'd', 'cnn').map((r) => r.name), ['a']);
  assert.equal(originLine(null), '');
  assert.equal(originLine({ kind: 'imported', file: 't.safetensors', sha256: 'x', at: '', source: { trainedWith: 'PyTorch 2.3' } }), 'imported from t.safetensors (PyTorch 2.3)');
  assert.equal(originLine({ kind: 'imported', file: 't.safetensors', sha256: 'x', at: '', source: { name: 'bsce-1' } }), 'imported from t.safetensors (run bsce-1)');
  assert.equal(originLine({ kind: 'initialised', file: 'w.safetensors', sha256: 'x', at: '', resetHead: true }), 'initialised from w.safetensors, classifier reset');
});
