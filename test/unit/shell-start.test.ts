// `npm start`'s choice between the desktop app and web mode (src-main/cli/start.mjs).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';

interface Electron {
  bin?: string;
  why?: string;
}
interface Start {
  findElectron(require: (id: string) => unknown): Electron;
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

  it('finds the Electron binary through the electron package, or says why not', () => {
    assert.deepEqual(start.findElectron(() => process.execPath), { bin: process.execPath });
    assert.match(start.findElectron(() => '/nonexistent/electron').why!, /binary is missing/);
    assert.match(
      start.findElectron(() => {
        throw Object.assign(new Error("Cannot find module 'electron'"), { code: 'MODULE_NOT_FOUND' });
      }).why!,
      /not installed/,
    );
    assert.match(
      start.findElectron(() => {
        throw new Error('Electron failed to install correctly, please delete node_modules/electron and try installing again');
      }).why!,
      /binary is missing \(Electron failed to install correctly/,
    );
  });

  it('starts the desktop app only with Electron and a display, web mode otherwise', () => {
    assert.deepEqual(start.chooseFrontDoor({ electron: { bin: '/e' }, display: true }), { mode: 'electron', why: 'Electron and a display are available', bin: '/e' });
    assert.deepEqual(start.chooseFrontDoor({ electron: { bin: '/e' }, display: false }), { mode: 'web', why: 'no display (neither DISPLAY nor WAYLAND_DISPLAY is set)' });
    assert.deepEqual(start.chooseFrontDoor({ electron: { why: 'not installed' }, display: true }), { mode: 'web', why: 'not installed' });
    assert.deepEqual(start.chooseFrontDoor({ forceWeb: true, electron: { bin: '/e' }, display: true }), { mode: 'web', why: '--web' });
  });
});
