// electron-builder cannot package here (Electron's binary is not downloadable), so check what can
// be checked: the config passes electron-builder's own schema, and everything it names exists.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { it } from 'node:test';

const root = join(import.meta.dirname, '..', '..');
const require = createRequire(import.meta.url);
const { getConfig, validateConfiguration } = require('app-builder-lib/out/util/config/config') as {
  getConfig(dir: string, path: string | null, extra: null): Promise<Record<string, unknown>>;
  validateConfiguration(config: Record<string, unknown>, logger: unknown): Promise<void>;
};
const { DebugLogger, log } = require('builder-util') as { DebugLogger: new (enabled: boolean) => unknown; log: { stream: NodeJS.WritableStream } };
// electron-builder logs to stdout, where node's test runner sends its own messages: a log line
// written amid them broke the runner's parsing ("Unable to deserialize cloned data") under load
log.stream = process.stderr;
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  main: string; scripts: Record<string, string>; dependencies: Record<string, string>; optionalDependencies: Record<string, string>; devDependencies: Record<string, string>;
};

it('electron-builder.yml passes electron-builder\'s schema, and a wrong key would not', async () => {
  const config = await getConfig(root, join(root, 'electron-builder.yml'), null);
  await validateConfiguration(config, new DebugLogger(false));
  await assert.rejects(validateConfiguration({ ...config, linxu: { target: ['deb'] } }, new DebugLogger(false)), /linxu/);
});

it('targets AppImage and deb, NSIS and dmg, and unpacks the native modules from the asar', async () => {
  const config = (await getConfig(root, join(root, 'electron-builder.yml'), null)) as {
    linux: { target: string[] }; win: { target: string[] }; mac: { target: string[] }; asarUnpack: string[]; files: { filter: string[] }[];
  };
  assert.deepEqual(config.linux.target, ['AppImage', 'deb']);
  assert.deepEqual(config.win.target, ['nsis']);
  assert.deepEqual(config.mac.target, ['dmg']);
  for (const p of ['better-sqlite3', '@tensorflow/tfjs-node']) assert.ok(config.asarUnpack.some((u) => u.startsWith(`node_modules/${p}/`)), p);
  const filters = config.files.flatMap((f) => f.filter);
  assert.ok(filters.includes('!node_modules/electron/**'), 'electron itself must not be packed');
});

it('names only files that exist or that the build scripts make', () => {
  assert.ok(readdirSync(join(root, 'db')).some((f) => f.endsWith('.sql')), 'db/*.sql');
  for (const dep of ['better-sqlite3']) assert.ok(pkg.dependencies[dep], `${dep} is a runtime dependency`);
  for (const dep of ['@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu']) assert.ok(pkg.optionalDependencies[dep], `${dep} is optional`);
  // electron-builder wants electron as a devDependency (never packed; the app runs in its binary)
  for (const dep of ['electron', 'electron-builder']) assert.ok(pkg.devDependencies[dep], `${dep} is a devDependency`);
  assert.equal(pkg.optionalDependencies.electron ?? pkg.dependencies.electron, undefined);
  // package.json's main is what build:main writes; dist builds it before packaging
  const build = readFileSync(join(root, 'src-main', 'shell', 'build.mjs'), 'utf8');
  assert.equal(pkg.main, 'out/main/index.js');
  assert.match(build, /out[/'", ]+main/);
  assert.match(pkg.scripts.dist, /build:main.*electron-builder/);
  assert.ok(existsSync(join(root, 'node_modules', '@tensorflow', 'tfjs-backend-wasm', 'dist')), 'wasm binaries to unpack');
});
