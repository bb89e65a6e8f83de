// `dive` as a tool outside the repository: `npm pack` of a copy of this checkout (its prepare step
// builds out/ there), `npm install -g --prefix TMP` of the tarball, then the installed `dive` on
// PATH imports a folder of PNGs (sharp), carves a split, trains a one-epoch run in its worker and
// serves the UI. The installed package holds the build, not the TypeScript sources, and none of the
// development tools (tsx, esbuild, TypeScript, Electron...). Two downloads of the install are
// served from loopback so the test takes the same path on any machine, online or not:
// better-sqlite3's prebuilt module (this checkout's own build, where prebuild-install would fetch
// one from GitHub; compiling it would take minutes) and libtensorflow (a 404, so npm drops the
// optional tfjs-node packages fast, as it does wherever TensorFlow's downloads cannot be reached).
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { c as tar } from 'tar';
import type { RunInfo } from '../../src-main/core/domain/types';
import { copyCheckout } from '../helpers/checkout-copy';
import { tempDir, writeImageFolder } from '../helpers/fixtures';

const ROOT = join(import.meta.dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string; devDependencies: Record<string, string> };
const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean }> };
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stderr }));
  });
}

describe('the npm package', () => {
  const dir = tempDir();
  const prefix = join(dir, 'prefix');
  const installed = join(prefix, process.platform === 'win32' ? '' : 'lib', 'node_modules', 'dive-workbench');
  const bin = join(prefix, process.platform === 'win32' ? '' : 'bin');
  const requests: string[] = [];
  let server: Server;
  let mirror: string;
  const env = () => ({ ...process.env, PATH: `${bin}:${process.env.PATH}`, DIVE_DB: join(dir, 'dive.sqlite'), DIVE_DATA_DIR: undefined });
  const dive = (...args: string[]) => spawnSync('dive', args, { encoding: 'utf8', env: env(), cwd: dir, timeout: 300_000 });

  before(async () => {
    // better-sqlite3's prebuilt module, as prebuild-install expects it: a tarball of build/Release/better_sqlite3.node
    const prebuilt = join(dir, 'better-sqlite3.tar.gz');
    await tar({ gzip: true, cwd: join(ROOT, 'node_modules', 'better-sqlite3'), file: prebuilt }, ['build/Release/better_sqlite3.node']);
    const body = readFileSync(prebuilt);
    server = createServer((req, res) => {
      requests.push(req.url ?? '');
      if (req.url?.includes('/better-sqlite3-v')) res.writeHead(200, { 'Content-Type': 'application/gzip' }).end(body);
      else res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    mirror = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => {
    server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('packs from a clean copy of the checkout and installs as a global tool', async () => {
    const copy = copyCheckout(join(dir, 'checkout'));
    const packed = spawnSync(npm, ['pack', '--pack-destination', dir, '--json'], { cwd: copy, encoding: 'utf8', timeout: 300_000 });
    assert.equal(packed.status, 0, packed.stderr);
    const [{ filename, files: inTarball }] = JSON.parse(packed.stdout.slice(packed.stdout.indexOf('['))) as { filename: string; files: { path: string }[] }[];
    const paths = inTarball.map((f) => f.path);
    // the build and what it reads at run time; no TypeScript source, no source map
    for (const p of ['out/cli/dive.mjs', 'out/worker/index.mjs', 'out/renderer/index.html', 'db/001_init.sql', 'src-main/cli/dive.mjs']) assert.ok(paths.includes(p), p);
    assert.deepEqual(paths.filter((p) => p.endsWith('.ts') || p.endsWith('.map')), []);

    const t0 = performance.now();
    // not spawnSync: the stand-in mirror is served from this process's event loop
    const install = await run(npm, ['install', '-g', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', join(dir, filename)], {
      ...process.env,
      npm_config_better_sqlite3_binary_host: mirror,
      TFJS_NODE_CDN_STORAGE: `${mirror}/`,
    });
    assert.equal(install.code, 0, install.stderr);
    console.log(`npm install -g of the tarball: ${((performance.now() - t0) / 1000).toFixed(0)} s`);
    assert.ok(requests.some((u) => u.includes('/better-sqlite3-v')), `better-sqlite3 came from the stand-in mirror (requests: ${requests.join(', ')})`);
    assert.ok(existsSync(join(installed, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node')));
    // nothing only the development of the workbench needs
    const present = new Set(readdirSync(join(installed, 'node_modules')).flatMap((e) => (e.startsWith('@') ? readdirSync(join(installed, 'node_modules', e)).map((s) => `${e}/${s}`) : [e])));
    const devOnly = Object.keys(pkg.devDependencies).filter((d) => lock.packages[`node_modules/${d}`]?.dev);
    assert.ok(devOnly.includes('tsx') && devOnly.includes('esbuild') && devOnly.includes('electron'));
    assert.deepEqual(devOnly.filter((d) => present.has(d)), []);
  });

  it('imports, splits, trains a one-epoch run and serves the UI from the installed command', async () => {
    assert.ok(existsSync(join(bin, 'dive')), 'dive is on PATH');
    const help = dive('--help');
    assert.equal(help.status, 0, help.stderr);
    assert.match(help.stdout, /^Usage: dive/);
    await writeImageFolder(join(dir, 'pics', 'train'), { a: 20, b: 12, c: 8 }, { size: 8 });
    await writeImageFolder(join(dir, 'pics', 'test'), { a: 4, b: 4, c: 4 }, { size: 8 });
    const imported = dive('import', 'folder', '--name', 'pics', '--train', join(dir, 'pics', 'train'), '--test', join(dir, 'pics', 'test'), '--size', '8', '--json');
    assert.equal(imported.status, 0, imported.stderr);
    const split = dive('split', '--dataset', 'pics', '--name', 'lt', '--ratio', '2', '--max-per-class', '8', '--json');
    assert.equal(split.status, 0, split.stderr);
    const trained = dive('train', '--split', 'lt', '--method', 'ce', '--model', 'mlp', '--epochs', '1', '--backend', 'wasm', '--name', 'one', '--json');
    assert.equal(trained.status, 0, trained.stderr);
    const run = JSON.parse(trained.stdout) as RunInfo;
    assert.deepEqual([run.status, run.backend, run.epochs.length], ['completed', 'wasm', 1]);

    const served = spawn('dive', ['serve', '--port', '0', '--json'], { env: env(), cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const first = await new Promise<string>((resolve, reject) => {
        let out = '';
        let err = '';
        const timer = setTimeout(() => reject(new Error(`dive serve printed nothing in 60 s: ${err}`)), 60_000);
        served.stderr!.on('data', (c: Buffer) => (err += c.toString()));
        served.stdout!.on('data', (c: Buffer) => {
          out += c.toString();
          if (out.includes('\n')) {
            clearTimeout(timer);
            resolve(out.slice(0, out.indexOf('\n')));
          }
        });
        served.once('exit', (code) => reject(new Error(`dive serve exited with ${code}: ${err}`)));
      });
      const { url, token } = JSON.parse(first) as { url: string; token: string };
      const page = await fetch(new URL('/', url));
      assert.equal(page.status, 200);
      assert.match(await page.text(), /<!doctype html>/i);
      const runs = await fetch(new URL('/api/listRuns', url), { method: 'POST', headers: { 'Content-Type': 'application/json', 'x-dive-token': token }, body: '{}' });
      assert.equal(runs.status, 200);
      assert.deepEqual(((await runs.json()) as { result: { name: string }[] }).result.map((r) => r.name), ['one']);
    } finally {
      served.kill('SIGTERM');
      await new Promise((r) => served.once('exit', r));
    }
  });
});
