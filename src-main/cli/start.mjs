#!/usr/bin/env node
// `npm start`: the desktop app where Electron and a display are available, otherwise the same UI in
// the browser through `dive serve`. Builds what is missing first (the UI, the Electron bundles).
//   npm start                      desktop app, or web mode as the fallback
//   npm start -- --web [serve options]   web mode even where Electron could run (e.g. --port 8080)
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { staleReason } from '../build/freshness.mjs';
import { electronMissingLine, electronState } from './electron-binary.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const say = (s) => process.stderr.write(`npm start: ${s}\n`);

/** The Electron binary, or why there is none (`line`: what to print when its download is what is missing). */
export function findElectron(root = ROOT, env = process.env) {
  const e = electronState(root, env);
  if (e.state === 'ready') return { bin: e.bin };
  if (e.state === 'absent') return { why: 'the electron package (a devDependency) is not installed' };
  return { why: "Electron's binary is not installed", line: electronMissingLine(e.version) };
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
  const electron = findElectron();
  const choice = chooseFrontDoor({ forceWeb, electron });
  if (choice.mode === 'web' && electron.line && !forceWeb) say(electron.line);
  say(`${choice.mode === 'electron' ? 'desktop app' : 'web mode'} (${choice.why})`);
  ensureRenderer();
  let child;
  if (choice.mode === 'electron') {
    // the same check as `dive`'s: the window never runs an out-of-date build
    if (staleReason(ROOT)) await (await import('../build/bundles.mjs')).buildBundles(undefined, { clean: false });
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
