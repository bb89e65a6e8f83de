// `dive import <dataset> --download` through the real CLI against a loopback mirror: progress on
// stderr, the published checksum enforced, one line on failure, nothing stored; and the hint
// when a dataset is neither cached nor asked to be downloaded.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { downloadEntry } from '../../src-main/core/domain/downloads';
import { idxGzips } from '../helpers/archives';
import { DIVE, tempDir } from '../helpers/cli';
import { md5, startCloseDelimitedServer, startDownloadServer, type DownloadServer } from '../helpers/download-server';

/** The CLI in a child process without blocking this one's event loop (the server lives here). */
function diveAsync(db: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const clean = { ...process.env, DIVE_DATA_DIR: undefined, DIVE_DB: undefined, HTTP_PROXY: undefined, http_proxy: undefined, DIVE_DATASET_MIRROR: undefined };
    const child = spawn(process.execPath, [DIVE, '--db', db, ...args], { env: { ...clean, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

describe('dive import --download', () => {
  const t = tempDir();
  const db = join(t.dir, 'dive.sqlite');
  let server: DownloadServer;
  const gz = idxGzips();
  before(async () => {
    server = await startDownloadServer();
    for (const [name, b] of Object.entries(gz)) server.serve(`/kmnist/${name}`, b);
  });
  after(async () => {
    await server.close();
    t.cleanup();
  });

  it('fetches from DIVE_DATASET_MIRROR with progress, and refuses files that miss the published MD5', async () => {
    const r = await diveAsync(db, ['import', 'kmnist', '--download'], { DIVE_DATASET_MIRROR: server.url });
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    const real = downloadEntry('kmnist').files[0].md5;
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.at(-1), `dive: train-images-idx3-ubyte.gz: checksum mismatch (MD5 ${md5(gz['train-images-idx3-ubyte.gz'])}, expected ${real}); the download was deleted, try again or check --mirror / DIVE_DATASET_MIRROR`);
    assert.ok(lines.some((l) => /^download train-images-idx3-ubyte\.gz: [\d.]+ KB \/ [\d.]+ KB/.test(l)), r.stderr);
    assert.deepEqual(server.requests.map((q) => q.path), ['/kmnist/train-images-idx3-ubyte.gz']);
    assert.deepEqual(readdirSync(join(t.dir, 'data')), [], 'no cache folder, file or staging folder left');
    const list = await diveAsync(db, ['datasets', '--json']);
    assert.deepEqual(JSON.parse(list.stdout), []);
  });

  it('stops a server streaming far past the catalogue size without Content-Length: one line, no stack, nothing kept', async () => {
    // 64 MiB of zeros, HTTP/1.0, ended by closing the connection, for a file the catalogue sizes at 9.9 MB
    const flood = await startCloseDelimitedServer(64 * 1024 * 1024);
    try {
      const r = await diveAsync(db, ['import', 'mnist', '--download', '--mirror', flood.url]);
      assert.equal(r.code, 1, r.stderr);
      const lines = r.stderr.trim().split('\n');
      assert.match(lines.at(-1)!, /^dive: download of train-images-idx3-ubyte\.gz from http:\/\/127\.0\.0\.1:\d+\/mnist\/train-images-idx3-ubyte\.gz sent more than 10\.\d MB, but the file is 9\.9 MB; what arrived was deleted$/);
      assert.doesNotMatch(r.stderr, /Assertion|    at /, 'no uncaught error, no stack');
      assert.deepEqual(flood.paths, ['/mnist/train-images-idx3-ubyte.gz']);
      assert.deepEqual(readdirSync(join(t.dir, 'data')), [], 'no .part, no cache folder left');
    } finally {
      await flood.close();
    }
  });

  it('says how to download a dataset that is not there', async () => {
    const r = await diveAsync(db, ['import', 'cifar100']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^dive: CIFAR-100 not found: .*downloads\/cifar100 lacks cifar-100-binary\.tar\.gz; add --download to fetch it \(about 161\.0 MB\) from https:\/\/www\.cs\.toronto\.edu\/~kriz\/cifar-100-binary\.tar\.gz, or point --dir at a folder holding it\n$/);
  });
});
