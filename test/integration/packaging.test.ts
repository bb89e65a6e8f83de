// The desktop app as electron-builder packs it, built here around a stand-in for Electron's binary
// (`--linux dir -c.electronDist=DIR`: electron-builder copies DIR as Electron's distribution, so
// everything but the Electron executable is the real package). Inspected: the app's files in
// app.asar; native modules unpacked, for this platform and architecture only; the wasm binaries
// unpacked; nothing from devDependencies; the size, printed per top-level folder. Then, from an
// extracted copy of the asar (with the shell's fake Electron, test/helpers/fake-electron.cjs, as
// its electron module), every module the packed main, preload and worker bundles import resolves
// inside the package: the main process opens its store and imports through the worker, the worker
// trains on the wasm backend, Dawn and sharp load their native code.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire, isBuiltin } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runInNewContext } from 'node:vm';
import { extractAll, listPackage, statFile } from '@electron/asar';
import { createDispatcher } from '../../src-main/core/app/dispatch';
import type { RunInfo } from '../../src-main/core/domain/types';
import { bundleSpawner } from '../helpers/bundle-spawner';
import { tempDir, tempStore, writeIdxDataset } from '../helpers/fixtures';

const ROOT = join(import.meta.dirname, '..', '..');
const MAX_BYTES = 120e6;
const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version?: string; dev?: boolean }> };
/** name@version of every package only devDependencies need (electron-builder flattens the tree, so paths do not match the lockfile's) */
const devOnly = (() => {
  const need = new Map<string, boolean>();
  for (const [path, p] of Object.entries(lock.packages)) {
    if (!path.includes('node_modules/')) continue;
    const key = `${path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length)}@${p.version}`;
    need.set(key, (need.get(key) ?? true) && Boolean(p.dev));
  }
  return new Set([...need].filter(([, dev]) => dev).map(([k]) => k));
})();
const ELF_MACHINE: Record<string, number> = { x64: 62, arm64: 183, ia32: 3, arm: 40 };
// electron-builder's name for this platform, and the stand-in executable it expects in electronDist
const PLATFORM = ({ linux: 'linux', win32: 'win' } as Record<string, string>)[process.platform];

/** Every file under dir, as paths relative to it with forward slashes. */
function walk(dir: string, base = dir): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name), base) : [relative(base, join(dir, e.name)).split(sep).join('/')]));
}

/** The package a path inside the app belongs to: node_modules/<name> (nested ones included), or out/<part>, db, ... */
function owner(path: string): string {
  const parts = path.split('/');
  const i = parts.lastIndexOf('node_modules');
  if (i < 0) return parts.length > 1 ? parts.slice(0, parts[0] === 'out' ? 2 : 1).join('/') : parts[0];
  return parts.slice(0, i + (parts[i + 1]?.startsWith('@') ? 3 : 2)).join('/');
}

