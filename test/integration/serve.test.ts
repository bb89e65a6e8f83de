// `dive serve`: the token, Host and Origin checks, the JSON API, server-sent events, the static UI
// with its security headers; then the real command line (printed address, refusal of a
// non-loopback host, clean stop on SIGTERM).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { createDispatcher, type Dispatcher } from '../../src-main/core/app/dispatch';
import type { ApiEvent } from '../../src-main/core/domain/contract';
import { checkBindHost, startServer, type RunningServer } from '../../src-main/server/server';
import { allowedHosts, isLoopback } from '../../src-main/server/security';
import { DIVE } from '../helpers/cli';
import { http } from '../helpers/http';
import { tempStore, writeIdxDataset, type TempStore } from '../helpers/fixtures';

describe('dive serve (in process)', () => {
  let t: TempStore;
  let d: Dispatcher;
  let s: RunningServer;
  let ui: string;
  const call = (name: string, args: unknown, headers: Record<string, string> = {}) =>
    http(s.port, `/api/${name}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${s.token}`, ...headers },
      body: args === undefined ? '' : JSON.stringify(args),
    });

  before(async () => {
    t = tempStore();
    ui = join(t.dir, 'ui');
    mkdirSync(join(ui, 'assets'), { recursive: true });
    writeFileSync(join(ui, 'index.html'), '<!doctype html><script type="module" src="/assets/app.js"></script>');
    writeFileSync(join(ui, 'assets', 'app.js'), 'console.log(1)');
    writeFileSync(join(t.dir, 'secret.txt'), 'outside');
    d = createDispatcher(t.store, { frontDoor: 'web' });
    s = await startServer({ dispatcher: d, rendererDir: ui, port: 0, log: () => {} });
  });
  after(async () => {
    await s.close();
    await d.close();
    t.cleanup();
  });

  it('prints an address on loopback that carries the token', () => {
    assert.equal(s.host, '127.0.0.1');
    assert.equal(s.url, `http://127.0.0.1:${s.port}/?token=${s.token}`);
    assert.match(s.token, /^[\w-]{43}$/, '32 random bytes, base64url');
  });

  it('answers an API call with the token in a header, and refuses it in the URL (it would end up in logs)', async () => {
    const r = await call('listDatasets', undefined);
    assert.equal(r.status, 200);
    assert.deepEqual(JSON.parse(r.body), { ok: true, result: [] });
    assert.equal(r.headers['cache-control'], 'no-store');
    const viaHeader = await http(s.port, '/api/listDatasets', { method: 'POST', headers: { 'Content-Type': 'application/json', 'x-dive-token': s.token } });
    assert.equal(viaHeader.status, 200);
    const viaQuery = await http(s.port, `/api/listDatasets?token=${s.token}`, { method: 'POST', headers: { 'Content-Type': 'application/json' } });
    assert.equal(viaQuery.status, 401);
  });

  it('refuses a missing or wrong token with 401', async () => {
    const none = await http(s.port, '/api/listDatasets', { method: 'POST', headers: { 'Content-Type': 'application/json' } });
    assert.equal(none.status, 401);
    assert.equal(JSON.parse(none.body).ok, false);
    const wrong = await call('listDatasets', undefined, { Authorization: `Bearer ${s.token.slice(0, -1)}x` });
    assert.equal(wrong.status, 401);
    const events = await http(s.port, '/api/events?token=nope');
    assert.equal(events.status, 401);
  });

  it('refuses a foreign Host (DNS rebinding) and a foreign Origin with 403, even with the token', async () => {
    const rebound = await call('listDatasets', undefined, { Host: `evil.example:${s.port}` });
    assert.equal(rebound.status, 403);
    const page = await http(s.port, '/', { headers: { Host: `evil.example:${s.port}` } });
    assert.equal(page.status, 403);
    const otherPort = await call('listDatasets', undefined, { Host: `127.0.0.1:${s.port + 1}` });
    assert.equal(otherPort.status, 403);
    const cross = await call('listDatasets', undefined, { Origin: 'https://evil.example' });
    assert.equal(cross.status, 403);
    const same = await call('listDatasets', undefined, { Origin: `http://127.0.0.1:${s.port}` });
    assert.equal(same.status, 200);
    const byName = await call('listDatasets', undefined, { Host: `localhost:${s.port}`, Origin: `http://localhost:${s.port}` });
    assert.equal(byName.status, 200);
  });

  it('requires POST with a JSON content type, and reports bad input as one line', async () => {
    assert.equal((await http(s.port, '/api/listDatasets', { headers: { Authorization: `Bearer ${s.token}` } })).status, 405);
    const form = await http(s.port, '/api/listDatasets', { method: 'POST', headers: { Authorization: `Bearer ${s.token}`, 'Content-Type': 'text/plain' } });
    assert.equal(form.status, 415);
    const bad = await call('getDataset', { name: '' });
    assert.equal(bad.status, 400);
    // the line, and the problem by field for a form to show under its input
    assert.deepEqual(JSON.parse(bad.body), { ok: false, error: 'name: must not be empty', problems: [{ path: ['name'], message: 'must not be empty' }] });
    const unknown = await call('nope', {});
    assert.deepEqual(JSON.parse(unknown.body), { ok: false, error: 'unknown call "nope"' });
    const notJson = await http(s.port, '/api/listDatasets', { method: 'POST', headers: { Authorization: `Bearer ${s.token}`, 'Content-Type': 'application/json' }, body: '{' });
    assert.deepEqual(JSON.parse(notJson.body), { ok: false, error: 'request body is not valid JSON' });
  });

  it('streams events as server-sent events', async () => {
    const got: ApiEvent[] = [];
    let raw = '';
    const stream = request({ host: '127.0.0.1', port: s.port, path: '/api/events', headers: { Authorization: `Bearer ${s.token}` } });
    const opened = new Promise<void>((resolve) =>
      stream.on('response', (res) => {
        assert.equal(res.statusCode, 200);
        assert.match(String(res.headers['content-type']), /^text\/event-stream/);
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          raw += c;
          for (const m of c.matchAll(/^data: (.*)$/gm)) got.push(JSON.parse(m[1]) as ApiEvent);
          resolve();
        });
      }),
    );
    stream.end();
    await opened;
    const files = writeIdxDataset(join(t.dir, 'idx'), { trainLabels: [0, 1, 1, 2], testLabels: [0, 1, 2] });
    const r = await call('importDataset', { request: { format: 'idx', name: 'tiny', ...files }, job: 'j1' });
    assert.equal(r.status, 200, r.body);
    assert.deepEqual(JSON.parse(r.body).result.train.counts, [1, 2, 1]);
    const deadline = Date.now() + 5000;
    while (!got.some((e) => e.type === 'changed') && Date.now() < deadline) await new Promise((res) => setTimeout(res, 20));
    stream.destroy();
    assert.ok(got.some((e) => e.type === 'progress' && e.job === 'j1'), raw);
    assert.ok(got.some((e) => e.type === 'changed' && e.what === 'datasets'), raw);
    const list = JSON.parse((await call('listDatasets', undefined)).body) as { result: { name: string }[] };
    assert.deepEqual(list.result.map((x) => x.name), ['tiny']);
  });

  it('serves the UI with a strict CSP and nothing outside its folder', async () => {
    const index = await http(s.port, '/');
    assert.equal(index.status, 200);
    assert.match(String(index.headers['content-type']), /^text\/html/);
    const csp = String(index.headers['content-security-policy']);
    assert.match(csp, /default-src 'self'/);
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.equal(index.headers['x-content-type-options'], 'nosniff');
    const js = await http(s.port, '/assets/app.js');
    assert.equal(js.body, 'console.log(1)');
    assert.match(String(js.headers['content-type']), /^text\/javascript/);
    for (const p of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/../../secret.txt', '/nothing.js', '/assets']) {
      assert.equal((await http(s.port, p)).status, 404, p);
    }
  });

  it('says how to build the UI when it is not built', async () => {
    const bare = await startServer({ dispatcher: d, rendererDir: join(t.dir, 'missing'), port: 0 });
    try {
      const r = await http(bare.port, '/');
      assert.equal(r.status, 503);
      assert.match(r.body, /npm run build/);
    } finally {
      await bare.close();
    }
  });

  it('refuses a non-loopback address without --allow-remote', async () => {
    assert.ok(isLoopback('127.0.0.1') && isLoopback('127.1.2.3') && isLoopback('::1') && isLoopback('localhost') && isLoopback('[::1]'));
    assert.ok(!isLoopback('0.0.0.0') && !isLoopback('192.168.1.5') && !isLoopback('example.com') && !isLoopback('::'));
    assert.throws(() => checkBindHost('0.0.0.0', false), /--allow-remote/);
    assert.doesNotThrow(() => checkBindHost('0.0.0.0', true));
    await assert.rejects(startServer({ dispatcher: d, rendererDir: ui, host: '0.0.0.0', port: 0 }), /not a loopback address/);
    assert.equal(allowedHosts('0.0.0.0', 80), null);
    assert.deepEqual([...allowedHosts('127.0.0.1', 80)!].sort(), ['127.0.0.1:80', '[::1]:80', 'localhost:80']);
  });
});

