import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CellImages } from '../../src-main/core/domain/contract';
import { cellShown, cellThumbs } from '../../src-renderer/lib/cell-view';

const img = (v: number) => [v, v, v, v];
const cell = (actual: number, predicted: number, total: number, shown: number): CellImages => ({
  run: 'r', actual, predicted, total,
  indices: Array.from({ length: shown }, (_, i) => i * 3),
  imageShape: [2, 2, 1],
  images: Array.from({ length: shown }, (_, i) => img(i)),
});

test('a cell becomes one thumbnail group named true → predicted, with its images in order', () => {
  const s = cellThumbs(cell(0, 2, 5, 3), ['cat', 'dog', 'owl']);
  assert.deepEqual(s.imageShape, [2, 2, 1]);
  assert.equal(s.numClasses, 3);
  assert.deepEqual(s.classes, [{ index: 0, name: 'cat → owl', images: [img(0), img(1), img(2)] }]);
  assert.equal(cellThumbs(cell(1, 1, 2, 2), ['cat', 'dog', 'owl']).classes[0].name, 'dog');
});

test('the count line says how many of the cell are shown', () => {
  assert.equal(cellShown(cell(0, 1, 57, 48)), '48 of 57 shown (the first by test-set index)');
  assert.equal(cellShown(cell(0, 1, 7, 7)), 'all 7 shown');
  assert.equal(cellShown(cell(0, 1, 0, 0)), 'no test image falls in this cell');
});
