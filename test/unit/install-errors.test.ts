// A broken installation as one line naming the fix (src-main/core/domain/install-errors.ts), from
// the errors Node raises: the messages below are Node 20's own wording for each case.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeError } from '../../src-main/core/domain/describe-error';
import { describeInstallError, installRoot, packageOfPath } from '../../src-main/core/domain/install-errors';

const err = (code: string, message: string) => Object.assign(new Error(message), { code });

describe('install errors', () => {
  it('finds the installation and the package in a path', () => {
    assert.equal(installRoot('/home/u/dive/node_modules/better-sqlite3/build/Release/better_sqlite3.node'), '/home/u/dive');
    assert.equal(installRoot('/usr/lib/node_modules/dive-workbench/out/chunks/main-X.mjs'), '/usr/lib/node_modules/dive-workbench');
    assert.equal(packageOfPath('/a/node_modules/better-sqlite3/build/Release/better_sqlite3.node'), 'better-sqlite3');
    assert.equal(packageOfPath('/a/node_modules/@img/sharp-linux-x64/lib/sharp.node'), '@img/sharp-linux-x64');
    assert.equal(packageOfPath('/a/node_modules/x/node_modules/y/z.node'), 'y');
    assert.equal(packageOfPath('/a/b/c.node'), undefined);
  });

  it('better-sqlite3 compiled for another Node.js: the module versions and `npm rebuild better-sqlite3` where it is installed', () => {
    const e = err(
      'ERR_DLOPEN_FAILED',
      "The module '/opt/dive/node_modules/better-sqlite3/build/Release/better_sqlite3.node'\nwas compiled against a different Node.js version using\nNODE_MODULE_VERSION 127. This version of Node.js requires\nNODE_MODULE_VERSION 115. Please try re-compiling or re-installing\nthe module (for instance, using `npm rebuild` or `npm install`).",
    );
    assert.equal(describeInstallError(e), 'better-sqlite3 was compiled for another Node.js (module version 127; this Node.js needs 115): run `npm rebuild better-sqlite3` in /opt/dive');
    assert.equal(describeError(e), describeInstallError(e));
  });

  it('a native module that does not load at all', () => {
    const e = err('ERR_DLOPEN_FAILED', '/opt/dive/node_modules/better-sqlite3/build/Release/better_sqlite3.node: invalid ELF header');
    assert.equal(describeInstallError(e), 'better-sqlite3 cannot be loaded (its .node file: invalid ELF header): run `npm rebuild better-sqlite3` in /opt/dive');
  });

  it("better-sqlite3 without its compiled module (bindings' message lists where it looked)", () => {
    const e = new Error(
      'Could not locate the bindings file. Tried:\n → /opt/dive/node_modules/better-sqlite3/build/better_sqlite3.node\n → /opt/dive/node_modules/better-sqlite3/build/Debug/better_sqlite3.node',
    );
    assert.equal(describeInstallError(e), 'better-sqlite3 has no compiled native module (its install did not finish): run `npm rebuild better-sqlite3` in /opt/dive');
  });

  it('a package missing from the installation, as ESM and as CommonJS report it', () => {
    const esm = err('ERR_MODULE_NOT_FOUND', "Cannot find package 'better-sqlite3' imported from /opt/dive/out/chunks/chunk-ABC.mjs");
    assert.equal(describeInstallError(esm), 'the package better-sqlite3 is not installed (an unfinished npm install?): run `npm install` in /opt/dive');
    const cjs = err('MODULE_NOT_FOUND', "Cannot find module '@img/sharp-linux-x64/sharp.node'\nRequire stack:\n- /opt/dive/node_modules/sharp/lib/sharp.js");
    assert.equal(describeInstallError(cjs), 'the package @img/sharp-linux-x64 is not installed (an unfinished npm install?): run `npm install` in /opt/dive');
  });

  it('leaves other errors to the other descriptions', () => {
    assert.equal(describeInstallError(err('ERR_MODULE_NOT_FOUND', "Cannot find module '/x/y.mjs' imported from /x/z.mjs")), null);
    assert.equal(describeInstallError(err('ENOENT', 'no such file')), null);
    assert.equal(describeInstallError(new Error('boom')), null);
  });
});
