import { test } from 'node:test';
import assert from 'node:assert/strict';
import { paperWarmupForm, studentSeed } from '../../src-main/core/domain/run-requests';

test("recipe paper: the reference code's per-epoch warm-up at the paper's scale, per step in short runs", () => {
  assert.equal(paperWarmupForm(undefined), 'epoch');
  assert.equal(paperWarmupForm(200), 'epoch');
  assert.equal(paperWarmupForm(100), 'epoch');
  assert.equal(paperWarmupForm(60), 'step');
});

test("recipe paper: students share a seed that is not the teacher's", () => {
  assert.equal(studentSeed(0), 1);
  assert.equal(studentSeed(-5), -4);
  assert.equal(studentSeed(0x7fffffff), 0);
});
