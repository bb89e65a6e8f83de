// Every field of every call the UI sends has the label a form shows for it, so a problem the core
// names by path reaches the user as "Label: problem" or under the input, never as
// `request.trainImages`. The field lists come from the domain schemas themselves (CALLS), walked here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { z } from 'zod';
import { CALLS, type CallName } from '../../src-main/core/domain/contract';
import { RunConfigSchema } from '../../src-main/core/domain/run-config';
import { ApiError, message, unwrap } from '../../src-renderer/lib/api-error';
import { FIELD_LABELS, type FormCall } from '../../src-renderer/lib/field-labels';
import { placeError, placeProblems } from '../../src-renderer/lib/problems';

interface Def {
  type: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  in?: z.ZodType;
  options?: z.ZodType[];
}
const defOf = (s: z.ZodType): Def => (s as unknown as { _zod: { def: Def } })._zod.def;

/**
 * The leaf fields of a schema as dot paths (`config.params.tau`). A record named `config` is a
 * run's config (train, createStudy): its fields are RunConfigSchema's.
 */
function fields(schema: z.ZodType, prefix = ''): string[] {
  const def = defOf(schema);
  switch (def.type) {
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'readonly':
      return fields(def.innerType!, prefix);
    case 'pipe':
      return fields(def.in!, prefix);
    case 'union':
      return [...new Set(def.options!.flatMap((o) => fields(o, prefix)))];
    case 'object':
      return Object.entries(def.shape!).flatMap(([k, v]) => fields(v, prefix ? `${prefix}.${k}` : k));
    case 'record':
      if (prefix === 'config') return fields(RunConfigSchema, prefix);
      return [prefix];
    default:
      return prefix ? [prefix] : [];
  }
}

/** The calls the renderer sends, read from its source (`call('name'`, `attempt('name'`). */
function callsInRenderer(): Set<string> {
  const out = new Set<string>();
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(svelte|ts)$/.test(e.name)) for (const m of readFileSync(p, 'utf8').matchAll(/\b(?:call|attempt)\(\s*'(\w+)'/g)) out.add(m[1]);
    }
  };
  walk(join(import.meta.dirname, '../../src-renderer'));
  return out;
}

test('the field walker sees nested, optional and union fields', () => {
  const train = fields(CALLS.train);
  for (const f of ['split', 'name', 'teacher', 'config.epochs', 'config.params.tau', 'config.augment.crop']) assert.ok(train.includes(f), f);
  const imp = fields(CALLS.importDataset);
  for (const f of ['request.trainImages', 'request.train', 'request.root', 'request.mirror', 'job']) assert.ok(imp.includes(f), f);
});

test('every call the UI sends with an argument has a label for each of its fields', () => {
  const sent = [...callsInRenderer()].filter((c): c is CallName => Object.hasOwn(CALLS, c));
  assert.ok(sent.length >= 15, `found ${sent.length} calls in the renderer`);
  const missing: string[] = [];
  for (const call of sent) {
    const keys = fields(CALLS[call]);
    if (!keys.length) continue;
    const labels: Record<string, string> | undefined = (FIELD_LABELS as Partial<Record<CallName, Record<string, string>>>)[call];
    if (!labels) {
      missing.push(`${call}: no labels`);
      continue;
    }
    for (const k of keys) if (!labels[k]) missing.push(`${call}: ${k}`);
  }
  assert.deepEqual(missing, []);
});

test('labels name fields that exist (no label left behind by a renamed field)', () => {
  const stale: string[] = [];
  for (const [call, labels] of Object.entries(FIELD_LABELS) as [FormCall, Record<string, string>][]) {
    const keys = fields(CALLS[call]);
    for (const k of Object.keys(labels)) if (!keys.some((f) => f === k || f.startsWith(`${k}.`))) stale.push(`${call}: ${k}`);
  }
  assert.deepEqual(stale, []);
});

test('a refusal is placed under the inputs the form has, the rest as "Label: problem"', () => {
  const problems = [
    { path: ['request', 'train'], message: 'no folder at this path' },
    { path: ['request', 'seed'], message: 'must be a whole number' },
    { path: [], message: 'Fashion-MNIST is not installed on this machine' },
  ];
  assert.deepEqual(placeProblems(problems, 'importDataset', ['request.name', 'request.train']), {
    fields: { 'request.train': 'no folder at this path' },
    summary: ['Hold-out seed: must be a whole number', 'Fashion-MNIST is not installed on this machine'],
  });
  // a list's problem goes beside the list
  assert.deepEqual(placeProblems([{ path: ['config', 'milestones', 1], message: 'milestones must be strictly increasing' }], 'train', ['config.milestones']).fields, {
    'config.milestones': 'milestones must be strictly increasing',
  });
  // a call's failure without problems (the core's own line), and anything else thrown
  assert.deepEqual(placeError(new ApiError('the database is busy'), 'createSplit', ['name']), { fields: {}, summary: ['the database is busy'] });
  // in a toast: each problem with its field's label, no schema path
  assert.equal(message(new ApiError('config.lr: Too small', [{ path: ['config', 'lr'], message: 'must be above 0' }])), 'Learning rate: must be above 0');
});

test('an envelope from either door becomes the result, or an ApiError that keeps its problems', () => {
  assert.equal(unwrap({ ok: true, result: 7 }), 7);
  const problems = [{ path: ['name'], message: 'a split named "x" already exists; choose another name' }];
  assert.throws(() => unwrap({ ok: false, error: 'a split named "x" already exists; choose another --name or delete it first', problems }), (e: unknown) => {
    assert.ok(e instanceof ApiError);
    assert.deepEqual(e.problems, problems);
    assert.equal(message(e, 'createSplit'), 'Split name: a split named "x" already exists; choose another name');
    // without the call, a key whose label differs between calls (a split's name, a run's) goes unlabelled
    assert.equal(message(e), 'a split named "x" already exists; choose another name');
    return true;
  });
  // an older server without problems: the line as it is
  assert.throws(() => unwrap({ ok: false, error: 'the database is busy' }), (e: unknown) => e instanceof ApiError && e.problems.length === 0 && message(e) === 'the database is busy');
});
