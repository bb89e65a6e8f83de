import { test } from 'node:test';
import assert from 'node:assert/strict';
import { paperStudyRequest, paperWarmupForm, studentSeed } from '../../src-main/core/domain/run-requests';
import { parseStudyRequest, planStudy } from '../../src-main/core/domain/study-plan';

test("recipe paper: the reference code's per-epoch warm-up at the paper's scale, per step in short runs", () => {
  assert.equal(paperWarmupForm(undefined), 'epoch');
  assert.equal(paperWarmupForm(200), 'epoch');
  assert.equal(paperWarmupForm(100), 'epoch');
  assert.equal(paperWarmupForm(60), 'step');
});

test("recipe paper: students share a seed that is not the teacher's", () => {
  assert.equal(studentSeed(0), 1);
  assert.equal(studentSeed(-5), -4);
  assert.equal(studentSeed(0x7fffffff), 0);
});

test('recipe paper as a study: one teacher on the seed, students on the next, per-epoch warm-up at 100 epochs', () => {
  const base = { recipe: 'paper' as const, split: 'lt' };
  const { spec } = parseStudyRequest(paperStudyRequest({ ...base, epochs: 100 }, 'lt-paper'));
  const plan = planStudy('lt-paper', spec);
  assert.deepEqual(plan.map((p) => [p.method, p.seed, p.role]), [['bsce', 0, 'teacher'], ['ce', 1, 'student'], ['bsce', 1, 'student'], ['ldam-drw', 1, 'student'], ['kd', 1, 'student'], ['dive', 1, 'student']]);
  assert.ok(plan.every((p) => p.config.warmupForm === 'epoch'));
  assert.equal(plan.find((p) => p.method === 'dive')!.teacherCell, plan[0].cell);
  // with --seeds: a teacher per seed, on seed + 100, never a student's seed; per step in a short run
  const many = planStudy('x', parseStudyRequest(paperStudyRequest({ ...base, epochs: 10, seeds: 2 }, 'x')).spec);
  assert.deepEqual(many.filter((p) => p.role === 'teacher').map((p) => p.seed), [101, 102]);
  assert.ok(many.every((p) => p.config.warmupForm === 'step'));
});
