import { test } from 'node:test';
import assert from 'node:assert/strict';
import { exactPow } from '../../src-main/core/splits/exact-pow';
import { classOrder, countsByClass, expCount, profileCounts } from '../../src-main/core/splits/profile';

const sum = (a: readonly number[]) => a.reduce((s, x) => s + x, 0);
const groupSizes = (counts: readonly number[]) => [counts.filter((n) => n > 100).length, counts.filter((n) => n >= 20 && n <= 100).length, counts.filter((n) => n < 20).length];

// Reference values: LDAM-DRW's get_img_num_per_cls, int(img_max * imb_factor**(i / (C - 1.0))),
// run in CPython 3.11 (glibc 2.36); the totals are the ones the papers quote.
test('CIFAR-10-LT counts match LDAM-DRW for rho 100, 50, 10', () => {
  const rho100 = profileCounts('exp', 10, 5000, 100);
  assert.deepEqual(rho100, [5000, 2997, 1796, 1077, 645, 387, 232, 139, 83, 50]);
  assert.equal(sum(rho100), 12406);
  assert.deepEqual(profileCounts('exp', 10, 5000, 50), [5000, 3237, 2096, 1357, 878, 568, 368, 238, 154, 100]);
  assert.equal(sum(profileCounts('exp', 10, 5000, 10)), 20431);
  assert.equal(sum(profileCounts('exp', 10, 5000, 200)), 11203);
});

test('CIFAR-100-LT rho 100 has 10,847 images, n_min 5 and 35 / 35 / 30 many / medium / few classes', () => {
  const c = profileCounts('exp', 100, 500, 100);
  assert.equal(sum(c), 10847);
  assert.deepEqual(c.slice(0, 5), [500, 477, 455, 434, 415]);
  assert.deepEqual(c.slice(-5), [6, 5, 5, 5, 5]);
  assert.deepEqual(groupSizes(c), [35, 35, 30]);
  assert.equal(sum(profileCounts('exp', 100, 500, 50)), 12608);
  assert.equal(sum(profileCounts('exp', 100, 500, 10)), 19573);
  assert.deepEqual(groupSizes(profileCounts('exp', 100, 500, 200)), [30, 31, 39]);
});

test('a small case by hand: n_max 20, rho 10, 5 classes', () => {
  // 20 * 10^-(i/4) = 20, 11.25, 6.32, 3.56, 2 -> truncated
  assert.deepEqual(profileCounts('exp', 5, 20, 10), [20, 11, 6, 3, 2]);
});

test('counts land on integers where the power is exact or nearly so', () => {
  assert.deepEqual(profileCounts('exp', 3, 100, 4), [100, 50, 25]);
  // 8^(-1/3) with 1/3 rounded down is a hair above 0.5: LDAM-DRW gives 5, not 4
  assert.deepEqual(profileCounts('exp', 4, 10, 8), [10, 5, 2, 1]);
  // n_max * (1/rho) for the last rank is computed as the reference does: 49 * (1/49) < 1
  assert.equal(expCount(49, 49, 1, 2), 0);
  assert.equal(expCount(5000, 100, 9, 10), 50);
});

test('rho 1 gives n_max to every class, for both profiles', () => {
  assert.deepEqual(profileCounts('exp', 7, 123, 1), Array(7).fill(123));
  assert.deepEqual(profileCounts('step', 7, 123, 1), Array(7).fill(123));
});

test('step profile: the first floor(C/2) ranks keep n_max, the rest n_max / rho', () => {
  assert.deepEqual(profileCounts('step', 10, 5000, 100), [5000, 5000, 5000, 5000, 5000, 50, 50, 50, 50, 50]);
  assert.deepEqual(profileCounts('step', 5, 300, 10), [300, 300, 30, 30, 30]);
  assert.deepEqual(profileCounts('step', 4, 99, 2.5), [99, 99, 39, 39]);
  assert.equal(sum(profileCounts('step', 100, 500, 100)), 25250);
});

test('exactPow rounds correctly where Math.pow is an ulp off', () => {
  // 2^-0.25 = 0.840896415253714543031...; the double below is nearer (Python gives it too)
  assert.equal(exactPow(0.5, 0.25), 0.8408964152537145);
  assert.equal(exactPow(0.5, 3 / 8), 0.7711054127039704);
  assert.equal(exactPow(0.25, 0.5), 0.5);
  assert.equal(exactPow(0.01, 1), 0.01);
  assert.equal(exactPow(0.01, 0), 1);
  assert.equal(exactPow(1, 0.3), 1);
  assert.equal(exactPow(2, 10), 1024);
  assert.equal(exactPow(0.1, 2), 0.010000000000000002); // (0.1 as a double)^2, correctly rounded
  assert.throws(() => exactPow(0, 0.5), RangeError);
});

test('label class order is the identity; shuffled order is a seeded permutation', () => {
  assert.deepEqual(classOrder('label', 5, 42), [0, 1, 2, 3, 4]);
  const a = classOrder('shuffle', 100, 7);
  assert.deepEqual([...a].sort((x, y) => x - y), Array.from({ length: 100 }, (_, i) => i));
  assert.deepEqual(classOrder('shuffle', 100, 7), a);
  assert.notDeepEqual(classOrder('shuffle', 100, 8), a);
  assert.notDeepEqual(a, Array.from({ length: 100 }, (_, i) => i));
  // pinned so a change of generator or derivation is noticed
  assert.deepEqual(classOrder('shuffle', 10, 0), GOLDEN_ORDER_10_SEED_0);
});

test("countsByClass puts rank r's count at class order[r]", () => {
  assert.deepEqual(countsByClass([9, 5, 1], [2, 0, 1]), [5, 1, 9]);
});

const GOLDEN_ORDER_10_SEED_0 = [1, 3, 8, 0, 7, 2, 5, 6, 4, 9];
