// `dive serve --allow-remote` (issue 14, item 3): the worker API alone on every address, over TLS
// with the given certificate, while the UI stays on loopback; the UI's token is not a worker token.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { request } from 'node:https';
import { networkInterfaces } from 'node:os';
import { connect } from 'node:net';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { readFileSync } from 'node:fs';
import { DIVE, tempDir } from '../helpers/cli';

const lanAddress = () =>
  Object.values(networkInterfaces())
    .flat()
    .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;

function get(url: string, ca: Buffer, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', ca, headers: { 'Content-Type': 'application/json', ...headers } }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end('{"worker":"t"}');
  });
}

const refused = (host: string, port: number) =>
  new Promise<boolean>((resolve) => {
    const s = connect(port, host);
    s.on('connect', () => (s.destroy(), resolve(false)));
    s.on('error', () => resolve(true));
  });

describe('dive serve --allow-remote', () => {
  const t = tempDir();
  let child: ChildProcess | undefined;
  after(() => {
    child?.kill('SIGKILL');
    t.cleanup();
  });

  it('serves the worker API over TLS to other hosts and keeps the UI on loopback', async () => {
    const ip = lanAddress();
    assert.ok(ip, 'this machine has a non-loopback IPv4 address');
    const cert = join(t.dir, 'cert.pem');
    const key = join(t.dir, 'key.pem');
    const gen = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost', '-addext', `subjectAltName=IP:${ip},IP:127.0.0.1`, '-keyout', key, '-out', cert], { encoding: 'utf8' });
    assert.equal(gen.status, 0, gen.stderr);
    child = spawn(process.execPath, [DIVE, '--db', join(t.dir, 'd.sqlite'), '--json', 'serve', '--allow-remote', '--tls-cert', cert, '--tls-key', key], { stdio: ['ignore', 'pipe', 'pipe'] });
    const line = await new Promise<string>((resolve, reject) => {
      let out = '';
      child!.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('\n')) resolve(out.split('\n')[0]);
      });
      child!.on('exit', (c) => reject(new Error(`serve exited ${c}`)));
    });
    const s = JSON.parse(line) as { port: number; token: string; workerUrl: string };
    const workerPort = Number(new URL(s.workerUrl).port);
    assert.match(s.workerUrl, /^https:\/\//);
    const ca = readFileSync(cert);

    const anon = await get(`https://${ip}:${workerPort}/worker/v1/claim`, ca);
    assert.equal(anon.status, 401, 'reachable from the network, guarded by worker tokens');
    const ui = await get(`https://${ip}:${workerPort}/api/listRuns`, ca, { Authorization: `Bearer ${s.token}` });
    assert.equal(ui.status, 404);
    assert.match(ui.body, /worker API only/);
    assert.equal(await refused(ip, s.port), true, 'the UI listens on loopback only');
    // on loopback, the UI token opens the UI's API but is no worker token
    const local = await fetch(`http://127.0.0.1:${s.port}/worker/v1/claim`, { method: 'POST', headers: { Authorization: `Bearer ${s.token}` }, body: '{"worker":"t"}' });
    assert.equal(local.status, 401);
    const api = await fetch(`http://127.0.0.1:${s.port}/api/listQueue`, { method: 'POST', headers: { Authorization: `Bearer ${s.token}`, 'Content-Type': 'application/json' } });
    assert.equal(api.status, 200);
  });
});
