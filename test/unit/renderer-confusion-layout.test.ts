import { test } from 'node:test';
import assert from 'node:assert/strict';
import { abbreviate, confusionScale } from '../../src-renderer/lib/confusion-layout';

test('cells shrink with the class count, so 100 classes stay a scrollable, legible grid', () => {
  assert.deepEqual(confusionScale(10), { cell: [34, 26], font: 11, labelChars: 18 });
  assert.deepEqual(confusionScale(12).cell, [34, 26]);
  assert.deepEqual(confusionScale(13).cell, [28, 22]);
  assert.deepEqual(confusionScale(30).cell, [28, 22]);
  // CIFAR-100: 100 x 24 px = 2,400 px wide inside its own scroll box; a 3-digit count fits 24 px at 9 px
  assert.deepEqual(confusionScale(100), { cell: [24, 17], font: 9, labelChars: 9 });
});

test('long names are cut with an ellipsis, short ones kept', () => {
  assert.equal(abbreviate('Shirt', 9), 'Shirt');
  assert.equal(abbreviate('aquarium_fish', 9), 'aquarium…');
  assert.equal(abbreviate('maple tree', 6), 'maple…');
  assert.equal(abbreviate('sweet_pepper', 9), 'sweet_pe…');
  assert.equal(abbreviate('Ünïcødé name', 5), 'Ünïc…');
  assert.equal(abbreviate('abc', 1), 'a…');
});
