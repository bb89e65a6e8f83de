// dive predict's pure parts: top-k of the softmax by hand, the inputs a list of paths names, and
// the request's limits (one of files / images, at most 2 MiB an image).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expandInputs, topK } from '../../src-main/core/app/predict-service';
import { PredictRequestSchema, PREDICT_LIMITS } from '../../src-main/core/domain/run-requests';
import { tempStore } from '../helpers/fixtures';

test('top-k: softmax probabilities, most probable first, ties by class index', () => {
  // logits 0, ln 2, ln 2, ln 4: e = 1, 2, 2, 4 over 9
  const top = topK([0, Math.log(2), Math.log(2), Math.log(4)], ['a', 'b', 'c', 'd'], 3);
  assert.deepEqual(top.map((t) => [t.class, t.label]), [[3, 'd'], [1, 'b'], [2, 'c']]);
  assert.deepEqual(top.map((t) => Number(t.p.toFixed(12))), [Number((4 / 9).toFixed(12)), Number((2 / 9).toFixed(12)), Number((2 / 9).toFixed(12))]);
  // large logits do not overflow
  assert.equal(topK([1000, 0], ['x', 'y'], 1)[0].p, 1);
});

test('inputs: files as given, a folder\'s images in code-point order, a missing path as an error entry', () => {
  const t = tempStore();
  try {
    const dir = join(t.dir, 'shots');
    mkdirSync(join(dir, 'sub'), { recursive: true });
    for (const f of ['b.png', 'a.jpg', 'notes.txt', 'sub/c.webp']) writeFileSync(join(dir, f), 'x');
    const { inputs, errors } = expandInputs([join(dir, 'a.jpg'), dir, join(t.dir, 'missing.png')]);
    assert.deepEqual(inputs.map((i) => ('path' in i ? i.path.slice(dir.length) : '')), ['/a.jpg', '/a.jpg', '/b.png', '/sub/c.webp']);
    assert.deepEqual(errors, [{ file: join(t.dir, 'missing.png'), error: `${join(t.dir, 'missing.png')} does not exist` }]);
  } finally {
    t.cleanup();
  }
});

test('the request: files or images, not both; an image over the limit is refused by name of the rule', () => {
  assert.equal(PredictRequestSchema.safeParse({ run: 'r', files: ['a.png'] }).success, true);
  assert.equal(PredictRequestSchema.safeParse({ run: 'r', files: ['a.png'], images: [{ name: 'x', data: 'AA==' }] }).success, false);
  assert.equal(PredictRequestSchema.safeParse({ run: 'r' }).success, false);
  const big = 'A'.repeat(Math.ceil(PREDICT_LIMITS.bytes / 3) * 4 + 4);
  const r = PredictRequestSchema.safeParse({ run: 'r', images: [{ name: 'x', data: big }] });
  assert.equal(r.success, false);
  assert.match(JSON.stringify(r.error?.issues), /an image over 2 MiB: shrink it first/);
  assert.equal(PredictRequestSchema.parse({ run: 'r', files: ['a'] }).top, 5);
});
