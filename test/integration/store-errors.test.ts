// Failures of the machine, not of the code (issue 13, item 7): each is one line on stderr naming the
// path and what to do, never "internal error", a stack trace, or the contents of a file.
import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, writeFileSync, openSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { describeError } from '../../src-main/core/domain/describe-error';
import { dive, tempDir } from '../helpers/cli';
import { writeImage } from '../helpers/fixtures';

/** A PNG of 100,000 x 100,000 gray pixels by its header, with almost no data. */
function hugePng(): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (b: Buffer) => {
    let c = 0xffffffff;
    for (const x of b) c = crcTable[(c ^ x) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type), data]);
    const sum = Buffer.alloc(4);
    sum.writeUInt32BE(crc(body));
    return Buffer.concat([len, body, sum]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(100_000, 0);
  ihdr.writeUInt32BE(100_000, 4);
  ihdr[8] = 8; // bit depth; colour type 0 (gray)
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(Buffer.alloc(100))), chunk('IEND', Buffer.alloc(0))]);
}

function oneLine(r: { code: number; stderr: string }, re: RegExp): void {
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, re);
  // progress lines ("train: 1/2") may come first; the error is one line, the last
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.filter((l) => l.startsWith('dive:')).length, 1, r.stderr);
  assert.match(lines.at(-1)!, /^dive: /);
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

  it('a database another process holds locked: a command that only reads goes on, saying once that it waited', () => {
    const db = join(t.dir, 'locked.sqlite');
    assert.equal(dive(db, ['datasets']).code, 0);
    const holder = new Database(db);
    holder.exec('BEGIN EXCLUSIVE');
    try {
      // WAL readers are never blocked by a writer; the start-up chores that need the lock wait for the next open
      const r = dive(db, ['datasets', '--json']);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(JSON.parse(r.stdout), []);
      assert.equal(r.stderr, 'waiting for the database, held by another process\n');
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
    // a PNG whose header claims 100,000 x 100,000 pixels (a decompression bomb)
    const big = join(t.dir, 'big');
    await writeImage(join(big, 'a', '0.png'), { color: [0, 200, 0], width: 8, height: 8 });
    mkdirSync(join(big, 'b'));
    writeFileSync(join(big, 'b', 'huge.png'), hugePng());
    oneLine(dive(db, ['import', 'folder', '--name', 'x', '--train', big, '--channels', '1']), /^dive: cannot decode image \S+huge\.png: the image is too large \(over 268 megapixels\); shrink it or leave it out$/m);
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
