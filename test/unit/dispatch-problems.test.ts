// A refused call carries its problems by field, in the UI's words, through every door: the
// dispatcher (in-process and through a worker task), the HTTP API and IPC envelopes; the CLI's
// one-line message stays as it was.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { join } from 'node:path';
import { z } from 'zod';
import { createDispatcher, type Dispatcher } from '../../src-main/core/app/dispatch';
import { describeError, failure, problemsOf } from '../../src-main/core/domain/describe-error';
import { issueProblems, issueWords, UserError, withPathPrefix, type Problem } from '../../src-main/core/domain/errors';
import { startServer, type RunningServer } from '../../src-main/server/server';
import { tempStore, writeIdxDataset, type TempStore } from '../helpers/fixtures';

async function refusal(p: Promise<unknown>): Promise<{ line: string; problems: Problem[] }> {
  try {
    await p;
  } catch (e) {
    return { line: describeError(e), problems: problemsOf(e) };
  }
  throw new Error('expected the call to be refused');
}

describe('schema failures in the form\'s words', () => {
  const words = (schema: z.ZodType, input: unknown) => {
    const r = schema.safeParse(input);
    assert.ok(!r.success);
    return issueProblems(r.error.issues);
  };

  it('rewords zod\'s own messages and keeps a schema\'s own', () => {
    assert.deepEqual(words(z.object({ a: z.number().min(1) }), { a: 0.5 }), [{ path: ['a'], message: 'must be at least 1' }]);
    assert.deepEqual(words(z.object({ a: z.number().gt(0) }), { a: 0 }), [{ path: ['a'], message: 'must be above 0' }]);
    assert.deepEqual(words(z.object({ a: z.number().max(1) }), { a: 2 }), [{ path: ['a'], message: 'must be at most 1' }]);
    assert.deepEqual(words(z.object({ a: z.number().lt(1) }), { a: 1 }), [{ path: ['a'], message: 'must be below 1' }]);
    assert.deepEqual(words(z.object({ a: z.number().int() }), { a: 1.5 }), [{ path: ['a'], message: 'must be a whole number' }]);
    assert.deepEqual(words(z.object({ a: z.number() }), {}), [{ path: ['a'], message: 'required' }]);
    assert.deepEqual(words(z.object({ a: z.number() }), { a: 'x' }), [{ path: ['a'], message: 'must be a number' }]);
    assert.deepEqual(words(z.object({ a: z.enum(['x', 'y']) }), { a: 'z' }), [{ path: ['a'], message: 'must be one of x, y' }]);
    assert.deepEqual(words(z.object({ a: z.string().max(3) }), { a: 'abcd' }), [{ path: ['a'], message: 'at most 3 characters' }]);
    assert.deepEqual(words(z.strictObject({}), { b: 1 }), [{ path: [], message: 'unknown field "b"' }]);
    assert.deepEqual(words(z.object({ a: z.number().min(1, 'must be 1 or more') }), { a: 0 }), [{ path: ['a'], message: 'must be 1 or more' }]);
    for (const p of words(z.object({ a: z.number().min(1), b: z.number().int().max(3) }), { a: 0, b: 9 })) assert.doesNotMatch(p.message, /Too (small|big)|expected|[<>]=?/);
  });

  it('moves problems under a prefix, and leaves other errors alone', () => {
    const e = withPathPrefix(new UserError('line', [{ path: ['train'], message: 'no folder at this path' }]), ['request']);
    assert.ok(e instanceof UserError);
    assert.equal(e.message, 'line');
    assert.deepEqual(e.problems, [{ path: ['request', 'train'], message: 'no folder at this path' }]);
    const plain = new Error('bug');
    assert.equal(withPathPrefix(plain, ['x']), plain);
    assert.deepEqual(failure(plain), { ok: false, error: 'internal error: bug' });
    assert.deepEqual(failure(new UserError('only a line')), { ok: false, error: 'only a line' });
  });

  it('words lists and a run config\'s issues as the train call passes them on', () => {
    assert.deepEqual(words(z.object({ a: z.array(z.number()).min(1) }), { a: [] }), [{ path: ['a'], message: 'give at least 1' }]);
    const r = z.object({ a: z.number().gt(0) }).safeParse({ a: -1 });
    assert.ok(!r.success);
    assert.equal(issueWords(r.error.issues[0]), 'must be above 0');
  });
});

