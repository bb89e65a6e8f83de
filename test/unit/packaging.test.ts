// The installers' configuration as electron-builder reads it: electron-builder.yml passes its
// schema; package.json has what the deb, AppImage, NSIS and dmg targets need (an author with an
// email: the deb's maintainer; homepage, description, licence); the deb depends on the Vulkan loader
// the webgpu rung needs; the icons are the UI's favicon at each size. What the app holds once
// packed: test/integration/packaging.test.ts.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { it } from 'node:test';
import sharp from 'sharp';

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
  main: string; description: string; homepage: string; license: string; author: { name: string; email: string };
  scripts: Record<string, string>; dependencies: Record<string, string>; optionalDependencies: Record<string, string>; devDependencies: Record<string, string>;
};
interface Config {
  directories: { buildResources: string };
  linux: { target: string[]; icon: string; desktop: { entry: Record<string, string> } };
  deb: { depends: string[] };
  win: { target: string[] };
  mac: { target: string[] };
  nsis: Record<string, unknown>;
  dmg: Record<string, unknown>;
  files: { filter: string[] }[];
}
const config = async () => (await getConfig(root, join(root, 'electron-builder.yml'), null)) as unknown as Config;

it("electron-builder.yml passes electron-builder's schema, and a wrong key would not", async () => {
  const c = await getConfig(root, join(root, 'electron-builder.yml'), null);
  await validateConfiguration(c, new DebugLogger(false));
  await assert.rejects(validateConfiguration({ ...c, linxu: { target: ['deb'] } }, new DebugLogger(false)), /linxu/);
});

it('targets AppImage and deb, NSIS and dmg, with what each needs', async () => {
  const c = await config();
  assert.deepEqual(c.linux.target, ['AppImage', 'deb']);
  assert.deepEqual(c.win.target, ['nsis']);
  assert.deepEqual(c.mac.target, ['dmg']);
  // the deb's maintainer is the author's email; fpm refuses a deb without one
  assert.match(pkg.author.email, /^[^@\s]+@[^@\s]+\.[a-z]+$/);
  assert.ok(pkg.author.name && pkg.description && pkg.license);
  assert.match(pkg.homepage, /^https:\/\//);
  assert.ok(c.deb.depends.includes('libvulkan1'), 'the Vulkan loader for the webgpu rung');
  assert.ok(c.deb.depends.includes('libnss3') && c.deb.depends.includes('libgtk-3-0'), "Electron's own libraries (the list replaces electron-builder's default)");
  assert.equal(c.linux.desktop.entry.Name, 'DiVE Workbench');
  assert.match(c.linux.desktop.entry.Categories, /Science/);
  assert.equal(c.nsis.oneClick, false);
  assert.ok(c.dmg.title);
});

it('packs electron as the runtime, not as a file; the bundles and the UI as files', async () => {
  const c = await config();
  const filters = c.files.flatMap((f) => f.filter);
  for (const part of ['main', 'preload', 'worker', 'chunks', 'renderer']) assert.ok(filters.includes(`out/${part}/**`), part);
  // electron-builder wants electron as a devDependency (never packed; the app runs in its binary)
  for (const dep of ['electron', 'electron-builder', 'tsx', 'esbuild']) assert.ok(pkg.devDependencies[dep], `${dep} is a devDependency`);
  for (const dep of ['better-sqlite3', 'webgpu', '@tensorflow/tfjs-core']) assert.ok(pkg.dependencies[dep], `${dep} is a runtime dependency`);
  for (const dep of ['@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu']) assert.ok(pkg.optionalDependencies[dep], `${dep} is optional`);
  // package.json's main is what the build writes (npm run dist builds first: test/integration/dist-offline.test.ts)
  const { NODE_ENTRIES } = (await import(join(root, 'src-main', 'build', 'bundles.mjs'))) as { NODE_ENTRIES: Record<string, string> };
  assert.equal(pkg.main, 'out/main/index.mjs');
  assert.equal(NODE_ENTRIES['main/index'], 'src-main/shell/main.ts');
});

it("has the UI's favicon as the app icon at every size electron-builder uses", async () => {
  const c = await config();
  const resources = join(root, c.directories.buildResources);
  const { renderIcon, LINUX_SIZES } = (await import(join(root, 'src-main', 'shell', 'icons.mjs'))) as { renderIcon(size: number): Promise<Buffer>; LINUX_SIZES: number[] };
  const icons = join(resources, c.linux.icon);
  assert.deepEqual(readdirSync(icons).sort(), LINUX_SIZES.map((s) => `${s}x${s}.png`).sort());
  for (const [file, size] of [...LINUX_SIZES.map((s) => [join(icons, `${s}x${s}.png`), s] as const), [join(resources, 'icon.png'), 1024] as const]) {
    const committed = await sharp(file).raw().toBuffer({ resolveWithObject: true });
    assert.deepEqual([committed.info.width, committed.info.height], [size, size], file);
    // what `npm run icons` renders now, within a rounding level per channel (libvips versions differ)
    const fresh = await sharp(await renderIcon(size)).raw().toBuffer();
    let worst = 0;
    for (let i = 0; i < fresh.length; i++) worst = Math.max(worst, Math.abs(fresh[i] - committed.data[i]));
    assert.ok(worst <= 8, `${file} differs from the favicon's rendering by ${worst} levels: run npm run icons`);
  }
});
