// `dive` as a checkout and an installation run it (src-main/cli/dive.mjs), in a copy of the
// checkout whose node_modules links to this one's: the first start builds out/, a later one reuses
// it, a changed source is rebuilt before it runs, and a stale build never runs without a word. A
// broken installation (no build, no esbuild, a package or better-sqlite3's native module missing or
// unloadable) is one line naming the fix, never a stack trace.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { tempDir } from '../helpers/fixtures';

const ROOT = join(import.meta.dirname, '..', '..');

describe('the dive launcher', () => {
  const dir = tempDir();
  const app = join(dir, 'app');
  const modules = join(app, 'node_modules');
  const db = join(dir, 'dive.sqlite');
  const link = (name: string) => symlinkSync(join(ROOT, 'node_modules', name), join(modules, name));
  const dive = (...args: string[]) => {
    const r = spawnSync(process.execPath, [join(app, 'src-main', 'cli', 'dive.mjs'), ...args], { encoding: 'utf8', env: { ...process.env, DIVE_DB: db, DIVE_DATA_DIR: undefined } });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  /** Exit 1 and exactly one line on stderr, no stack frames. */
  const oneLine = (r: { code: number | null; stderr: string }) => {
    assert.equal(r.code, 1, r.stderr);
    const lines = r.stderr.trimEnd().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
    return lines[0];
  };
  const edit = (file: string, from: string, to: string) => {
    const p = join(app, file);
    const text = readFileSync(p, 'utf8');
    assert.ok(text.includes(from), `${file} holds ${from}`);
    writeFileSync(p, text.replace(from, to));
  };

  before(() => {
    for (const f of ['src-main', 'db', 'package.json']) cpSync(join(ROOT, f), join(app, f), { recursive: true });
    mkdirSync(modules);
    for (const e of readdirSync(join(ROOT, 'node_modules'))) if (e !== '.bin') link(e);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('builds on first start, reuses the build, and rebuilds a changed source before running it', () => {
    const first = dive('--help');
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /^Usage: dive/);
    const stamp = join(app, 'out', 'build-stamp.json');
    const built = statSync(stamp).mtimeMs;
    assert.equal(dive('runs', '--json').stdout.trim(), '[]');
    assert.equal(statSync(stamp).mtimeMs, built, 'a current build is not rebuilt');
    edit('src-main/cli/main.ts', "description('DiVE Workbench:", "description('DiVE Workbench (edited):");
    const after = dive('--help');
    assert.equal(after.code, 0, after.stderr);
    assert.match(after.stdout, /DiVE Workbench \(edited\):/, 'the edit is what runs');
    assert.equal(after.stderr, '', 'a rebuild off a terminal is silent: its output is the fresh build');
  });

  it('says which package is missing, or which native module does not load, and the command that fixes it', () => {
    unlinkSync(join(modules, 'better-sqlite3'));
    assert.equal(oneLine(dive('runs')), `dive: the package better-sqlite3 is not installed (an unfinished npm install?): run \`npm install\` in ${app}`);
    // better-sqlite3 whose compiled module is not a loadable library, then missing (an install killed before node-gyp finished)
    const pkg = join(modules, 'better-sqlite3');
    mkdirSync(join(pkg, 'build', 'Release'), { recursive: true });
    for (const f of ['package.json', 'lib']) cpSync(join(ROOT, 'node_modules', 'better-sqlite3', f), join(pkg, f), { recursive: true });
    writeFileSync(join(pkg, 'build', 'Release', 'better_sqlite3.node'), 'not a shared library');
    assert.match(oneLine(dive('runs')), new RegExp(`^dive: better-sqlite3 cannot be loaded \\(its \\.node file: .+\\): run \`npm rebuild better-sqlite3\` in ${app}$`));
    rmSync(join(pkg, 'build'), { recursive: true });
    assert.equal(oneLine(dive('runs')), `dive: better-sqlite3 has no compiled native module (its install did not finish): run \`npm rebuild better-sqlite3\` in ${app}`);
    rmSync(pkg, { recursive: true });
    link('better-sqlite3');
    assert.equal(dive('runs', '--json').code, 0);
  });

  it('without esbuild, runs an out-of-date build only with a line that says so, and refuses when there is no build', () => {
    unlinkSync(join(modules, 'esbuild'));
    edit('src-main/cli/main.ts', '(edited)', '(edited twice)');
    const stale = dive('--help');
    assert.equal(stale.code, 0, stale.stderr);
    assert.match(stale.stdout, /DiVE Workbench \(edited\):/);
    assert.equal(
      stale.stderr,
      `dive: running an out-of-date build (src-main/cli/main.ts changed since the last build); esbuild (a devDependency) is not installed: run \`npm install\` in ${app} to rebuild\n`,
    );
    rmSync(join(app, 'out'), { recursive: true });
    assert.equal(oneLine(dive('--help')), `dive: this checkout has no build of the CLI and esbuild (a devDependency) is not installed: run \`npm install\` in ${app}`);
    link('esbuild');
  });

  it('installed without sources (the npm package), runs the build it shipped with, and names a missing one', () => {
    assert.equal(dive('--help').code, 0);
    rmSync(join(app, 'src-main', 'cli', 'main.ts'));
    const shipped = dive('runs', '--json');
    assert.equal(shipped.code, 0, shipped.stderr);
    assert.equal(shipped.stderr, '');
    rmSync(join(app, 'out', 'cli', 'dive.mjs'));
    assert.equal(oneLine(dive('--help')), `dive: this installation is incomplete (${join(app, 'out', 'cli', 'dive.mjs')} is missing): install dive-workbench again`);
  });
});
