// The teacher picker never ranks by test accuracy (issue 22, item 2): by validation accuracy where a
// teacher has a holdout, otherwise by fit to DiVE's recipe; it says which rule it used; a student's
// default seed is its teacher's + 1, and a student on its teacher's seed is warned about.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rankTeachers, sharedSeedWarning, studentSeed, TEACHER_RULE_TEXT, type TeacherCandidate } from '../../src-main/core/domain/teacher-choice';

let id = 0;
/** A completed run; `top1` is its test accuracy, which must play no part. */
function at(name: string, over: Partial<TeacherCandidate> & { top1?: number } = {}): TeacherCandidate & { top1: number } {
  id++;
  return {
    id, name, method: 'bsce', split: 'lt', dataset: 'd', status: 'completed', teacher: null, warnings: [], epochsTotal: 30,
    createdAt: `2026-01-${String(id).padStart(2, '0')}T00:00:00Z`, seed: 0, valAcc: null, top1: 0.5, ...over,
  };
}

test('by fit to the recipe: no warnings, then the longest schedule, then the newest; test accuracy plays no part', () => {
  const best = at('best-on-test', { top1: 0.99 });
  const long = at('long', { epochsTotal: 60, top1: 0.4 });
  const newer = at('newer', { top1: 0.3 });
  const warned = at('warned', { epochsTotal: 200, warnings: ['the run ended at chance level'], top1: 0.1 });
  const r = rankTeachers([best, long, newer, warned], 'lt', 'd');
  assert.equal(r.rule, 'recipe');
  assert.equal(r.ruleText, TEACHER_RULE_TEXT.recipe);
  assert.deepEqual(r.recommended.map((c) => c.run.name), ['long', 'newer', 'best-on-test', 'warned']);
  assert.equal(r.preselected, 'long');
  // the same runs with their test accuracies swapped: the same order
  const swapped = rankTeachers([{ ...best, top1: 0.1 }, { ...long, top1: 0.99 }, newer, warned], 'lt', 'd');
  assert.deepEqual(swapped.recommended.map((c) => c.run.name), r.recommended.map((c) => c.run.name));
});

test('by validation accuracy where a teacher has a holdout; those without follow, by the recipe', () => {
  const runs = [at('no-holdout', { epochsTotal: 200 }), at('val-70', { valAcc: 0.7, top1: 0.9 }), at('val-80', { valAcc: 0.8, top1: 0.6 }), at('val-90-warned', { valAcc: 0.9, warnings: ['x'] })];
  const r = rankTeachers(runs, 'lt', 'd');
  assert.equal(r.rule, 'validation');
  assert.match(r.ruleText, /^Runs without warnings first, then by balanced accuracy on each teacher.s validation holdout/);
  assert.deepEqual(r.recommended.map((c) => c.run.name), ['val-80', 'val-70', 'no-holdout', 'val-90-warned']);
  assert.equal(r.preselected, 'val-80');
});

test('other splits, methods and students are apart with the reason, fewest caveats first; none is preselected', () => {
  const r = rankTeachers(
    [at('ce', { method: 'ce' }), at('far', { split: 'x', epochsTotal: 200 }), at('stu', { method: 'dive', teacher: 'ce' }), at('far-ce', { split: 'x', method: 'ce' }), at('other-ds', { dataset: 'e' }), at('live', { status: 'running' })],
    'lt',
    'd',
  );
  assert.deepEqual(r.recommended, []);
  assert.equal(r.preselected, '');
  assert.deepEqual(r.others.map((c) => [c.run.name, c.caveats]), [
    ['far', ['trained on another split (x)']],
    ['stu', ['a distilled student (of ce)']],
    ['ce', ['ce, not Balanced Softmax']],
    ['far-ce', ['trained on another split (x)', 'ce, not Balanced Softmax']],
  ]);
});

test('a student starts on its teacher\'s seed + 1; on the same seed it is warned', () => {
  assert.equal(studentSeed(0), 1);
  assert.equal(studentSeed(100), 101);
  assert.equal(sharedSeedWarning('T', 0), 'the student\'s seed 0 is its teacher "T"\'s seed: it starts from the teacher\'s initial weights and sees its batches in the same order, so it re-learns its teacher; use another seed (e.g. 1)');
});
