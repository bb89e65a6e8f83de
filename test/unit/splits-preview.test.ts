import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSplitParams, parseSplitPreviewRequest, parseSplitRequest } from '../../src-main/core/domain/split-schema';
import { UserError } from '../../src-main/core/domain/errors';
import { previewFromCounts, previewFromLabels } from '../../src-main/core/splits/preview';
import { profileCounts } from '../../src-main/core/splits/profile';

const CIFAR10 = { counts: Array(10).fill(5000), classNames: ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'] };

function userError(fn: () => unknown, re: RegExp): void {
  assert.throws(fn, (e: unknown) => e instanceof UserError && re.test(e.message), `expected a UserError matching ${re}`);
}

test('preview of CIFAR-10-LT rho 100 with the defaults', () => {
  const p = previewFromCounts(CIFAR10, { ratio: 100 });
  assert.equal(p.maxPerClass, 5000); // the smallest class count
  assert.equal(p.profile, 'exp');
  assert.equal(p.classOrder, 'label');
  assert.equal(p.seed, 0);
  assert.deepEqual(p.order, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.deepEqual(p.counts, [5000, 2997, 1796, 1077, 645, 387, 232, 139, 83, 50]);
  assert.equal(p.total, 12406);
  assert.deepEqual(p.thresholds, { many: 100, few: 20 });
  assert.deepEqual(p.groups, { many: [0, 1, 2, 3, 4, 5, 6, 7], medium: [8, 9], few: [] });
  assert.equal(p.stats.total, 12406);
  assert.equal(p.stats.imbalanceRatio, 100);
  assert.deepEqual(p.stats.groups, p.groups);
});

test('the default n_max is the smallest class count of the source', () => {
  const p = previewFromCounts({ counts: [90, 30, 60] }, { ratio: 3 });
  assert.equal(p.maxPerClass, 30);
  assert.deepEqual(p.counts, profileCounts('exp', 3, 30, 3));
});

test('thresholds set per split decide the groups', () => {
  const p = previewFromCounts(CIFAR10, { ratio: 100, many: 1000, few: 200 });
  assert.deepEqual(p.thresholds, { many: 1000, few: 200 });
  assert.deepEqual(p.groups, { many: [0, 1, 2, 3], medium: [4, 5, 6], few: [7, 8, 9] });
});

test('shuffled class order: the class at rank r gets the rank-r count', () => {
  const p = previewFromCounts(CIFAR10, { ratio: 100, classOrder: 'shuffle', seed: 4 });
  const ranks = profileCounts('exp', 10, 5000, 100);
  p.order.forEach((c, r) => assert.equal(p.counts[c], ranks[r]));
  assert.notDeepEqual(p.order, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.equal(p.total, 12406);
});

test('preview from a label array equals preview from its counts', () => {
  const labels = Int32Array.from({ length: 600 }, (_, i) => (i * 7) % 6); // 100 per class
  const a = previewFromLabels(labels, 6, { ratio: 10, profile: 'step' });
  const b = previewFromCounts({ counts: Array(6).fill(100) }, { ratio: 10, profile: 'step' });
  assert.deepEqual(a, b);
  assert.deepEqual(a.counts, [100, 100, 100, 10, 10, 10]);
  userError(() => previewFromLabels(Int32Array.from([0, 1, 6]), 6, { ratio: 1 }), /training image 2: label 6 is outside 0\.\.5/);
});

test('n_max above what a class has names the class, what it has and what it needs', () => {
  // rank 2 of 4 at rho 10: 500 * 10^(-2/3) = 107.7
  const src = { counts: [600, 600, 40, 600], classNames: ['a', 'b', 'c', 'd'] };
  userError(
    () => previewFromCounts(src, { ratio: 10, maxPerClass: 500 }),
    /^maxPerClass: class 2 \("c"\) has 40 training images but the split needs 107 \(maxPerClass 500, ratio 10\); lower maxPerClass$/,
  );
  userError(() => previewFromCounts(CIFAR10, { ratio: 1, maxPerClass: 5001 }), /class 0 \("airplane"\) has 5000 .* needs 5001 .*; 9 more classes are short too/);
  // without names the index alone
  userError(() => previewFromCounts({ counts: [5, 10] }, { ratio: 1, maxPerClass: 6 }), /^maxPerClass: class 0 has 5 training images but the split needs 6/);
});

test('a ratio that leaves a class empty is refused, naming the ratio', () => {
  userError(() => previewFromCounts({ counts: [500, 500] }, { ratio: 600 }), /^ratio: 600 with maxPerClass 500 leaves class 1 with no training images/);
});

test('a class without images cannot set the default n_max', () => {
  userError(() => previewFromCounts({ counts: [10, 0, 5], classNames: ['x', 'y', 'z'] }, { ratio: 2 }), /^maxPerClass: .*class 1 \("y"\) has no training images/);
  userError(() => previewFromCounts({ counts: [10] }, { ratio: 2 }), /at least 2 classes/);
});

test('bad parameters name the field', () => {
  const cases: [unknown, RegExp][] = [
    [{ ratio: 0.5 }, /^invalid split parameters: ratio: must be at least 1 \(got 0\.5\)$/],
    [{}, /ratio: .*\(missing\)/],
    [{ ratio: '10' }, /ratio: .*expected number.*\(got "10"\)/],
    [{ ratio: Infinity }, /ratio: /],
    [{ ratio: 10, maxPerClass: 12.5 }, /maxPerClass: must be a whole number \(got 12\.5\)/],
    [{ ratio: 10, maxPerClass: -3 }, /maxPerClass: must be at least 1 \(got -3\)/],
    [{ ratio: 10, maxPerClass: 0 }, /maxPerClass: must be at least 1/],
    [{ ratio: 10, seed: -1 }, /seed: must be at least 0/],
    [{ ratio: 10, seed: 1.5 }, /seed: must be a whole number/],
    [{ ratio: 10, profile: 'linear' }, /profile: .*"exp"\|"step"/],
    [{ ratio: 10, classOrder: 'random' }, /classOrder: /],
    [{ ratio: 10, many: -1 }, /many: must be at least 0/],
    [{ ratio: 10, few: 2.5 }, /few: must be a whole number/],
    [{ ratio: 10, few: 150 }, /few: must be at most many \+ 1 \(got few 150, many 100\)/],
    [{ ratio: 10, maxperclass: 5 }, /unknown field "maxperclass"/],
    [null, /invalid split parameters: .*expected object/],
  ];
  for (const [input, re] of cases) userError(() => parseSplitParams(input), re);
  // the preview goes through the same checks
  userError(() => previewFromCounts(CIFAR10, { ratio: 0.99 }), /^invalid split parameters: ratio: must be at least 1/);
});

test('a split request also needs a dataset and a name; a preview request does not need the name', () => {
  userError(() => parseSplitRequest({ dataset: 'c10', ratio: 10 }), /name: .*\(missing\)/);
  userError(() => parseSplitRequest({ dataset: 'c10', name: '  ', ratio: 10 }), /name: must not be empty/);
  userError(() => parseSplitRequest({ name: 'x', ratio: 10 }), /dataset: /);
  const r = parseSplitRequest({ dataset: ' c10 ', name: 'c10-lt', ratio: 10 });
  assert.deepEqual(r, { dataset: 'c10', name: 'c10-lt', ratio: 10, profile: 'exp', seed: 0, classOrder: 'label' });
  assert.equal(parseSplitPreviewRequest({ dataset: 'c10', ratio: 10 }).name, undefined);
  assert.equal(parseSplitPreviewRequest({ dataset: 'c10', name: '', ratio: 10 }).name, '');
});