describe('dive serve (command line)', () => {
  it('prints {url, port, token} with --json, answers, and stops cleanly on SIGTERM', async () => {
    const t = tempStore();
    t.store.close();
    try {
      const child = spawn(process.execPath, [DIVE, '--db', t.store.dbPath, 'serve', '--json', '--renderer', join(t.dir, 'none'), '--data-root', t.dir], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stderr.on('data', (c: Buffer) => (err += c.toString()));
      const first = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (c: Buffer) => {
          out += c.toString();
          if (out.includes('\n')) resolve(out.split('\n')[0]);
        });
        child.on('exit', (code) => reject(new Error(`exited ${code}: ${err}`)));
      });
      const info = JSON.parse(first) as { url: string; port: number; token: string; dataRoots: string[] };
      assert.equal(info.url, `http://127.0.0.1:${info.port}/?token=${info.token}`);
      assert.deepEqual(info.dataRoots, [t.dir]);
      const api = async (name: string, args: unknown) => {
        const r = await http(info.port, `/api/${name}`, { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${info.token}` }, body: JSON.stringify(args) });
        const body = JSON.parse(r.body) as { ok: boolean; result: Record<string, unknown>; error?: string };
        assert.ok(body.ok, body.error);
        return body.result;
      };
      assert.equal((await api('info', {})).frontDoor, 'web');
      assert.match(err, /not built.*npm run build/);
      // a long run is training when the server is stopped: it must end cancelled (resumable), not "running"
      const labels = Array.from({ length: 40 }, (_, i) => i % 4);
      await api('importDataset', { request: { format: 'idx', name: 'd', ...writeIdxDataset(join(t.dir, 'idx'), { trainLabels: labels, testLabels: [0, 1, 2, 3] }) } });
      await api('createSplit', { dataset: 'd', name: 's', ratio: 2 });
      await api('train', { split: 's', name: 'long', config: { method: 'ce', model: 'mlp', epochs: 5000, batchSize: 4, backend: 'cpu' } });
      const deadline = Date.now() + 20_000;
      while ((await api('getRun', { name: 'long' })).epochsDone === 0 && Date.now() < deadline) await new Promise((res) => setTimeout(res, 100));
      const code = await new Promise<number | null>((resolve) => {
        child.on('exit', (c) => resolve(c));
        child.kill('SIGTERM');
      });
      assert.equal(code, 0, err);
      const db = new Database(t.store.dbPath, { readonly: true });
      const row = db.prepare('SELECT status, epochs_done FROM runs WHERE name = ?').get('long') as { status: string; epochs_done: number };
      db.close();
      assert.equal(row.status, 'cancelled');
      assert.ok(row.epochs_done >= 1);
    } finally {
      t.cleanup();
    }
  });

  it('exits 1 naming --allow-remote for a non-loopback --host', () => {
    const t = tempStore();
    t.store.close();
    try {
      const r = spawnSync(process.execPath, [DIVE, '--db', t.store.dbPath, 'serve', '--host', '0.0.0.0'], { encoding: 'utf8', timeout: 30_000 });
      assert.equal(r.status, 1);
      assert.match(r.stderr, /^dive: --host 0\.0\.0\.0 is not a loopback address.*--allow-remote/);
    } finally {
      t.cleanup();
    }
  });
});
