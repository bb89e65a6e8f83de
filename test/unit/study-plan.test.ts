// A study's plan: methods x seeds x grid, teachers first with seeds no student has, validated at
// creation, the same cells every time (which makes `study run` idempotent).
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { gridCells, parseStudyRequest, planStudy } from '../../src-main/core/domain/study-plan';

const base = { name: 'st', split: 's', config: { model: 'mlp', epochs: 2 } };

it('plans one teacher per seed (seed + 100) before the students, a grid only where it applies', () => {
  const { name, spec } = parseStudyRequest({ ...base, methods: ['ce', 'dive'], seeds: 2, grid: { tau: [2, 6] } });
  assert.deepEqual(spec.seeds, [1, 2]);
  const plan = planStudy(name, spec);
  assert.deepEqual(plan.map((p) => p.name), ['st-teacher-s101', 'st-teacher-s102', 'st-ce-s1', 'st-ce-s2', 'st-dive-tau2-s1', 'st-dive-tau2-s2', 'st-dive-tau6-s1', 'st-dive-tau6-s2']);
  const student = plan.find((p) => p.name === 'st-dive-tau6-s2')!;
  assert.equal(student.teacherCell, 'teacher:bsce:s102');
  assert.deepEqual(student.config, { model: 'mlp', epochs: 2, method: 'dive', seed: 2, params: { tau: 6 } });
  assert.equal(plan[0].config.method, 'bsce');
  assert.deepEqual(planStudy(name, spec), plan, 'the same spec plans the same cells');
  assert.equal(new Set(plan.map((p) => p.cell)).size, plan.length);
});

it('plans a shared teacher with its own recipe, and no teacher when no method distils', () => {
  const { spec } = parseStudyRequest({ ...base, methods: ['kd', 'bsce'], seeds: [1, 2, 3], teacher: { shared: true, epochs: 6, model: 'cnn' } });
  const plan = planStudy('st', spec);
  const teachers = plan.filter((p) => p.role === 'teacher');
  assert.deepEqual(teachers.map((p) => [p.name, p.config.epochs, p.config.model, p.seed]), [['st-teacher-s100', 6, 'cnn', 100]]);
  assert.ok(plan.filter((p) => p.method === 'kd').every((p) => p.teacherCell === 'teacher:bsce:s100'));
  assert.equal(planStudy('x', parseStudyRequest({ ...base, methods: ['ce', 'bsce'] }).spec).filter((p) => p.role === 'teacher').length, 0);
});

it('gives every combination of the grid values a method uses', () => {
  const grid = { tau: [2, 3], power: [0.5, 1], alpha: [0.5] };
  assert.equal(gridCells('dive', grid).length, 4);
  assert.deepEqual(gridCells('kd', grid), [{ tau: 2, alpha: 0.5 }, { tau: 3, alpha: 0.5 }]);
  assert.deepEqual(gridCells('ce', grid), [{}]);
});

it('refuses, naming the field: teacher seed equal to a student seed, a grid no method uses, bad configs', () => {
  assert.throws(() => parseStudyRequest({ ...base, methods: ['dive'], seeds: [1, 100], teacher: { shared: true } }), /teacher seed 100 is also a student seed/);
  assert.throws(() => parseStudyRequest({ ...base, methods: ['ce'], grid: { tau: [3] } }), /grid tau: applies to kd and dive/);
  assert.throws(() => parseStudyRequest({ ...base, methods: ['ce', 'ce'] }), /methods: a method is listed twice/);
  assert.throws(() => parseStudyRequest({ ...base, methods: ['nope'] }), /invalid study: methods\.0: /);
  assert.throws(() => parseStudyRequest({ ...base, methods: ['ce'], config: { epochs: 0 } }), /run st-ce-s1: invalid run config: epochs/);
  assert.throws(() => parseStudyRequest({ ...base, methods: ['ce'], config: { seed: 4 } }), /config\.seed: set per run by the study/);
  assert.throws(() => parseStudyRequest({ ...base, name: 'a b', methods: ['ce'] }), /name: use letters/);
});

it('plans a stage-1 ce run per seed for the methods that start from one, on the same seed, before them', () => {
  const { spec } = parseStudyRequest({ ...base, methods: ['crt', 'logit-adjust', 'bsce'], seeds: 2, config: { model: 'mlp', epochs: 2, augment: { flip: false } } });
  const plan = planStudy('st', spec);
  assert.deepEqual(plan.map((p) => p.name), ['st-stage1-ce-s1', 'st-stage1-ce-s2', 'st-bsce-s1', 'st-bsce-s2', 'st-crt-s1', 'st-crt-s2', 'st-logit-adjust-s1', 'st-logit-adjust-s2']);
  const crt = plan.find((p) => p.name === 'st-crt-s2')!;
  assert.equal(crt.teacherCell, 'stage1:ce:s2');
  assert.equal(crt.seed, 2);
  // the stage-1 run takes the study's recipe; cRT keeps its own (classifier-balancing's), shares the rest
  assert.deepEqual(plan[1].config, { model: 'mlp', epochs: 2, augment: { flip: false }, method: 'ce', seed: 2 });
  assert.deepEqual(crt.config, { augment: { flip: false }, method: 'crt', params: {} });
  // with ce among the methods, its runs are the stage 1 (a paired crt - ce is one backbone)
  const withCe = planStudy('st', parseStudyRequest({ ...base, methods: ['lws', 'ce'], seeds: 1 }).spec);
  assert.deepEqual(withCe.map((p) => [p.name, p.teacherCell]), [['st-ce-s1', null], ['st-lws-s1', 'student:ce:s1']]);
});
