// `npm start`'s choice between the desktop app and web mode (src-main/cli/start.mjs).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/fixtures';

interface Electron {
  bin?: string;
  why?: string;
  line?: string;
}
interface Start {
  findElectron(root: string, env: Record<string, string | undefined>): Electron;
  hasDisplay(platform: string, env: Record<string, string | undefined>): boolean;
  chooseFrontDoor(o: { forceWeb?: boolean; electron: Electron; display: boolean }): { mode: 'electron' | 'web'; why: string; bin?: string };
}

const START = join(import.meta.dirname, '..', '..', 'src-main', 'cli', 'start.mjs');
const start = (await import(START)) as Start;

describe('npm start', () => {
  it('needs a display on Linux only', () => {
    assert.equal(start.hasDisplay('linux', {}), false);
    assert.equal(start.hasDisplay('linux', { DISPLAY: ':0' }), true);
    assert.equal(start.hasDisplay('linux', { WAYLAND_DISPLAY: 'wayland-0' }), true);
    assert.equal(start.hasDisplay('darwin', {}), true);
    assert.equal(start.hasDisplay('win32', {}), true);
  });

  it('finds the Electron binary as the electron package does, or says why not and how to get it', () => {
    const root = tempDir();
    writeFileSync(join(root, 'package.json'), '{"name":"app"}');
    assert.deepEqual(start.findElectron(root, {}), { why: 'the electron package (a devDependency) is not installed' });
    // the package without its binary: what npm leaves since Electron 42 until install-electron has run
    const pkg = join(root, 'node_modules', 'electron');
    mkdirSync(pkg, { recursive: true });
    writeFileSync(join(pkg, 'package.json'), '{"name":"electron","version":"45.6.1","main":"index.js"}');
    const missing = start.findElectron(root, {});
    assert.equal(missing.bin, undefined);
    assert.equal(missing.why, "Electron's binary is not installed");
    assert.match(missing.line!, /^Electron's binary is not installed: the desktop app needs it and `npm start` opens the web mode instead; get it with `npx --no install-electron`/);
    assert.match(missing.line!, new RegExp(`electron-v45\\.6\\.1-${process.platform}-${process.arch}\\.zip`));
    // path.txt names the executable under dist/
    writeFileSync(join(pkg, 'path.txt'), 'electron');
    assert.equal(start.findElectron(root, {}).bin, undefined, 'path.txt alone is not a binary');
    mkdirSync(join(pkg, 'dist'));
    writeFileSync(join(pkg, 'dist', 'electron'), '#!/bin/sh\n');
    chmodSync(join(pkg, 'dist', 'electron'), 0o755);
    assert.deepEqual(start.findElectron(root, {}), { bin: join(pkg, 'dist', 'electron') });
    // ELECTRON_OVERRIDE_DIST_PATH: an unpacked release elsewhere, as the electron package honours it
    const elsewhere = join(root, 'unzipped');
    mkdirSync(elsewhere);
    assert.match(start.findElectron(root, { ELECTRON_OVERRIDE_DIST_PATH: elsewhere }).why!, /not installed/);
    writeFileSync(join(elsewhere, 'electron'), '');
    assert.deepEqual(start.findElectron(root, { ELECTRON_OVERRIDE_DIST_PATH: elsewhere }), { bin: join(elsewhere, 'electron') });
    rmSync(root, { recursive: true, force: true });
  });

  it('starts the desktop app only with Electron and a display, web mode otherwise', () => {
    assert.deepEqual(start.chooseFrontDoor({ electron: { bin: '/e' }, display: true }), { mode: 'electron', why: 'Electron and a display are available', bin: '/e' });
    assert.deepEqual(start.chooseFrontDoor({ electron: { bin: '/e' }, display: false }), { mode: 'web', why: 'no display (neither DISPLAY nor WAYLAND_DISPLAY is set)' });
    assert.deepEqual(start.chooseFrontDoor({ electron: { why: 'not installed' }, display: true }), { mode: 'web', why: 'not installed' });
    assert.deepEqual(start.chooseFrontDoor({ forceWeb: true, electron: { bin: '/e' }, display: true }), { mode: 'web', why: '--web' });
  });
});
