// The browser's session in web mode (issue 22, item 6): loading the printed address `/?token=T`
// sets an HttpOnly, SameSite=Strict cookie and redirects to the address without the token; the
// API and the event stream then take the cookie; a cookie-only POST must carry our own Origin
// (CSRF from another port of the host); a stale or wrong token is refused with what to do.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createDispatcher, type Dispatcher } from '../../src-main/core/app/dispatch';
import { startServer, UNAUTHORISED, type RunningServer } from '../../src-main/server/server';
import { sessionCookieName } from '../../src-main/server/security';
import { http } from '../helpers/http';
import { tempStore, type TempStore } from '../helpers/fixtures';

describe('dive serve: the browser session cookie', () => {
  let t: TempStore;
  let d: Dispatcher;
  let s: RunningServer;
  let cookie: string;
  let origin: string;
  const post = (headers: Record<string, string>) => http(s.port, '/api/listDatasets', { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: '{}' });

  before(async () => {
    t = tempStore();
    const ui = join(t.dir, 'ui');
    mkdirSync(ui);
    writeFileSync(join(ui, 'index.html'), '<!doctype html><title>ui</title>');
    d = createDispatcher(t.store, { frontDoor: 'web' });
    s = await startServer({ dispatcher: d, rendererDir: ui, port: 0, log: () => {} });
    origin = `http://127.0.0.1:${s.port}`;
    cookie = `${sessionCookieName(s.port)}=${s.token}`;
  });
  after(async () => {
    await s.close();
    await d.close();
    t.cleanup();
  });

  it('the printed address sets an HttpOnly, SameSite=Strict cookie and redirects to the address without the token', async () => {
    assert.equal(s.url, `${origin}/?token=${s.token}`);
    const r = await http(s.port, `/?token=${s.token}`);
    assert.equal(r.status, 303);
    assert.equal(r.headers.location, '/');
    assert.deepEqual(r.headers['set-cookie'], [`${sessionCookieName(s.port)}=${s.token}; Path=/; HttpOnly; SameSite=Strict`]);
    assert.equal(r.headers['cache-control'], 'no-store');
    // other parameters stay; a path that would leave the server does not
    assert.equal((await http(s.port, `/index.html?a=1&token=${s.token}`)).headers.location, '/index.html?a=1');
    assert.equal((await http(s.port, `//evil.example/?token=${s.token}`)).headers.location, '/');
  });

  it('a wrong or stale token in the address is refused with what to do, and sets no cookie', async () => {
    const r = await http(s.port, '/?token=not-this-one');
    assert.equal(r.status, 401);
    assert.equal(r.headers['set-cookie'], undefined);
    assert.match(r.body, /makes a new token each time it starts: open the address it printed last/);
  });

  it('the API takes the cookie with our own Origin; without it, or with a stale cookie, 401 says what to do', async () => {
    const ok = await post({ Cookie: cookie, Origin: origin });
    assert.equal(ok.status, 200);
    assert.deepEqual(JSON.parse(ok.body), { ok: true, result: [] });
    // the page is served from 127.0.0.1 or localhost: both are this server's origin
    assert.equal((await http(s.port, '/api/listDatasets', { method: 'POST', headers: { 'Content-Type': 'application/json', Cookie: cookie, Origin: `http://localhost:${s.port}`, Host: `localhost:${s.port}` }, body: '{}' })).status, 200);
    const stale = await post({ Cookie: `${sessionCookieName(s.port)}=old-launch`, Origin: origin });
    assert.equal(stale.status, 401);
    assert.deepEqual(JSON.parse(stale.body), { ok: false, error: UNAUTHORISED });
    // another server's cookie on another port of the host is not ours
    assert.equal((await post({ Cookie: `${sessionCookieName(s.port + 1)}=${s.token}`, Origin: origin })).status, 401);
  });

  it('CSRF: a cookie-only POST without an Origin is refused, one from another origin (another port of the host) too', async () => {
    assert.equal((await post({ Cookie: cookie })).status, 401);
    assert.equal((await post({ Cookie: cookie, Origin: `http://127.0.0.1:${s.port + 1}` })).status, 403);
    assert.equal((await post({ Cookie: cookie, Origin: 'https://evil.example' })).status, 403);
    // a form post (no JSON content type) is refused even from our own origin
    const form = await http(s.port, '/api/listDatasets', { method: 'POST', headers: { 'Content-Type': 'text/plain', Cookie: cookie, Origin: origin }, body: '{}' });
    assert.equal(form.status, 415);
  });

  it('the event stream takes the cookie (no token in its URL), and refuses a foreign Origin', async () => {
    assert.equal((await http(s.port, '/api/events', { headers: { Cookie: cookie } })).status, 200);
    assert.equal((await http(s.port, '/api/events')).status, 401);
    assert.equal((await http(s.port, '/api/events', { headers: { Cookie: cookie, Origin: 'http://127.0.0.1:1' } })).status, 403);
  });
});
