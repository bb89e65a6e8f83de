import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseStudyRequest } from '../../src-main/core/domain/study-plan';
import { toStudyRequest, validateStudy } from '../../src-renderer/lib/study-form';
import { defaultForm } from '../../src-renderer/lib/train-form';

test('the study request carries the form\'s shared settings and is one the core accepts', () => {
  const f = { ...defaultForm('lt'), method: 'dive' as const, epochs: 2, batchSize: 64, model: 'mlp' as const, backend: 'wasm' as const };
  const req = toStudyRequest(f, { name: 'st', methods: ['dive', 'bsce'], seeds: 2 });
  assert.deepEqual([req.name, req.split, req.methods, req.seeds], ['st', 'lt', ['bsce', 'dive'], 2]);
  assert.equal(req.config?.epochs, 2);
  assert.equal(req.config?.batchSize, 64);
  assert.equal('method' in (req.config ?? {}), false, 'the method is per cell');
  assert.equal('seed' in (req.config ?? {}), false, 'the seed is per cell');
  const plan = parseStudyRequest(req);
  assert.deepEqual(plan.spec.seeds, [1, 2]);
  assert.equal(plan.spec.teacher.epochs, 2);
});

test('study fields are checked in the form\'s words', () => {
  assert.deepEqual(validateStudy({ name: 'ok', methods: ['ce'], seeds: 3 }), {});
  const e = validateStudy({ name: 'bad name', methods: [], seeds: 0 });
  assert.equal(e['study.name'], 'use letters, digits, ".", "_" or "-"');
  assert.equal(e['study.methods'], 'tick at least one method');
  assert.equal(e['study.seeds'], 'a whole number of seeds from 1 to 100');
});
