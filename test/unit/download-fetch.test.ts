// fetchFile against a loopback server the test controls: a whole transfer, the cache, a broken
// transfer resumed with Range, a server that ignores Range, a wrong checksum, a 404 and a mirror
// fallback, a stalled server and the timeout, and the proxy taken from the environment.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import type { Progress } from '../../src-main/core/domain/types';
import type { DownloadFile } from '../../src-main/core/domain/downloads';
import { fetchFile } from '../../src-main/core/data/download/fetch-file';
import { UserError } from '../../src-main/core/domain/errors';
import { md5, startConnectProxy, startDownloadServer, type DownloadServer } from '../helpers/download-server';
import { tempDir } from '../helpers/fixtures';

// the machine's own proxy settings must not route the loopback server through a proxy
const DIRECT = {};

async function failure(p: Promise<unknown>): Promise<UserError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof UserError, `expected a UserError, got ${e instanceof Error ? e.stack : String(e)}`);
    assert.doesNotMatch(e.message, /\n/);
    return e;
  }
  assert.fail('expected the download to fail');
}

describe('fetchFile', () => {
  let server: DownloadServer;
  let dir: string;
  const body = randomBytes(300_000);
  const file = (path: string, sum = md5(body), urls?: string[]): DownloadFile => ({ name: 'blob.bin', md5: sum, bytes: body.length, urls: urls ?? [server.url + path] });

  before(async () => (server = await startDownloadServer()));
  after(() => server.close());
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
    server.requests.length = 0;
  });
  const fresh = () => (dir = tempDir('dive-dl-'));

  it('downloads a file whole, with byte progress, then uses the verified copy without a request', async () => {
    fresh();
    server.serve('/ok', body);
    const events: Progress[] = [];
    const r = await fetchFile(file('/ok'), join(dir, 'blob.bin'), { env: DIRECT, onProgress: (p) => events.push(p) });
    assert.deepEqual(r, { path: join(dir, 'blob.bin'), bytes: body.length, cached: false, resumedFrom: 0 });
    assert.ok(readFileSync(r.path).equals(body));
    assert.deepEqual(readdirSync(dir), ['blob.bin']);
    const last = events.at(-1)!;
    assert.equal(last.phase, 'download blob.bin');
    assert.equal(last.done, body.length);
    assert.equal(last.total, body.length);
    assert.match(last.detail ?? '', /^300\.0 KB \/ 300\.0 KB/);

    const again = await fetchFile(file('/ok'), join(dir, 'blob.bin'), { env: DIRECT });
    assert.equal(again.cached, true);
    assert.equal(server.requests.length, 1, 'the cached copy is not fetched again');
  });

  it('keeps the part of a broken transfer and resumes it with a Range request', async () => {
    fresh();
    server.serve('/cut', body, { kind: 'cut', after: 100_000, times: 1 });
    const dest = join(dir, 'blob.bin');
    const e = await failure(fetchFile(file('/cut'), dest, { env: DIRECT }));
    assert.match(e.message, /download of blob\.bin from http:\/\/127\.0\.0\.1:\d+\/cut stopped after 100\.0 KB .*partial file .*blob\.bin\.part is kept: run the same command again to resume/);
    assert.equal(statSync(`${dest}.part`).size, 100_000);
    assert.equal(existsSync(dest), false);

    const r = await fetchFile(file('/cut'), dest, { env: DIRECT });
    assert.equal(r.resumedFrom, 100_000);
    assert.ok(readFileSync(dest).equals(body));
    assert.deepEqual(server.requests.map((q) => [q.range, q.status]), [[undefined, 200], ['bytes=100000-', 206]]);
    assert.deepEqual(readdirSync(dir), ['blob.bin']);
  });

  it('starts over when the server ignores Range', async () => {
    fresh();
    server.serve('/norange', body, { kind: 'no-range' });
    const dest = join(dir, 'blob.bin');
    writeFileSync(`${dest}.part`, body.subarray(0, 5000));
    const r = await fetchFile(file('/norange'), dest, { env: DIRECT });
    assert.ok(readFileSync(dest).equals(body), 'the 200 answer replaced the part instead of being appended to it');
    assert.equal(r.bytes, body.length);
    assert.deepEqual(server.requests.map((q) => q.status), [200]);
  });

  it('deletes a download whose checksum is wrong and names the file and both checksums', async () => {
    fresh();
    server.serve('/ok', body);
    const wrong = 'c32a1d4ab5d03f1284b67883e8d87530';
    const e = await failure(fetchFile(file('/ok', wrong), join(dir, 'blob.bin'), { env: DIRECT }));
    assert.equal(e.message.startsWith(`blob.bin: checksum mismatch (MD5 ${md5(body)}, expected ${wrong}); the download was deleted`), true, e.message);
    assert.deepEqual(readdirSync(dir), []);
  });

  it('fetches a damaged cached copy again', async () => {
    fresh();
    server.serve('/ok', body);
    const dest = join(dir, 'blob.bin');
    writeFileSync(dest, Buffer.from('not the file'));
    const r = await fetchFile(file('/ok'), dest, { env: DIRECT });
    assert.equal(r.cached, false);
    assert.ok(readFileSync(dest).equals(body));
  });

  it('reports a 404 without writing anything, and tries the next address', async () => {
    fresh();
    const e = await failure(fetchFile(file('/missing'), join(dir, 'blob.bin'), { env: DIRECT }));
    assert.match(e.message, /^download of blob\.bin failed: http:\/\/127\.0\.0\.1:\d+\/missing answered HTTP 404$/);
    assert.deepEqual(readdirSync(dir), []);

    server.serve('/ok', body);
    const r = await fetchFile(file('', md5(body), [`${server.url}/missing`, `${server.url}/ok`]), join(dir, 'blob.bin'), { env: DIRECT });
    assert.ok(readFileSync(r.path).equals(body));
    assert.deepEqual(server.requests.map((q) => [q.path, q.status]), [['/missing', 404], ['/missing', 404], ['/ok', 200]]);
  });

  it('gives up on a stalled server after the timeout and keeps what arrived', async () => {
    fresh();
    server.serve('/stall', body, { kind: 'stall', after: 20_000 });
    const t0 = Date.now();
    const e = await failure(fetchFile(file('/stall'), join(dir, 'blob.bin'), { env: DIRECT, timeoutMs: 400 }));
    const took = Date.now() - t0;
    assert.match(e.message, /stopped after 20\.0 KB \(no data for 0\.4 s\)/);
    assert.ok(took >= 350 && took < 10_000, `gave up after ${took} ms`);
    assert.equal(statSync(join(dir, 'blob.bin.part')).size, 20_000);
  });

  // issue 23, item 9: a download never grows past its catalogue size (plus a margin), whatever the
  // server says or does not say; it fails in one line and keeps nothing oversized
  it('refuses a file whose Content-Length is over its catalogue size, writing nothing', async () => {
    fresh();
    server.serve('/huge', body, { kind: 'claims', length: 209_715_200 });
    const e = await failure(fetchFile(file('/huge'), join(dir, 'blob.bin'), { env: DIRECT }));
    assert.match(e.message, /^download of blob\.bin failed: http:\/\/127\.0\.0\.1:\d+\/huge announces 209\.7 MB, but the file is 300\.0 KB; nothing was kept$/);
    assert.deepEqual(readdirSync(dir), []);
  });

  it('stops a body without Content-Length once it passes the catalogue size, and deletes it', async () => {
    fresh();
    server.serve('/endless', body, { kind: 'chunked', repeat: 200 });
    const e = await failure(fetchFile(file('/endless'), join(dir, 'blob.bin'), { env: DIRECT }));
    assert.match(e.message, /^download of blob\.bin from http:\/\/127\.0\.0\.1:\d+\/endless sent more than [\d.]+ KB, but the file is 300\.0 KB; what arrived was deleted$/);
    assert.deepEqual(readdirSync(dir), [], 'no oversized .part kept');
    // a body without Content-Length that is the file itself is fine
    server.serve('/chunked', body, { kind: 'chunked', repeat: 1 });
    const r = await fetchFile(file('/chunked'), join(dir, 'blob.bin'), { env: DIRECT });
    assert.ok(readFileSync(r.path).equals(body));
  });

  it('deletes an oversized .part left by an earlier version and starts over', async () => {
    fresh();
    server.serve('/ok', body);
    const dest = join(dir, 'blob.bin');
    writeFileSync(`${dest}.part`, Buffer.alloc(2 * body.length));
    const r = await fetchFile(file('/ok'), dest, { env: DIRECT });
    assert.ok(readFileSync(dest).equals(body));
    assert.equal(r.resumedFrom, 0);
    assert.deepEqual(server.requests.map((q) => q.range), [undefined], 'no Range request for the oversized part');
  });

  it('goes through the proxy named by HTTP_PROXY, and direct for NO_PROXY hosts', async () => {
    fresh();
    const proxy = await startConnectProxy();
    try {
      server.serve('/ok', body);
      const host = new URL(server.url).host;
      await fetchFile(file('/ok'), join(dir, 'blob.bin'), { env: { HTTP_PROXY: proxy.url } });
      assert.deepEqual(proxy.tunnels, [host]);
      rmSync(join(dir, 'blob.bin'));
      await fetchFile(file('/ok'), join(dir, 'blob.bin'), { env: { HTTP_PROXY: proxy.url, NO_PROXY: '127.0.0.1' } });
      assert.deepEqual(proxy.tunnels, [host], 'NO_PROXY went direct');
      assert.equal(server.requests.length, 2);
    } finally {
      await proxy.close();
    }
  });
});