describe('a refused call names its fields, whichever way it runs', () => {
  let t: TempStore;
  let d: Dispatcher;
  let worker: Dispatcher;
  let s: RunningServer;

  before(async () => {
    t = tempStore();
    d = createDispatcher(t.store, { frontDoor: 'cli', tasks: 'in-process' });
    // the web mode's dispatcher: imports run in a worker process and read only below its roots
    worker = createDispatcher(t.store, { frontDoor: 'web', readRoots: [t.dir] });
    s = await startServer({ dispatcher: worker, rendererDir: join(t.dir, 'no-ui'), port: 0, log: () => {} });
    const files = writeIdxDataset(join(t.dir, 'idx'), { trainLabels: [0, 0, 0, 0, 1, 1, 1, 2, 2, 2], testLabels: [0, 1, 2] });
    await d.call('importDataset', { request: { format: 'idx', name: 'ds', ...files } });
    await d.call('createSplit', { dataset: 'ds', name: 'lt', ratio: 2, maxPerClass: 2 });
  });
  after(async () => {
    await s.close();
    await worker.close();
    await d.close();
    t.cleanup();
  });

  it('an import path that is not there: under the path field, with the CLI line as before', async () => {
    const missing = join(t.dir, 'nope', 'train');
    const r = await refusal(d.call('importDataset', { request: { format: 'folder', name: 'f', train: missing } }));
    assert.equal(r.line, `train folder not found: ${missing}`);
    assert.deepEqual(r.problems, [{ path: ['request', 'train'], message: 'no folder at this path' }]);
  });

  it('an import path outside the server\'s folders, through the worker: under its field, no path of the file in the words', async () => {
    const r = await refusal(worker.call('importDataset', { request: { format: 'idx', name: 'x', trainImages: '/etc/passwd', trainLabels: '/etc/passwd', testImages: '/etc/passwd', testLabels: '/etc/passwd' } }));
    assert.match(r.line, /--data-root/, 'the CLI line names the option');
    assert.equal(r.problems.length, 1);
    assert.deepEqual(r.problems[0].path, ['request', 'trainImages']);
    assert.match(r.problems[0].message, /^outside the folders this server may read/);
    assert.doesNotMatch(r.problems[0].message, /passwd|--|`/);
  });

  it('a duplicate split name: under the name field', async () => {
    const r = await refusal(d.call('createSplit', { dataset: 'ds', name: 'lt', ratio: 2, maxPerClass: 2 }));
    assert.equal(r.line, 'a split named "lt" already exists; choose another --name or delete it first');
    assert.deepEqual(r.problems, [{ path: ['name'], message: 'a split named "lt" already exists; choose another name' }]);
  });

  it('a head class larger than a class has: under maxPerClass', async () => {
    const r = await refusal(d.call('previewSplit', { dataset: 'ds', ratio: 2, maxPerClass: 9 }));
    assert.match(r.line, /^maxPerClass: class 0 \("0"\) has 4 training images but the split needs 9/);
    assert.deepEqual(r.problems.map((p) => p.path), [['maxPerClass']]);
    assert.match(r.problems[0].message, /^class 0 \("0"\) has 4 training images but the split needs 9.*; lower it$/);
  });

  it('an out-of-range hyper-parameter and a missing teacher: under config.lr and teacher', async () => {
    const lr = await refusal(d.call('train', { split: 'lt', config: { method: 'ce', lr: 0 } }));
    assert.deepEqual(lr.problems, [{ path: ['config', 'lr'], message: 'must be above 0' }]);
    const teacher = await refusal(d.call('train', { split: 'lt', config: { method: 'dive', epochs: 1 } }));
    assert.match(teacher.line, /give --teacher RUN/);
    assert.deepEqual(teacher.problems, [{ path: ['teacher'], message: 'choose a completed teacher run' }]);
    const unknown = await refusal(d.call('train', { split: 'lt', teacher: 'ghost', config: { method: 'dive', epochs: 1 } }));
    assert.deepEqual(unknown.problems, [{ path: ['teacher'], message: 'no run named "ghost"' }]);
  });

  it('a study\'s own fields: seeds listed twice under seeds', async () => {
    const r = await refusal(d.call('createStudy', { name: 'st', split: 'lt', methods: ['ce'], seeds: [1, 1] }));
    assert.deepEqual(r.problems, [{ path: ['seeds'], message: 'a seed is listed twice' }]);
  });

  it('the HTTP API answers the problems beside the line', async () => {
    const body = await new Promise<string>((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port: s.port, path: '/api/createSplit', method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${s.token}` } },
        (res) => {
          let b = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (b += c));
          res.on('end', () => resolve(b));
        },
      );
      req.on('error', reject);
      req.end(JSON.stringify({ dataset: 'ds', name: 'lt', ratio: 0.5 }));
    });
    assert.deepEqual(JSON.parse(body), { ok: false, error: 'ratio: must be at least 1', problems: [{ path: ['ratio'], message: 'must be at least 1' }] });
  });
});

describe('the UI words the core writes', () => {
  it('name no command-line flag and no command: every problem message and fieldError wording in the core', async () => {
    const { readdirSync, readFileSync } = await import('node:fs');
    const found: string[] = [];
    const walk = (dir: string) => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const p = join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (e.name.endsWith('.ts')) {
          const src = readFileSync(p, 'utf8');
          // { path: [...], message: `...` } and fieldError(cli, path, `ui`)
          for (const m of src.matchAll(/path: [^\n]*?message: (`[^`]*`|'[^']*')/g)) found.push(`${e.name}: ${m[1]}`);
          for (const m of src.matchAll(/fieldError\([^\n]*?, \[[^\]]*\], (`[^`]*`|'[^']*')\)/g)) found.push(`${e.name}: ${m[1]}`);
        }
      }
    };
    walk(join(import.meta.dirname, '../../src-main/core'));
    assert.ok(found.length >= 20, `found ${found.length} UI wordings`);
    assert.deepEqual(found.filter((w) => /--[a-z]|DIVE_|\bdive [a-z]/.test(w)), []);
  });
});
