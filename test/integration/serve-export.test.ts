// A run's model as a browser download from `dive serve`: the token-guarded prepareExport call
// answers a one-time id, GET /api/download/ID streams RUN-model.tar.gz as an attachment, and the
// archive holds what the store holds (the weights byte for byte, the run as getRun answers it).
// Bad tokens, unknown runs, used, unknown and expired ids, a client that goes away and a closing
// dispatcher each leave no file behind.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { x as untar } from 'tar';
import { createDispatcher, type Dispatcher } from '../../src-main/core/app/dispatch';
import { exportTickets } from '../../src-main/core/app/export-tickets';
import type { PreparedFile } from '../../src-main/core/app/model-export';
import { safeFileStem } from '../../src-main/core/app/model-export';
import type { ExportTicket } from '../../src-main/core/domain/contract';
import { UserError } from '../../src-main/core/domain/errors';
import type { RunInfo } from '../../src-main/core/domain/types';
import { readWeights } from '../../src-main/core/train/checkpoint';
import { commitDataset } from '../../src-main/core/store/datasets';
import { RecordWriter, Staging } from '../../src-main/core/store/files';
import { getRun, runFilePath } from '../../src-main/core/store/runs';
import { contentDisposition } from '../../src-main/server/download';
import { startServer, type RunningServer } from '../../src-main/server/server';
import { downloadResponse, isAppDownloadUrl } from '../../src-main/shell/protocol';
import { tempStore, type TempStore } from '../helpers/fixtures';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

function http(port: number, path: string, o: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: o.method ?? 'GET', headers: o.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end(o.body);
  });
}

function addDataset(t: TempStore): void {
  const staging = new Staging(t.store.dataDir);
  const part = (labels: number[], file: string) => {
    const w = new RecordWriter(staging.path(file), 16);
    labels.forEach((l, n) => w.append(new Uint8Array(16).fill((l * 90 + n * 3) & 255)));
    return { pixels: w.close(), labels: Int32Array.from(labels) };
  };
  const train = Array.from({ length: 24 }, (_, n) => n % 3);
  commitDataset(t.store, 'toy', staging, {
    format: 'folder', source: { path: '/synthetic' }, imageShape: [4, 4, 1], classNames: ['a', 'b', 'c'],
    train: part(train, 'train.u8'), test: part([0, 1, 2, 0, 1, 2], 'test.u8'),
  });
}

/** Waits (briefly) for the export folder to be empty: a response's end is seen by the client first. */
async function emptied(dir: string): Promise<string[]> {
  for (let i = 0; i < 100 && readdirSync(dir).length; i++) await new Promise((r) => setTimeout(r, 20));
  return readdirSync(dir);
}

