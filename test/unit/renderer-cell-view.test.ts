import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CellImages } from '../../src-main/core/domain/contract';
import { appendPage, CELL_PAGE, cellHeading, cellShown, nextPageSize } from '../../src-renderer/lib/cell-view';

const img = (v: number) => [v, v, v, v];
const cell = (actual: number, predicted: number, total: number, shown: number): CellImages => ({
  run: 'r', actual, predicted, total,
  indices: Array.from({ length: shown }, (_, i) => i * 3),
  imageShape: [2, 2, 1],
  images: Array.from({ length: shown }, (_, i) => img(i)),
});

test('the count line says how many of the cell are shown', () => {
  assert.equal(cellShown(cell(0, 1, 57, 48)), '48 of 57 shown (the first by test-set index)');
  assert.equal(cellShown(cell(0, 1, 7, 7)), 'all 7 shown');
  assert.equal(cellShown(cell(0, 1, 0, 0)), 'no test image falls in this cell');
});

test('the heading says the count and both classes, the diagonal marked correct', () => {
  const names = ['T-shirt/top', 'Trouser', 'Shirt'];
  assert.equal(cellHeading(37, names, 0, 2), '37 images: true T-shirt/top, predicted Shirt');
  assert.equal(cellHeading(1, names, 1, 1), '1 image: true Trouser, predicted Trouser (correct)');
  assert.equal(cellHeading(1234, names, 2, 0), '1,234 images: true Shirt, predicted T-shirt/top');
  assert.equal(cellHeading(2, names, 5, 0), '2 images: true class 5, predicted T-shirt/top');
});

test('pages append in order until the cell is shown whole; another cell replaces them', () => {
  assert.equal(CELL_PAGE, 48);
  const first = cell(0, 1, 100, 48);
  assert.equal(nextPageSize(first), 48);
  const second: CellImages = { ...cell(0, 1, 100, 48), indices: first.indices.map((i) => i + 1000), images: first.images.map((_, i) => img(100 + i)) };
  const both = appendPage(first, second);
  assert.equal(both.images.length, 96);
  assert.deepEqual(both.indices.slice(46, 50), [138, 141, 1000, 1003]);
  assert.deepEqual(both.images[48], img(100));
  assert.equal(nextPageSize(both), 4);
  assert.equal(cellShown(both), '96 of 100 shown (the first by test-set index)');
  assert.equal(nextPageSize(cell(0, 1, 7, 7)), 0);
  const other = cell(2, 1, 5, 5);
  assert.equal(appendPage(both, other), other);
  assert.equal(appendPage(null, first), first);
});
