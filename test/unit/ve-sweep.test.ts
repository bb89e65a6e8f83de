import { test } from 'node:test';
import assert from 'node:assert/strict';
import { meanTargetEntropy, suggestTau, veSweep, type SweepPoint } from '../../src-main/core/eval/ve-sweep';

const near = (a: number, b: number, tol = 1e-12) => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

test('normalised target entropy: 0 for a certain row, 1 for equal logits, hand value between', () => {
  near(meanTargetEntropy([0, 0, 0, 0], 1, 4, 1, 1), 1);
  near(meanTargetEntropy([1000, 0], 1, 2, 1, 1), 0);
  // logits [ln 3, 0] at T = 1: q = [0.75, 0.25]; H = -(0.75 ln 0.75 + 0.25 ln 0.25) / ln 2
  const h = -(0.75 * Math.log(0.75) + 0.25 * Math.log(0.25)) / Math.log(2);
  near(meanTargetEntropy([Math.log(3), 0], 1, 2, 1, 1), h);
  // p = 0.5 at T = 1 is softmax(z / 2): [sqrt 3, 1] / (sqrt 3 + 1)
  const q = Math.sqrt(3) / (Math.sqrt(3) + 1);
  near(meanTargetEntropy([Math.log(3), 0], 1, 2, 1, 0.5), -(q * Math.log(q) + (1 - q) * Math.log(1 - q)) / Math.log(2));
});

const point = (tau: number, fewOverMany: number, entropy: number): SweepPoint => ({ tau, effectiveTau: tau * 2, virtual: { many: 1, medium: 1, few: fewOverMany }, fewOverMany, maxOverMin: 1, entropy });

test('the rule: smallest T with few/many >= 0.8 while the targets are not nearly uniform', () => {
  assert.equal(suggestTau([point(1, 0.3, 0.2), point(3, 0.85, 0.6), point(6, 1.1, 0.8)]).suggestedTau, 3);
  const late = suggestTau([point(1, 0.3, 0.5), point(6, 0.81, 0.96)]);
  assert.equal(late.suggestedTau, null);
  assert.match(late.reason, /only met at T=6 \(effective 12\), where the targets are at 96% of maximum entropy/);
  const never = suggestTau([point(1, 0.2, 0.4), point(6, 0.69, 0.97)]);
  assert.equal(never.suggestedTau, null);
  assert.match(never.reason, /^the rule \(few\/many >= 0\.8\) cannot be met before the targets are nearly uniform: at T=6 \(effective 12\) few\/many is 0\.69 with the targets at 97% of maximum entropy$/);
});

test('veSweep on hand-made logits: flatter and more uniform as T rises', () => {
  // two classes: class 0 many (3 images), class 1 few (1 image); confident, correct logits
  const logits = [4, 0, 4, 0, 4, 0, 0, 4];
  const groups = { many: [0], medium: [], few: [1] };
  const s = veSweep('t', logits, 4, [150, 10], groups, 1, [1, 2, 100]);
  assert.deepEqual(s.sweep.map((p) => p.tau), [1, 2, 100]);
  // T = 1: V = [3 s + (1 - s), 3 (1 - s) + s] with s = sigmoid(4)
  const sg = 1 / (1 + Math.exp(-4));
  near(s.sweep[0].virtual.many!, 3 * sg + (1 - sg));
  near(s.sweep[0].fewOverMany!, (3 * (1 - sg) + sg) / (3 * sg + (1 - sg)));
  assert.ok(s.sweep[2].entropy > s.sweep[1].entropy && s.sweep[1].entropy > s.sweep[0].entropy);
  assert.deepEqual(s.input, { many: 150, medium: null, few: 10 });
  assert.equal(s.suggestedTau, null, 'flat only when the targets are uniform');
});