describe('model export as a download (dive serve)', () => {
  let t: TempStore;
  let d: Dispatcher;
  let s: RunningServer;
  let tmp: string;
  const call = (name: string, args: unknown, token: string | null = s.token) =>
    http(s.port, `/api/${name}`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...(token === null ? {} : { Authorization: `Bearer ${token}` }) }, body: JSON.stringify(args) });
  const ticket = async (run: string): Promise<ExportTicket> => {
    const r = await call('prepareExport', { run });
    assert.equal(r.status, 200, r.body.toString());
    return (JSON.parse(r.body.toString()) as { result: ExportTicket }).result;
  };

  before(async () => {
    t = tempStore();
    tmp = join(t.dir, 'exports');
    mkdirSync(tmp);
    addDataset(t);
    d = createDispatcher(t.store, { frontDoor: 'web', exportTmp: tmp, closeGraceMs: 10_000 });
    await d.call('createSplit', { dataset: 'toy', name: 'lt', ratio: 2, maxPerClass: 8 });
    await d.call('train', { split: 'lt', name: 'tiny run', config: { method: 'ce', model: 'mlp', epochs: 1, batchSize: 4, backend: 'cpu', seed: 1, augment: { crop: false, flip: false } } });
    assert.equal((await d.runEnded('tiny run')).status, 'completed');
    s = await startServer({ dispatcher: d, rendererDir: '/nonexistent', port: 0, log: () => {} });
  });
  after(async () => {
    await s.close();
    await d.close();
    t.cleanup();
  });

  it('streams RUN-model.tar.gz as an attachment whose files are what the store holds, then removes it', async () => {
    const tk = await ticket('tiny run');
    assert.equal(tk.filename, 'tiny_run-model.tar.gz');
    assert.equal(readdirSync(tmp).length, 1, 'the archive waits in its own folder until fetched');
    const r = await http(s.port, `/api/download/${tk.id}`);
    assert.equal(r.status, 200, r.body.toString());
    assert.equal(r.headers['content-type'], 'application/gzip');
    assert.equal(r.headers['content-disposition'], `attachment; filename="tiny_run-model.tar.gz"; filename*=UTF-8''tiny_run-model.tar.gz`);
    assert.equal(r.headers['cache-control'], 'no-store');
    assert.equal(Number(r.headers['content-length']), r.body.length);
    assert.equal(r.body.length, tk.bytes);
    const sha = createHash('sha256').update(r.body).digest('hex');
    assert.equal(sha, tk.sha256);
    assert.equal(r.headers['x-content-sha256'], sha);

    const out = join(t.dir, 'unpacked');
    mkdirSync(out);
    writeFileSync(join(t.dir, 'got.tar.gz'), r.body);
    await untar({ file: join(t.dir, 'got.tar.gz'), cwd: out, strict: true });
    assert.deepEqual(readdirSync(join(out, 'tiny_run')).sort(), ['model.json', 'run.json', 'weights.bin']);
    // the weights, byte for byte, as the run's stored weights file holds them
    const run = getRun(t.store, 'tiny run');
    const stored = readWeights(runFilePath(t.store, run.id, 'weights')!).weights;
    const expected = Buffer.concat(stored.map((w) => Buffer.from(w.data.buffer, w.data.byteOffset, w.data.byteLength)));
    assert.ok(expected.length > 0);
    assert.ok(readFileSync(join(out, 'tiny_run', 'weights.bin')).equals(expected));
    const manifest = JSON.parse(readFileSync(join(out, 'tiny_run', 'model.json'), 'utf8')) as { weightsManifest: { weights: { name: string; shape: number[] }[] }[] };
    const listed = manifest.weightsManifest[0].weights;
    assert.deepEqual(listed.map((w) => w.name), stored.map((w) => w.name));
    assert.equal(listed.reduce((a, w) => a + 4 * w.shape.reduce((p, k) => p * k, 1), 0), expected.length);
    const exported = JSON.parse(readFileSync(join(out, 'tiny_run', 'run.json'), 'utf8')) as RunInfo;
    assert.deepEqual(exported, JSON.parse(JSON.stringify(await d.call('getRun', { name: 'tiny run' }))));
    assert.deepEqual(exported.provenance.map((a) => [a.attempt, a.executor, a.backend]), [[1, 'local', 'cpu']], 'run.json says where the run ran');
    assert.deepEqual(await emptied(tmp), [], 'nothing left on the server once sent');
  });

  it('serves an id once; a used or unknown id gets 404 and one line, never the file', async () => {
    const tk = await ticket('tiny run');
    assert.equal((await http(s.port, `/api/download/${tk.id}`)).status, 200);
    for (const id of [tk.id, 'no-such-id', '%E0%A4%A']) {
      const again = await http(s.port, `/api/download/${id}`);
      assert.equal(again.status, 404);
      const { ok, error } = JSON.parse(again.body.toString()) as { ok: boolean; error: string };
      assert.equal(ok, false);
      assert.match(error, /^this download has expired or was fetched already .*press Export again$/);
    }
    assert.deepEqual(await emptied(tmp), []);
  });

  it('refuses a missing or wrong token (401) and names an unknown or unfinished run in one line (400)', async () => {
    assert.equal((await call('prepareExport', { run: 'tiny run' }, null)).status, 401);
    assert.equal((await call('prepareExport', { run: 'tiny run' }, 'not-the-token')).status, 401);
    const unknown = await call('prepareExport', { run: 'nope' });
    assert.equal(unknown.status, 400);
    // the CLI's one line, and the same refusal in the UI's words (no `dive` command) for the page
    assert.deepEqual(JSON.parse(unknown.body.toString()), { ok: false, error: 'no run named "nope" (see `dive runs`)', problems: [{ path: [], message: 'no run named "nope"' }] });
    await d.call('train', { split: 'lt', name: 'long', config: { method: 'ce', model: 'mlp', epochs: 5000, batchSize: 4, backend: 'cpu' } });
    const running = await call('prepareExport', { run: 'long' });
    assert.equal(running.status, 400);
    assert.match((JSON.parse(running.body.toString()) as { error: string }).error, /^run "long" is (queued|running); only completed runs have a trained model$/);
    await d.call('cancelRun', { name: 'long' });
    await d.runEnded('long');
    assert.deepEqual(readdirSync(tmp), [], 'a refused export builds nothing');
  });

  it('answers anything but GET with 405 and keeps the id usable', async () => {
    const tk = await ticket('tiny run');
    assert.equal((await http(s.port, `/api/download/${tk.id}`, { method: 'HEAD' })).status, 405);
    assert.equal((await http(s.port, `/api/download/${tk.id}`, { method: 'POST' })).status, 405);
    assert.equal((await http(s.port, `/api/download/${tk.id}`)).status, 200);
    assert.deepEqual(await emptied(tmp), []);
  });

  it('removes the file when the client goes away mid-download', async () => {
    const tk = await ticket('tiny run');
    await new Promise<void>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: s.port, path: `/api/download/${tk.id}` }, (res) => {
        res.destroy();
        req.destroy();
        resolve();
      });
      req.on('error', (e: NodeJS.ErrnoException) => (e.code === 'ECONNRESET' ? resolve() : reject(e)));
      req.end();
    });
    assert.deepEqual(await emptied(tmp), []);
  });

  it('removes untaken files when the dispatcher closes', async () => {
    const t2 = tempStore();
    const tmp2 = join(t2.dir, 'exports');
    const d2 = createDispatcher(t.store, { frontDoor: 'web', exportTmp: tmp2, queue: 'own' });
    try {
      await d2.call('prepareExport', { run: 'tiny run' });
      assert.equal(readdirSync(tmp2).length, 1);
      await d2.close();
      assert.deepEqual(readdirSync(tmp2), []);
    } finally {
      await d2.close();
      t2.cleanup();
    }
  });

  it('the desktop window gets the same file as an attachment on app://dive/api/download/ID', async () => {
    const tk = await d.call('prepareExport', { run: 'tiny run' });
    assert.equal(downloadResponse('app://dive/index.html', () => null), null, 'other addresses are the app\'s pages');
    assert.ok(isAppDownloadUrl(`app://dive/api/download/${tk.id}`));
    assert.ok(!isAppDownloadUrl('app://dive/#/runs/x') && !isAppDownloadUrl(`app://other/api/download/${tk.id}`) && !isAppDownloadUrl('not a url'));
    assert.equal(downloadResponse(`https://evil.example/api/download/${tk.id}`, (id) => d.takeExport(id)), null);
    const res = downloadResponse(`app://dive/api/download/${tk.id}`, (id) => d.takeExport(id))!;
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-disposition')!, /^attachment; filename="tiny_run-model\.tar\.gz"/);
    const body = Buffer.from(await res.arrayBuffer());
    assert.equal(createHash('sha256').update(body).digest('hex'), tk.sha256);
    assert.deepEqual(await emptied(tmp), []);
    assert.equal(downloadResponse(`app://dive/api/download/${tk.id}`, (id) => d.takeExport(id))!.status, 404);
  });

  it('dive export --dir writes the same three files, refuses a non-empty folder and leaves it as it was', async () => {
    const dir = join(t.dir, 'cli-export');
    const r = await d.call('exportRun', { run: 'tiny run', dir });
    assert.deepEqual(r.files, ['model.json', 'weights.bin', 'run.json']);
    assert.deepEqual(readdirSync(dir).sort(), ['model.json', 'run.json', 'weights.bin']);
    await assert.rejects(d.call('exportRun', { run: 'tiny run', dir }), { message: /^export folder .* is not empty$/ });
    assert.deepEqual(readdirSync(dir).sort(), ['model.json', 'run.json', 'weights.bin']);
  });

  // issue 23, item 5: in web mode (--data-root given) a folder export writes only below the roots, and
  // its refusal reads the same whether the folder outside exists, is empty or holds files
  it('in web mode, exportRun writes only below --data-root and says nothing about folders outside it', async () => {
    const allowed = join(t.dir, 'roots', 'allowed');
    const outside = join(t.dir, 'roots', 'outside');
    mkdirSync(allowed, { recursive: true });
    mkdirSync(join(outside, 'full'), { recursive: true });
    writeFileSync(join(outside, 'full', 'x'), 'x');
    symlinkSync(outside, join(allowed, 'link'));
    const web = createDispatcher(t.store, { frontDoor: 'web', readRoots: [allowed], closeGraceMs: 10_000 });
    try {
      const refusal = async (dir: string) => {
        const e = await web.call('exportRun', { run: 'tiny run', dir }).then(() => null, (x: unknown) => x);
        assert.ok(e instanceof UserError, `${dir}: refused`);
        return e.message.replace(dir, 'DIR');
      };
      const messages = [
        await refusal(join(outside, 'new')),
        await refusal(join(outside, 'full')),
        await refusal(outside),
        await refusal(join(allowed, 'link', 'new')),
      ];
      assert.match(messages[0], /^export folder DIR is outside the folders this server may write \(\S+allowed\); download the export instead \(prepareExport: the run page's Export button\)/);
      assert.deepEqual(new Set(messages).size, 1, `one message whatever is there: ${messages.join(' | ')}`);
      // the newer `out` (a folder for tfjs, one file for onnx and safetensors) is held to the same roots
      for (const req of [{ out: join(outside, 'new') }, { format: 'safetensors' as const, out: join(outside, 'm.safetensors') }, { format: 'onnx' as const, out: join(allowed, 'link', 'm.onnx') }]) {
        const e = await web.call('exportRun', { run: 'tiny run', ...req }).then(() => null, (x: unknown) => x);
        assert.ok(e instanceof UserError, `${JSON.stringify(req)}: refused`);
        assert.match(e.message, /^export (folder|file) \S+ is outside the folders this server may write/);
        assert.deepEqual(e.problems.map((p) => p.path), [['out']]);
      }
      assert.deepEqual(readdirSync(outside).sort(), ['full'], 'nothing created outside the roots');
      assert.deepEqual(readdirSync(join(outside, 'full')), ['x']);
      const ok = await web.call('exportRun', { run: 'tiny run', dir: join(allowed, 'model') });
      assert.deepEqual(readdirSync(ok.dir).sort(), ['model.json', 'run.json', 'weights.bin']);
    } finally {
      await web.close();
    }
  });
});

