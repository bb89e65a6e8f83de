import { test } from 'node:test';
import assert from 'node:assert/strict';
import { notesMatch, parseTags } from '../../src-renderer/lib/tags';

test('tags are split on commas, trimmed, without empties or duplicates', () => {
  assert.deepEqual(parseTags(' baseline, lr sweep,,baseline '), ['baseline', 'lr sweep']);
  assert.deepEqual(parseTags(''), []);
  assert.equal(parseTags('x'.repeat(41)), `Tags: "${'x'.repeat(20)}…" is longer than 40 characters`);
});

test('a search word matches a tag or the note, without case', () => {
  const a = { tags: ['Baseline'], note: 'LR too high' };
  assert.equal(notesMatch(a, 'base'), true);
  assert.equal(notesMatch(a, 'too high'), true);
  assert.equal(notesMatch(a, 'dive'), false);
  assert.equal(notesMatch(undefined, 'x'), false);
});
