// `npm run build:main` output, run for real in Node with a recording stand-in for the electron
// module (test/helpers/fake-electron.cjs): the bundled main process opens its store under userData,
// serves app://dive/, answers IPC from its own page only, imports through the bundled worker in a
// "utility process", blocks navigation, and quits cleanly. The preload bundle exposes only `dive`.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import type { ApiEvent } from '../../src-main/core/domain/contract';
import { createDispatcher } from '../../src-main/core/app/dispatch';
import type { RunInfo, VirtualExamplesInfo } from '../../src-main/core/domain/types';
import { bundleSpawner } from '../helpers/bundle-spawner';
import { tempDir, tempStore, writeIdxDataset } from '../helpers/fixtures';

const ROOT = join(import.meta.dirname, '..', '..');

describe('Electron bundles', () => {
  const dir = tempDir();
  const app = join(dir, 'app');
  let built: { main: string; preload: string; worker: string };
  before(async () => {
    const buildScript = join(ROOT, 'src-main', 'build', 'bundles.mjs');
    const { buildMain } = (await import(buildScript)) as { buildMain: (out: string) => Promise<typeof built> };
    built = await buildMain(join(app, 'out'));
    // the packaged layout: package.json, db/, out/ and node_modules/ side by side
    copyFileSync(join(ROOT, 'package.json'), join(app, 'package.json'));
    symlinkSync(join(ROOT, 'db'), join(app, 'db'));
    mkdirSync(join(app, 'node_modules', 'electron'), { recursive: true });
    for (const e of readdirSync(join(ROOT, 'node_modules'))) if (e !== 'electron' && e !== '.bin') symlinkSync(join(ROOT, 'node_modules', e), join(app, 'node_modules', e));
    copyFileSync(join(ROOT, 'test', 'helpers', 'fake-electron.cjs'), join(app, 'node_modules', 'electron', 'index.js'));
    writeFileSync(join(app, 'node_modules', 'electron', 'package.json'), '{"name":"electron","main":"index.js"}');
    mkdirSync(join(app, 'out', 'renderer'), { recursive: true });
    writeFileSync(join(app, 'out', 'renderer', 'index.html'), '<!doctype html><title>w</title>');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('runs the main bundle: store in userData, app:// page with CSP, guarded IPC, worker import, clean quit', () => {
    const idx = writeIdxDataset(join(dir, 'idx'), { trainLabels: [0, 1, 1, 2, 2, 2], testLabels: [0, 1, 2] });
    const r = spawnSync(process.execPath, [built.main], {
      cwd: dir,
      encoding: 'utf8',
      timeout: 30_000,
      env: { ...process.env, FAKE_APPDATA: join(dir, 'appdata'), FAKE_IDX: JSON.stringify(idx), DIVE_DB: undefined, DIVE_DATA_DIR: undefined },
    });
    assert.equal(r.status, 0, r.stderr);
    const line = r.stdout.split('\n').find((l) => l.startsWith('REPORT '));
    assert.ok(line, r.stdout + r.stderr);
    const rep = JSON.parse(line.slice(7));
    assert.equal(rep.error, undefined);
    assert.equal(rep.name, 'dive-workbench');
    assert.equal(rep.userData, join(dir, 'appdata', 'dive-workbench'));
    assert.deepEqual(rep.schemes, [{ scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
    const wp = rep.windowOptions.webPreferences;
    assert.deepEqual([wp.contextIsolation, wp.sandbox, wp.nodeIntegration, wp.webSecurity], [true, true, false, true]);
    assert.equal(wp.preload, built.preload);
    assert.equal(rep.loaded, 'app://dive/index.html');
    assert.equal(rep.shown, true);
    assert.deepEqual(rep.page, { status: 200, csp: rep.page.csp, body: '<!doctype html><title>w</title>' });
    assert.match(rep.page.csp, /default-src 'self'/);
    assert.equal(rep.escapeStatus, 404);
    assert.equal(rep.info.ok, true);
    assert.equal(rep.info.result.frontDoor, 'electron');
    assert.equal(rep.info.result.dbPath, join(dir, 'appdata', 'dive-workbench', 'dive.sqlite'));
    assert.equal(rep.info.result.version, JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version);
    assert.equal(rep.imported.ok, true, JSON.stringify(rep.imported));
    assert.deepEqual(rep.imported.result.train.counts, [1, 2, 3]);
    assert.deepEqual(rep.forks, [{ path: built.worker, serviceName: 'DiVE import worker' }]);
    assert.ok(rep.sent.some(([c, e]: [string, { type: string; job?: string }]) => c === 'dive:event' && e.type === 'progress' && e.job === 'j1'));
    assert.ok(rep.sent.some(([c, e]: [string, { type: string; what?: string }]) => c === 'dive:event' && e.type === 'changed' && e.what === 'datasets'));
    assert.deepEqual(rep.bad, { ok: false, error: 'name: must not be empty', problems: [{ path: ['name'], message: 'must not be empty' }] });
    assert.deepEqual(rep.foreign, { ok: false, error: 'refused: this page may not call the workbench' });
    assert.deepEqual(rep.navigation, { remoteBlocked: true, appBlocked: false, downloadTurnedIntoDownload: true });
    // a link to a prepared export becomes a download (Electron's save dialog); an unknown id is a 404
    assert.deepEqual(rep.downloads, ['app://dive/api/download/abc']);
    assert.deepEqual(rep.unknownDownload, { status: 404, body: 'This download has expired or was saved already: press Export again.' });
    assert.deepEqual(rep.windowOpen, [{ action: 'deny' }, { action: 'deny' }]);
    assert.deepEqual(rep.external, ['https://arxiv.org/abs/2103.15042']);
    assert.equal(rep.permission, false);
    assert.equal(rep.permissionCheck, false);
    assert.equal(rep.sandboxAll, true);
  });

  it('trains on the wasm backend and computes virtual examples in the bundled worker', async () => {
    const t = tempStore();
    const d = createDispatcher(t.store, { frontDoor: 'electron', spawn: bundleSpawner(built.worker) });
    try {
      const idx = writeIdxDataset(join(t.dir, 'idx'), { trainLabels: Array.from({ length: 40 }, (_, i) => i % 4), testLabels: [0, 1, 2, 3, 0, 1, 2, 3], h: 6, w: 6 });
      await d.call('importDataset', { request: { format: 'idx', name: 'six', ...idx } });
      await d.call('createSplit', { dataset: 'six', name: 'lt', ratio: 5, maxPerClass: 10 });
      const events: ApiEvent[] = [];
      d.subscribe((e) => events.push(e));
      await d.call('train', { split: 'lt', name: 'w', config: { method: 'ce', model: 'mlp', epochs: 2, batchSize: 4, backend: 'wasm', seed: 2 } });
      const deadline = Date.now() + 30_000;
      while (!events.some((e) => e.type === 'finished') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
      const run = (await d.call('getRun', { name: 'w' })) as RunInfo;
      assert.equal(run.status, 'completed', run.error ?? '');
      assert.equal(run.backend, 'wasm');
      assert.deepEqual(run.epochs.map((e) => e.epoch), [1, 2]);
      assert.ok(run.epochs.every((e) => Number.isFinite(e.loss)));
      const ve = (await d.call('virtualExamples', { run: 'w' })) as VirtualExamplesInfo;
      const n = ve.counts.reduce((a, b) => a + b, 0);
      assert.ok(Math.abs(ve.v.reduce((a, b) => a + b, 0) - n) < 1e-6 * n);
    } finally {
      await d.close();
      t.cleanup();
    }
  });

  it('builds a preload that exposes exactly window.dive = {call, subscribe}', async () => {
    const exposed: Record<string, unknown> = {};
    const required: string[] = [];
    const invoked: unknown[][] = [];
    const fakeElectron = {
      contextBridge: { exposeInMainWorld: (k: string, v: unknown) => (exposed[k] = v) },
      ipcRenderer: { invoke: async (...a: unknown[]) => (invoked.push(a), { ok: true, result: 'r' }), on() {}, removeListener() {} },
    };
    const code = readFileSync(built.preload, 'utf8');
    runInNewContext(code, { require: (m: string) => (required.push(m), m === 'electron' ? fakeElectron : undefined), module: { exports: {} }, exports: {} });
    assert.deepEqual(required, ['electron'], 'a sandboxed preload may require electron only');
    assert.deepEqual(Object.keys(exposed), ['dive']);
    const api = exposed.dive as { call: (n: string, a: unknown) => Promise<unknown> };
    assert.deepEqual(Object.keys(api).sort(), ['call', 'subscribe']);
    assert.deepEqual(await api.call('listRuns', {}), { ok: true, result: 'r' });
    assert.deepEqual(invoked, [['dive:call', 'listRuns', {}]]);
  });
});