describe('export tickets', () => {
  const fakeFile = (disposed: string[], name: string): PreparedFile => ({ path: `/x/${name}`, filename: name, contentType: 'text/plain', bytes: 1, sha256: 'h', dispose: () => disposed.push(name) });

  it('hand a file out once, expire unfetched ones, and dispose what is left at clear()', async () => {
    const disposed: string[] = [];
    const tickets = exportTickets(30);
    const a = tickets.add(fakeFile(disposed, 'a'));
    const b = tickets.add(fakeFile(disposed, 'b'));
    assert.notEqual(a.id, b.id);
    assert.ok(a.id.length >= 32, 'ids are long random strings');
    assert.equal(a.expiresInSeconds, 0);
    assert.equal(tickets.take(a.id)?.filename, 'a');
    assert.equal(tickets.take(a.id), null);
    await new Promise((r) => setTimeout(r, 80));
    assert.equal(tickets.take(b.id), null, 'expired');
    assert.deepEqual(disposed, ['b'], 'the expired file is removed; the taken one is the taker\'s');
    tickets.add(fakeFile(disposed, 'c'));
    assert.equal(tickets.size, 1);
    tickets.clear();
    assert.deepEqual(disposed, ['b', 'c']);
    assert.equal(tickets.size, 0);
  });

  it('name files after the run in characters any file system and header takes', () => {
    assert.equal(safeFileStem('dive-s1_T3.0'), 'dive-s1_T3.0');
    assert.equal(safeFileStem('my run/../x'), 'my_run_.._x');
    assert.equal(safeFileStem('..hidden'), 'hidden');
    assert.equal(safeFileStem('Ünïcode'), 'n_code');
    assert.equal(safeFileStem('///'), 'run');
    assert.equal(contentDisposition('a"b.tar.gz'), `attachment; filename="a_b.tar.gz"; filename*=UTF-8''a%22b.tar.gz`);
  });
});
