import { test } from 'node:test';
import assert from 'node:assert/strict';
import { duration, int, num, pct, rate, when } from '../../src-renderer/lib/format';
import { csvField, toCsv } from '../../src-main/core/domain/csv';

test('pct formats fractions and marks missing values', () => {
  assert.equal(pct(0.4535), '45.4%');
  assert.equal(pct(0.4535, 2), '45.35%');
  assert.equal(pct(1), '100.0%');
  assert.equal(pct(null), '—');
  assert.equal(pct(Number.NaN), '—');
});

test('int, num, rate, duration and when', () => {
  assert.equal(int(1234567), '1,234,567');
  assert.equal(int(-1200), '-1,200');
  assert.equal(int(999), '999');
  assert.equal(num(0.123456), '0.123');
  assert.equal(num(2.5, 3), '2.5');
  assert.equal(num(100, 2), '100');
  assert.equal(rate(1532.4), '1,532 img/s');
  assert.equal(rate(12.34), '12.3 img/s');
  assert.equal(duration(45), '45s');
  assert.equal(duration(185), '3m 05s');
  assert.equal(duration(3720), '1h 02m');
  assert.equal(duration(-1), '—');
  assert.equal(when('2026-11-27T04:53:22.000Z'), '2026-11-27 04:53');
  assert.equal(when('2026-11-27 04:53:22'), '2026-11-27 04:53');
  assert.equal(when(null), '—');
});

test('csv quotes commas, quotes and newlines, and defuses formulas', () => {
  assert.equal(csvField('plain'), 'plain');
  assert.equal(csvField('a,b'), '"a,b"');
  assert.equal(csvField('say "hi"'), '"say ""hi"""');
  assert.equal(csvField('two\nlines'), '"two\nlines"');
  assert.equal(csvField('=SUM(A1)'), "'=SUM(A1)");
  assert.equal(csvField('-0.5'), '-0.5');
  assert.equal(csvField(-0.5), '-0.5');
  assert.equal(csvField(null), '');
  assert.equal(csvField(Number.POSITIVE_INFINITY), '');
  assert.equal(csvField(true), 'true');
  assert.equal(toCsv(['a', 'b'], [[1, 'x,y'], [null, 2]]), 'a,b\r\n1,"x,y"\r\n,2\r\n');
});
