// `npm run dist`'s one line for a failed download (src-main/shell/dist.mjs describeDistFailure),
// from electron-builder's output as it prints it: which artifact, and the variable or option that
// provides it. test/integration/dist-offline.test.ts runs the real thing for Electron's zip.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';

const { describeDistFailure } = (await import(join(import.meta.dirname, '..', '..', 'src-main', 'shell', 'dist.mjs'))) as {
  describeDistFailure(output: string, o: { version: string; platform?: string; arch?: string }): string | null;
};
const opts = { version: '45.6.1', platform: 'linux', arch: 'x64' };

describe('npm run dist: what could not be fetched', () => {
  it("Electron's release zip", () => {
    const out = [
      '  • packaging       platform=linux arch=x64 electron=45.6.1 appOutDir=release/linux-unpacked',
      '  ⨯ getaddrinfo ENOTFOUND github.com  failedTask=build stackTrace=RequestError: getaddrinfo ENOTFOUND github.com',
      '    at ClientRequest.<anonymous> (/x/node_modules/got/dist/source/core/index.js:970:111)',
    ].join('\n');
    assert.equal(
      describeDistFailure(out, opts),
      "could not download Electron 45.6.1 for linux-x64 (electron-v45.6.1-linux-x64.zip: getaddrinfo ENOTFOUND github.com): set ELECTRON_MIRROR=URL to a mirror of Electron's releases, or unzip that file into a folder and pass -c.electronDist=FOLDER (`npm run dist -- -c.electronDist=FOLDER`)",
    );
  });

  it("a packaging tool from electron-builder-binaries", () => {
    const out = [
      '  • building        target=AppImage arch=x64 file=release/DiVE Workbench-0.1.0-x64.AppImage',
      '  • downloading     url=https://github.com/electron-userland/electron-builder-binaries/releases/download/appimage-12.0.1/appimage-12.0.1.7z size=1.6 MB parts=1',
      '  ⨯ getaddrinfo ENOTFOUND github.com  failedTask=build stackTrace=Error: getaddrinfo ENOTFOUND github.com',
    ].join('\n');
    assert.equal(
      describeDistFailure(out, opts),
      "could not download electron-builder's packaging tool appimage-12.0.1.7z (getaddrinfo ENOTFOUND github.com): set ELECTRON_BUILDER_BINARIES_MIRROR=URL to a mirror of electron-builder-binaries' releases, or put the file in ELECTRON_BUILDER_CACHE",
    );
  });

  it("Electron's headers for the native rebuild", () => {
    const out = ['  • installing native dependencies  arch=x64', '  ⨯ node-gyp failed to rebuild better-sqlite3: getaddrinfo EAI_AGAIN www.electronjs.org  failedTask=build'].join('\n');
    assert.match(describeDistFailure(out, opts)!, /^could not download Electron 45\.6\.1's headers to rebuild better-sqlite3 for Electron \(.*EAI_AGAIN.*\): .*-c\.npmRebuild=false/);
  });

  it('leaves failures that are not downloads to the generic line', () => {
    assert.equal(describeDistFailure('  ⨯ Package "electron" is only allowed in "devDependencies"', opts), null);
    assert.equal(describeDistFailure('  • done', opts), null);
  });
});
