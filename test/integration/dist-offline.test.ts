// `npm run dist` where Electron's release cannot be downloaded (here: ELECTRON_MIRROR points at a
// port nothing listens on, and the download caches are empty, so the result is the same online or
// off): electron-builder's progress, then one line naming what it could not fetch and how to
// provide it, never a stack trace; exit code 1. Run in a copy of the checkout: `npm run dist`
// builds out/ first. The rebuild of native modules is off (-c.npmRebuild=false): with network it
// would rebuild better-sqlite3 for Electron in the node_modules this copy shares.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { copyCheckout } from '../helpers/checkout-copy';
import { tempDir } from '../helpers/fixtures';

/** A loopback port that refuses connections (bound, then released). */
async function refusingPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

describe('npm run dist without network', () => {
  const dir = tempDir();
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("says in one line that Electron's release could not be fetched and how to provide it", async () => {
    const copy = copyCheckout(join(dir, 'checkout'));
    const mirror = `http://127.0.0.1:${await refusingPort()}/`;
    const r = spawnSync(process.execPath, [join(copy, 'src-main', 'shell', 'dist.mjs'), '--linux', 'dir', '-c.npmRebuild=false'], {
      cwd: copy,
      encoding: 'utf8',
      timeout: 600_000,
      env: { ...process.env, ELECTRON_MIRROR: mirror, XDG_CACHE_HOME: join(dir, 'cache'), ELECTRON_BUILDER_CACHE: join(dir, 'cache', 'electron-builder'), LOCALAPPDATA: join(dir, 'cache') },
    });
    assert.equal(r.status, 1, r.stdout + r.stderr);
    const version = (JSON.parse(spawnSync(process.execPath, ['-p', "JSON.stringify(require('electron/package.json'))"], { cwd: copy, encoding: 'utf8' }).stdout) as { version: string }).version;
    const last = r.stderr.trimEnd().split('\n').at(-1)!;
    console.log(last);
    assert.match(
      last,
      new RegExp(
        `^npm run dist: could not download Electron ${version.replace(/\./g, '\\.')} for ${process.platform}-${process.arch} \\(electron-v${version.replace(/\./g, '\\.')}-${process.platform}-${process.arch}\\.zip: .*ECONNREFUSED.*\\): ` +
          'set ELECTRON_MIRROR=URL to a mirror of Electron\'s releases, or unzip that file into a folder and pass -c.electronDist=FOLDER .*\\(full output: .*release/dist\\.log\\)$',
      ),
    );
    assert.doesNotMatch(r.stdout + r.stderr, /\n\s+at /, 'no stack trace');
    assert.match(r.stdout, /• packaging\s+platform=linux/, "electron-builder's progress is shown");
    assert.ok(existsSync(join(copy, 'out', 'main', 'index.mjs')) && existsSync(join(copy, 'out', 'renderer', 'index.html')), 'npm run dist built out/ first');
  });
});
