#!/usr/bin/env node
// `npm start`: the desktop app where Electron and a display are available, otherwise the same UI in
// the browser through `dive serve`. Builds what is missing first (the UI, the Electron bundles).
//   npm start                      desktop app, or web mode as the fallback
//   npm start -- --web [serve options]   web mode even where Electron could run (e.g. --port 8080)
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const say = (s) => process.stderr.write(`npm start: ${s}\n`);

/** The Electron binary, or why there is none. */
export function findElectron(require = createRequire(join(ROOT, 'package.json'))) {
  try {
    // the electron package's main export is the path of its binary; it throws if the download failed
    const bin = require('electron');
    if (typeof bin === 'string' && existsSync(bin)) return { bin };
    return { why: 'the electron package is installed but its binary is missing (its download failed?)' };
  } catch (e) {
    if (e?.code === 'MODULE_NOT_FOUND') return { why: 'the electron package (a devDependency) is not installed' };
    // electron's index.js throws when its binary was not downloaded
    return { why: `the electron package is installed but its binary is missing (${String(e?.message ?? e).split('\n')[0]})` };
  }
}

export function hasDisplay(platform = process.platform, env = process.env) {
  if (platform === 'darwin' || platform === 'win32') return true;
  return Boolean(env.DISPLAY || env.WAYLAND_DISPLAY);
}

/** 'electron' or 'web', and why. */
export function chooseFrontDoor({ forceWeb = false, electron = findElectron(), display = hasDisplay() } = {}) {
  if (forceWeb) return { mode: 'web', why: '--web' };
  if (!electron.bin) return { mode: 'web', why: electron.why };
  if (!display) return { mode: 'web', why: 'no display (neither DISPLAY nor WAYLAND_DISPLAY is set)' };
  return { mode: 'electron', why: 'Electron and a display are available', bin: electron.bin };
}

function npmRun(script) {
  const scripts = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts ?? {};
  if (!scripts[script]) return false;
  const r = spawnSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['run', script], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'], shell: process.platform === 'win32' });
  if (r.status !== 0) {
    say(`npm run ${script} failed`);
    process.exit(r.status ?? 1);
  }
  return true;
}

function ensureRenderer() {
  if (existsSync(join(ROOT, 'out', 'renderer', 'index.html'))) return;
  say('building the UI (out/renderer is missing)...');
  if (!npmRun('build:renderer')) say('this checkout has no build:renderer script yet: the API will work, the page will say the UI is not built');
}

async function main(argv) {
  const forceWeb = argv.includes('--web');
  const rest = argv.filter((a) => a !== '--web');
  const choice = chooseFrontDoor({ forceWeb });
  say(`${choice.mode === 'electron' ? 'desktop app' : 'web mode'} (${choice.why})`);
  ensureRenderer();
  let child;
  if (choice.mode === 'electron') {
    const { buildMain } = await import('../build/bundles.mjs');
    await buildMain();
    child = spawn(choice.bin, [ROOT, ...rest], { cwd: ROOT, stdio: 'inherit' });
  } else {
    child = spawn(process.execPath, [join(ROOT, 'src-main', 'cli', 'dive.mjs'), 'serve', ...rest], { cwd: ROOT, stdio: 'inherit' });
  }
  // Ctrl-C reaches the child through the terminal's process group; SIGTERM is passed on
  process.on('SIGTERM', () => child.kill('SIGTERM'));
  process.on('SIGINT', () => {});
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main(process.argv.slice(2));
