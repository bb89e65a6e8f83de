// Web mode under attack (issue 13, items 9 and 10): imports read only below --data-root, errors
// never quote file contents, oversized bodies get 413, deep JSON gets 400, the token is never
// taken from a URL (the event stream included: the browser's session cookie replaces it), and a
// slow event-stream reader does not make the server buffer without bound.
import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { request } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createDispatcher, type Dispatcher } from '../../src-main/core/app/dispatch';
import type { ApiEvent } from '../../src-main/core/domain/contract';
import { jsonDepth, startServer, type RunningServer } from '../../src-main/server/server';
import { tempStore, writeIdxDataset, type TempStore } from '../helpers/fixtures';

interface Reply {
  status: number;
  body: string;
}

function post(port: number, path: string, token: string, body: string | Buffer): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('dive serve hardening', () => {
  let t: TempStore;
  let d: Dispatcher;
  let s: RunningServer;
  let allowed: string;
  let outside: string;
  const logs: string[] = [];
  const api = (name: string, args: unknown) => post(s.port, `/api/${name}`, s.token, JSON.stringify(args));

  before(async () => {
    t = tempStore();
    allowed = join(t.dir, 'allowed');
    outside = join(t.dir, 'outside');
    mkdirSync(allowed);
    mkdirSync(outside);
    writeFileSync(join(outside, 'shadow'), 'root:*:20228:0:99999:7:::\n');
    d = createDispatcher(t.store, { frontDoor: 'web', readRoots: [allowed] });
    s = await startServer({ dispatcher: d, rendererDir: join(t.dir, 'ui'), port: 0, log: (l) => logs.push(l) });
  });
  after(async () => {
    await s.close();
    await d.close();
    t.cleanup();
  });

  it('imports only below --data-root, links resolved, and never quotes a file', async () => {
    const f = writeIdxDataset(join(allowed, 'idx'), { trainLabels: [0, 1, 1], testLabels: [0, 1] });
    const secret = join(outside, 'shadow');
    const refused = await api('importDataset', { request: { format: 'list', name: 'x', root: allowed, trainList: secret, testList: secret } });
    assert.equal(refused.status, 400);
    assert.match(JSON.parse(refused.body).error, /^trainList \S+outside\/shadow is outside the folders this server may read \(\S+allowed\); restart `dive serve` with --data-root DIR/);
    assert.doesNotMatch(refused.body, /root:|20228/);
    // a link inside the root that points outside it
    symlinkSync(secret, join(allowed, 'labels-link'));
    const viaLink = await api('importDataset', { request: { format: 'idx', name: 'x', ...f, trainLabels: join(allowed, 'labels-link') } });
    assert.equal(viaLink.status, 400);
    assert.match(JSON.parse(viaLink.body).error, /^trainLabels \S+labels-link is outside the folders/);
    const ok = await api('importDataset', { request: { format: 'idx', name: 'inside', ...f } });
    assert.equal(ok.status, 200, ok.body);
    const doctor = JSON.parse((await api('doctor', { fix: false })).body) as { ok: boolean; result: { blobsChecked: number; unresolved: number } };
    assert.deepEqual([doctor.ok, doctor.result.blobsChecked, doctor.result.unresolved], [true, 2, 0]);
  });

  it('answers an oversized body with 413, not a reset', async () => {
    const r = await post(s.port, '/api/listDatasets', s.token, Buffer.alloc(5 * 1024 * 1024, 0x20));
    assert.equal(r.status, 413);
    assert.match(JSON.parse(r.body).error, /request body is over 4 MiB/);
  });

  it('answers 100,000-deep JSON with 400 and logs nothing', async () => {
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    const r = await post(s.port, '/api/listDatasets', s.token, deep);
    assert.equal(r.status, 400);
    assert.deepEqual(JSON.parse(r.body), { ok: false, error: 'request body is nested deeper than 64 levels' });
    assert.deepEqual(logs, []);
    assert.equal(jsonDepth('{"a": [1, {"b": "[[[["}]}'), 3);
  });

  it('never takes the token from a URL, the event stream included', async () => {
    const viaQuery = await post(s.port, `/api/listDatasets?token=${s.token}`, '', '');
    assert.equal(viaQuery.status, 401);
    const status = (path: string, headers: Record<string, string> = {}) =>
      new Promise<number>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port: s.port, path, headers }, (res) => {
          resolve(res.statusCode ?? 0);
          res.destroy();
        });
        req.on('error', reject);
        req.end();
      });
    assert.equal(await status(`/api/events?token=${s.token}`), 401);
    assert.equal(await status('/api/events', { Authorization: `Bearer ${s.token}` }), 200);
  });
});

describe('dive serve event streams', () => {
  it('disconnects a reader that does not read before buffering a megabyte for it', async () => {
    // a dispatcher that only relays what the test emits
    const listeners = new Set<(e: ApiEvent) => void>();
    const fake: Dispatcher = {
      call: () => Promise.reject(new Error('not called')),
      callRaw: async () => undefined,
      runEnded: () => Promise.reject(new Error('not called')),
      idle: () => Promise.resolve(),
      subscribe: (fn) => (listeners.add(fn), () => listeners.delete(fn)),
      close: async () => undefined,
      takeExport: () => null,
    };
    const s = await startServer({ dispatcher: fake, rendererDir: '/nonexistent', port: 0, log: () => {} });
    try {
      const sock = connect(s.port, '127.0.0.1');
      await new Promise<void>((resolve) => sock.once('connect', () => resolve()));
      sock.write(`GET /api/events HTTP/1.1\r\nHost: 127.0.0.1:${s.port}\r\nAuthorization: Bearer ${s.token}\r\n\r\n`);
      sock.pause(); // never reads
      for (let i = 0; i < 50 && listeners.size === 0; i++) await new Promise((r) => setTimeout(r, 20));
      assert.equal(listeners.size, 1);
      const closed = new Promise<boolean>((resolve) => {
        sock.once('close', () => resolve(true));
        setTimeout(() => resolve(false), 5000);
      });
      // 'changed' events are never dropped: 25 MB of them, far more than socket buffers hold
      const big = { type: 'changed', what: 'runs', pad: 'x'.repeat(64 * 1024) } as unknown as ApiEvent;
      for (let i = 0; i < 400 && listeners.size > 0; i++) for (const fn of [...listeners]) fn(big);
      assert.equal(listeners.size, 0, 'the stream was ended');
      sock.resume();
      assert.ok(await closed, 'the server closed the connection');
    } finally {
      await s.close();
    }
  });
});