describe('the packed desktop app', { skip: PLATFORM ? false : `electron-builder's stand-in layout is written for Linux and Windows, not ${process.platform}` }, () => {
  const dir = tempDir();
  const app = join(dir, 'app');
  let resources: string;
  let asar: string;
  let files: { path: string; bytes: number; unpacked: boolean }[];

  before(async () => {
    // the packed bundles must be of these sources: `npm test` builds first; run alone, rebuild what changed
    const { staleReason } = (await import(join(ROOT, 'src-main', 'build', 'freshness.mjs'))) as { staleReason: (root: string) => string | null };
    if (staleReason(ROOT)) await ((await import(join(ROOT, 'src-main', 'build', 'bundles.mjs'))) as { buildBundles: (o?: string, f?: { clean: boolean }) => Promise<unknown> }).buildBundles(undefined, { clean: false });
    assert.ok(existsSync(join(ROOT, 'out', 'renderer', 'index.html')), 'out/renderer is built (npm run build)');
    const dist = join(dir, 'electron-dist');
    mkdirSync(dist);
    const exe = join(dist, process.platform === 'win32' ? 'electron.exe' : 'electron');
    writeFileSync(exe, '#!/bin/sh\necho "a stand-in for Electron"\n');
    chmodSync(exe, 0o755);
    const release = join(dir, 'release');
    const t0 = performance.now();
    const r = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'electron-builder', 'cli.js'), `--${PLATFORM}`, 'dir', `-c.electronDist=${dist}`, '-c.npmRebuild=false', `-c.directories.output=${release}`], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 600_000,
    });
    assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
    console.log(`electron-builder --${PLATFORM} dir with a stand-in Electron: ${((performance.now() - t0) / 1000).toFixed(0)} s`);
    resources = join(release, `${PLATFORM}-unpacked`, 'resources');
    asar = join(resources, 'app.asar');
    files = listPackage(asar, { isPack: false })
      .map((p) => p.slice(1).split(sep).join('/'))
      .flatMap((p) => {
        const st = statFile(asar, p, false) as { size?: number; unpacked?: boolean; files?: unknown };
        return st.files || st.size === undefined ? [] : [{ path: p, bytes: st.size, unpacked: Boolean(st.unpacked) }];
      });
    extractAll(asar, app);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("holds the app's files: its bundles, the UI and the migrations, and no sources, maps or CLI", () => {
    const paths = new Set(files.map((f) => f.path));
    const built = ['main', 'preload', 'worker', 'chunks', 'renderer'].flatMap((part) => walk(join(ROOT, 'out', part)).map((f) => `out/${part}/${f}`)).filter((f) => !f.endsWith('.map'));
    assert.ok(built.length > 20);
    assert.deepEqual(built.filter((f) => !paths.has(f)), [], 'every file of the build is packed');
    for (const sql of readdirSync(join(ROOT, 'db'))) assert.ok(paths.has(`db/${sql}`), sql);
    assert.ok(paths.has('package.json'));
    assert.deepEqual([...paths].filter((p) => /^(src-main|src-renderer|test|out\/cli)\//.test(p) || p.endsWith('.map') || (p.endsWith('.ts') && !p.startsWith('node_modules/'))), []);
  });

  it('unpacks the native modules, for this platform and architecture only, and the wasm binaries', () => {
    const native = files.filter((f) => /\.node$|\.so(\.\d+)*$|\.dylib$|\.dll$/.test(f.path));
    assert.ok(native.some((f) => f.path === 'node_modules/better-sqlite3/build/Release/better_sqlite3.node'), "better-sqlite3's module");
    const dawn = native.filter((f) => f.path.endsWith('/dawn.node'));
    const want = process.platform === 'darwin' ? 'darwin-universal' : `${process.platform}-${process.arch}`;
    assert.deepEqual(dawn.map((f) => f.path), [`node_modules/webgpu/dist/${want}/dawn.node`], "Dawn's module for this platform only");
    assert.deepEqual(native.filter((f) => !f.unpacked).map((f) => f.path), [], 'native code cannot load from inside the asar');
    if (process.platform === 'linux') {
      for (const f of native) {
        const head = readFileSync(join(`${asar}.unpacked`, f.path)).subarray(0, 20);
        assert.equal(head.toString('latin1', 0, 4), '\x7fELF', f.path);
        assert.equal(head.readUInt16LE(18), ELF_MACHINE[process.arch], `${f.path} is built for ${process.arch}`);
      }
    }
    const wasm = files.filter((f) => f.path.endsWith('.wasm'));
    assert.ok(wasm.length >= 3, 'the wasm backend binaries');
    assert.deepEqual(wasm.filter((f) => !f.unpacked).map((f) => f.path), []);
  });

  it('carries nothing from devDependencies, nor the libtensorflow packages', () => {
    const packages = [...new Set(files.map((f) => owner(f.path)).filter((o) => o.startsWith('node_modules/')))];
    assert.ok(packages.includes('node_modules/better-sqlite3'));
    const versioned = packages.map((p) => `${p.slice(p.lastIndexOf('node_modules/') + 'node_modules/'.length)}@${(JSON.parse(readFileSync(join(app, p, 'package.json'), 'utf8')) as { version: string }).version}`);
    assert.deepEqual(versioned.filter((p) => devOnly.has(p)), [], 'dev-only packages (package-lock.json)');
    for (const tool of ['tsx', 'esbuild', 'typescript', 'vite', 'electron', 'electron-builder', 'zod', 'commander', '@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu']) {
      assert.ok(!packages.includes(`node_modules/${tool}`), tool);
    }
  });

  it(`weighs at most ${MAX_BYTES / 1e6} MB of resources, printed per top-level folder`, () => {
    const total = walk(resources).reduce((s, f) => s + statSync(join(resources, f)).size, 0);
    const by = new Map<string, number>();
    for (const f of files) by.set(owner(f.path), (by.get(owner(f.path)) ?? 0) + f.bytes);
    const rows = [...by].sort((a, b) => b[1] - a[1]);
    const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;
    console.log(`resources/ of the ${process.platform}-${process.arch} app: ${mb(total)} (app.asar ${mb(statSync(asar).size)}, app.asar.unpacked ${mb(total - statSync(asar).size)})`);
    for (const [name, bytes] of rows.filter(([, b]) => b >= 0.1e6)) console.log(`  ${mb(bytes).padStart(9)}  ${name}`);
    console.log(`  ${mb(rows.filter(([, b]) => b < 0.1e6).reduce((s, [, b]) => s + b, 0)).padStart(9)}  ${rows.filter(([, b]) => b < 0.1e6).length} others under 0.1 MB`);
    assert.ok(total <= MAX_BYTES, `resources/ is ${mb(total)}`);
  });

  it('resolves every module the packed bundles import from inside the package', () => {
    const require = createRequire(join(app, 'out', 'main', 'index.mjs'));
    const specifiers = new Set<string>();
    for (const f of walk(join(app, 'out')).filter((f) => f.endsWith('.mjs'))) {
      const code = readFileSync(join(app, 'out', f), 'utf8');
      // a specifier has no white space: `c ? "from" : "teacher"` is a ternary, not an import
      for (const m of code.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)["']([^"'./\s][^"'\s]*)["']/g)) if (!isBuiltin(m[1])) specifiers.add(m[1]);
    }
    specifiers.delete('electron');
    assert.ok(specifiers.has('better-sqlite3') && specifiers.has('@tensorflow/tfjs-core'), [...specifiers].join(' '));
    // each import, then each package's own dependencies (types-only packages aside: nothing loads them)
    const todo = [...specifiers].map((s) => ({ spec: s, from: require }));
    const seen = new Set<string>();
    while (todo.length) {
      const { spec, from } = todo.pop()!;
      const name = spec.split('/').slice(0, spec.startsWith('@') ? 2 : 1).join('/');
      let entry: string;
      try {
        // a package named like a Node built-in (string_decoder) is required with a trailing slash
        entry = from.resolve(isBuiltin(spec) ? `${spec}/` : spec);
      } catch {
        assert.fail(`${spec} does not resolve inside the package`);
      }
      // the package's folder: where the resolved file sits below node_modules/<name>
      const at = entry.lastIndexOf(`${sep}node_modules${sep}${name.split('/').join(sep)}${sep}`);
      assert.ok(at >= 0 && entry.startsWith(app + sep), `${spec} resolves outside the package: ${entry}`);
      const pkgJson = join(entry.slice(0, at), 'node_modules', name, 'package.json');
      if (seen.has(pkgJson)) continue;
      seen.add(pkgJson);
      const deps = Object.keys((JSON.parse(readFileSync(pkgJson, 'utf8')) as { dependencies?: Record<string, string> }).dependencies ?? {});
      for (const d of deps.filter((d) => !/^(@types\/|@webgpu\/types$)/.test(d))) todo.push({ spec: d, from: createRequire(pkgJson) });
    }
    assert.ok(seen.size >= 10);
  });

  it("runs the packed main process with the shell's fake Electron: store, page, IPC, an import in the packed worker", () => {
    mkdirSync(join(app, 'node_modules', 'electron'));
    copyFileSync(join(ROOT, 'test', 'helpers', 'fake-electron.cjs'), join(app, 'node_modules', 'electron', 'index.js'));
    writeFileSync(join(app, 'node_modules', 'electron', 'package.json'), '{"name":"electron","main":"index.js"}');
    const idx = writeIdxDataset(join(dir, 'idx'), { trainLabels: [0, 1, 1, 2, 2, 2], testLabels: [0, 1, 2] });
    const r = spawnSync(process.execPath, [join(app, 'out', 'main', 'index.mjs')], {
      cwd: dir,
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, FAKE_APPDATA: join(dir, 'appdata'), FAKE_IDX: JSON.stringify(idx), DIVE_DB: undefined, DIVE_DATA_DIR: undefined, NODE_PATH: undefined },
    });
    assert.equal(r.status, 0, r.stderr);
    const line = r.stdout.split('\n').find((l) => l.startsWith('REPORT '));
    assert.ok(line, r.stdout + r.stderr);
    const rep = JSON.parse(line.slice(7));
    assert.equal(rep.error, undefined);
    assert.equal(rep.page.body, readFileSync(join(app, 'out', 'renderer', 'index.html'), 'utf8'), 'the packed UI');
    assert.equal(rep.windowOptions.webPreferences.preload, join(app, 'out', 'preload', 'index.cjs'));
    assert.equal(rep.info.result.version, JSON.parse(readFileSync(join(app, 'package.json'), 'utf8')).version);
    assert.deepEqual(rep.forks, [{ path: join(app, 'out', 'worker', 'index.mjs'), serviceName: 'DiVE import worker' }]);
    assert.equal(rep.imported.ok, true, JSON.stringify(rep.imported));
    assert.deepEqual(rep.imported.result.train.counts, [1, 2, 3]);
    // the preload is sandboxed: it may require electron and nothing else
    const required: string[] = [];
    const fake = { contextBridge: { exposeInMainWorld() {} }, ipcRenderer: { invoke: async () => ({}), on() {}, removeListener() {} } };
    runInNewContext(readFileSync(join(app, 'out', 'preload', 'index.cjs'), 'utf8'), { require: (m: string) => (required.push(m), m === 'electron' ? fake : undefined), module: { exports: {} }, exports: {} });
    assert.deepEqual(required, ['electron']);
  });

  it('trains on the wasm backend in the packed worker, and loads Dawn and sharp from the package', async () => {
    const t = tempStore();
    const d = createDispatcher(t.store, { frontDoor: 'electron', spawn: bundleSpawner(join(app, 'out', 'worker', 'index.mjs')) });
    try {
      const idx = writeIdxDataset(join(t.dir, 'idx'), { trainLabels: Array.from({ length: 40 }, (_, i) => i % 4), testLabels: [0, 1, 2, 3, 0, 1, 2, 3], h: 6, w: 6 });
      await d.call('importDataset', { request: { format: 'idx', name: 'six', ...idx } });
      await d.call('createSplit', { dataset: 'six', name: 'lt', ratio: 5, maxPerClass: 10 });
      let finished = false;
      d.subscribe((e) => (finished ||= e.type === 'finished'));
      await d.call('train', { split: 'lt', name: 'w', config: { method: 'ce', model: 'mlp', epochs: 2, batchSize: 4, backend: 'wasm', seed: 2 } });
      const deadline = Date.now() + 60_000;
      while (!finished && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
      const run = (await d.call('getRun', { name: 'w' })) as RunInfo;
      assert.equal(run.status, 'completed', run.error ?? '');
      assert.equal(run.backend, 'wasm');
    } finally {
      await d.close();
      t.cleanup();
    }
    const load = spawnSync(
      process.execPath,
      ['--input-type=module', '-e', "const w = await import(process.argv[1]); const s = (await import(process.argv[2])).default; console.log(typeof w.create, typeof s.versions.vips)", join(app, 'node_modules', 'webgpu', 'index.js'), join(app, 'node_modules', 'sharp', dirname('dist/index.mjs'), 'index.mjs')],
      { encoding: 'utf8', cwd: dir },
    );
    assert.equal(load.status, 0, load.stderr);
    assert.equal(load.stdout.trim(), 'function string');
  });
});
