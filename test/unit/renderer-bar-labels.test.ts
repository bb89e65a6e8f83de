import { test } from 'node:test';
import assert from 'node:assert/strict';
import { labelFits } from '../../src-renderer/lib/bar-labels';

test('a count is written over a bar only where it fits its width', () => {
  assert.equal(labelFits(40, 20), true);
  assert.equal(labelFits(14, 18), true, 'a little overhang into the gap between bars is fine');
  assert.equal(labelFits(3, 18), false, 'not on the thin bars of a 1,000-class histogram');
});
