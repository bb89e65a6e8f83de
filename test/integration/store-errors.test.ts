// Failures of the machine, not of the code (issue 13, item 7): each is one line on stderr naming the
// path and what to do, never "internal error", a stack trace, or the contents of a file.
import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, writeFileSync, openSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { describeError } from '../../src-main/core/api/errors';
import { dive, tempDir } from '../helpers/cli';
import { writeImage } from '../helpers/fixtures';

function oneLine(r: { code: number; stderr: string }, re: RegExp): void {
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, re);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.doesNotMatch(r.stderr, /internal error|\n\s+at /);
}

describe('machine failures as one line', () => {
  const t = tempDir();
  after(() => t.cleanup());

  it('a file that is not SQLite, never quoting it', () => {
    const db = join(t.dir, 'shadow');
    writeFileSync(db, 'root:*:20228:0:99999:7:::\n');
    const r = dive(db, ['datasets']);
    oneLine(r, /^dive: database \S+shadow: this file is not a DiVE Workbench database; pass another --db or move the file away$/m);
    assert.doesNotMatch(r.stderr, /root:/);
  });

  it('a malformed database', () => {
    const db = join(t.dir, 'bad.sqlite');
    assert.equal(dive(db, ['datasets']).code, 0);
    const fd = openSync(db, 'r+');
    writeSync(fd, Buffer.alloc(3900, 7), 0, 3900, 100); // page 1 (the schema) after the header
    closeSync(fd);
    oneLine(dive(db, ['datasets']), /database \S+bad\.sqlite is damaged \(malformed\); restore it from a backup/);
  });

  it('a database another process holds locked', () => {
    const db = join(t.dir, 'locked.sqlite');
    assert.equal(dive(db, ['datasets']).code, 0);
    const holder = new Database(db);
    holder.exec('BEGIN EXCLUSIVE');
    try {
      oneLine(dive(db, ['datasets']), /database \S+locked\.sqlite is busy \(another DiVE Workbench process is writing\); retry in a moment/);
    } finally {
      holder.exec('ROLLBACK');
      holder.close();
    }
  });

  it('a dangling symbolic link, a symbolic-link loop and an oversized image in a folder import', async () => {
    const db = join(t.dir, 'f.sqlite');
    const root = join(t.dir, 'imgs');
    for (const c of ['a', 'b']) await writeImage(join(root, c, '0.png'), { color: [200, 0, 0], width: 8, height: 8 });
    symlinkSync(join(t.dir, 'nothing-here.png'), join(root, 'b', 'dangling.png'));
    oneLine(dive(db, ['import', 'folder', '--name', 'x', '--train', root]), /^dive: \S+dangling\.png: not found \(or a symbolic link to nothing\)$/m);
    const loops = join(t.dir, 'loops');
    mkdirSync(join(loops, 'a'), { recursive: true });
    await writeImage(join(loops, 'a', '0.png'), { color: [0, 0, 200], width: 8, height: 8 });
    symlinkSync('l2', join(loops, 'l1'));
    symlinkSync('l1', join(loops, 'l2'));
    oneLine(dive(db, ['import', 'folder', '--name', 'x', '--train', loops]), /^dive: \S+l1: symbolic links loop; fix or remove the link$/m);
  });

  it('disk full and permission errors name the path', () => {
    const err = (code: string) => Object.assign(new Error(`${code}: raw text, write '/data/x'`), { code, path: '/data/x' });
    assert.equal(describeError(err('ENOSPC')), '/data/x: disk full; free some space and retry');
    assert.equal(describeError(err('EACCES')), '/data/x: permission denied; make it readable/writable for this user and retry');
    assert.equal(describeError(err('EROFS')), '/data/x: read-only file system; use a writable data folder');
    const ro = Object.assign(new Error('attempt to write a readonly database'), { code: 'SQLITE_READONLY' });
    assert.equal(describeError(ro, '/d/dive.sqlite'), 'database /d/dive.sqlite is read-only; make it and its folder writable for this user');
    assert.equal(describeError(Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' })), 'the database: disk full; free some space and retry');
  });
});
