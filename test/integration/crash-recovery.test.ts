// Nothing lost, nothing leaked (issue 13, items 1 and 3; issue 22's trash): the real CLI is
// SIGKILLed at the worst step of an import, a delete, a restore and an emptying of the trash
// (DIVE_KILL_AT), then the next command finds files and rows in agreement, and `dive doctor`
// checks every row against its file and every file against a row.
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { dive, tempDir } from '../helpers/cli';
import { writeIdxDataset } from '../helpers/fixtures';

describe('crash recovery through the CLI', () => {
  const t = tempDir();
  const db = join(t.dir, 'dive.sqlite');
  const data = join(t.dir, 'data');
  let idx: ReturnType<typeof writeIdxDataset>;
  const importArgs = (name: string) => ['import', 'idx', '--name', name, '--train-images', idx.trainImages, '--train-labels', idx.trainLabels, '--test-images', idx.testImages, '--test-labels', idx.testLabels];
  const rows = (sql: string) => {
    const raw = new Database(db, { readonly: true });
    try {
      return raw.prepare(sql).pluck().all();
    } finally {
      raw.close();
    }
  };
  const ls = (rel: string) => (existsSync(join(data, rel)) ? readdirSync(join(data, rel)) : []);
  before(() => {
    idx = writeIdxDataset(join(t.dir, 'idx'), { trainLabels: [0, 0, 0, 1, 1, 2], testLabels: [0, 1, 2] });
  });
  after(() => t.cleanup());

  it('an import killed after moving its files but before its commit leaves an orphan that the next open removes', () => {
    const r = dive(db, importArgs('a'), { DIVE_KILL_AT: 'import-after-move' });
    assert.equal(r.code, -1, 'killed by SIGKILL');
    assert.deepEqual(rows('SELECT name FROM datasets'), []);
    assert.equal(ls('datasets').length, 1, 'the orphan folder the crash left');
    const list = dive(db, ['datasets', '--json']);
    assert.equal(list.code, 0, list.stderr);
    assert.deepEqual(ls('datasets'), []);
    assert.deepEqual(ls('trash'), []);
  });

  it('a delete killed half-way through moving rows into the trash leaves the dataset where it was', () => {
    assert.equal(dive(db, importArgs('b')).code, 0);
    const r = dive(db, ['delete', 'dataset', 'b'], { DIVE_KILL_AT: 'trash-move-before-commit' });
    assert.equal(r.code, -1);
    assert.deepEqual(rows('SELECT name FROM datasets'), ['b']);
    assert.deepEqual(rows('SELECT COUNT(*) FROM trash'), [0]);
    const doc = dive(db, ['doctor', '--json']);
    assert.equal(doc.code, 0, doc.stdout + doc.stderr);
    assert.deepEqual((doc.json() as { problems: unknown[] }).problems, []);
  });

  it('a restore killed half-way leaves the entry whole in the trash; run again, it restores', () => {
    const folder = ls('datasets');
    assert.equal(dive(db, ['delete', 'dataset', 'b']).code, 0);
    assert.deepEqual(rows('SELECT name FROM datasets WHERE trash_id IS NULL'), []);
    assert.deepEqual(ls('datasets'), folder, 'a delete moves no file');
    const r = dive(db, ['trash', 'restore', 'b'], { DIVE_KILL_AT: 'trash-restore-mid' });
    assert.equal(r.code, -1);
    assert.deepEqual(rows('SELECT trashed_name FROM datasets WHERE trash_id IS NOT NULL'), ['b']);
    assert.deepEqual(rows('SELECT name FROM trash'), ['b']);
    const doc = dive(db, ['doctor', '--json']);
    assert.equal(doc.code, 0, doc.stdout + doc.stderr);
    assert.deepEqual((doc.json() as { problems: unknown[]; trash: { entries: number } }).trash.entries, 1);
    assert.equal(dive(db, ['trash', 'restore', 'b']).code, 0);
    assert.deepEqual(rows('SELECT name FROM datasets'), ['b']);
    assert.deepEqual(rows('SELECT COUNT(*) FROM trash'), [0]);
  });

  it('an emptying killed before its commit keeps the entry and its files (moved back at the next open)', () => {
    const folder = ls('datasets');
    assert.equal(dive(db, ['delete', 'dataset', 'b']).code, 0);
    const r = dive(db, ['trash', 'empty'], { DIVE_KILL_AT: 'trash-empty-before-commit' });
    assert.equal(r.code, -1);
    assert.deepEqual(rows('SELECT trashed_name FROM datasets'), ['b']);
    assert.deepEqual(ls('datasets'), [], 'the folder waits in data/trash');
    const doc = dive(db, ['doctor', '--json']);
    assert.equal(doc.code, 0, doc.stdout + doc.stderr);
    const report = doc.json() as { blobsChecked: number; problems: { kind: string }[] };
    assert.equal(report.blobsChecked, 2);
    assert.deepEqual(report.problems.map((p) => p.kind), ['recovered-at-open']);
    assert.deepEqual(ls('datasets'), folder);
    assert.deepEqual(ls('trash'), []);
    assert.deepEqual((dive(db, ['trash', 'list', '--json']).json() as { name: string }[]).map((e) => e.name), ['b']);
  });

  it('an emptying killed after its commit leaves only folders in data/trash, removed at the next open', () => {
    const r = dive(db, ['trash', 'empty'], { DIVE_KILL_AT: 'trash-empty-after-commit' });
    assert.equal(r.code, -1);
    assert.deepEqual(rows('SELECT name FROM datasets'), []);
    assert.deepEqual(rows('SELECT COUNT(*) FROM trash'), [0]);
    assert.equal(ls('trash').length, 1);
    assert.equal(dive(db, ['datasets']).code, 0);
    assert.deepEqual(ls('trash'), []);
    assert.deepEqual(ls('datasets'), []);
  });

  it('dive doctor finds damaged, missing and stray files and fixes what it safely can', () => {
    assert.equal(dive(db, importArgs('c')).code, 0);
    const [folder] = ls('datasets');
    const dir = join(data, 'datasets', folder);
    appendFileSync(join(dir, 'train-pixels.u8'), Buffer.from([1]));
    writeFileSync(join(dir, 'checkpoint.bin.tmp-123'), 'half');
    writeFileSync(join(dir, 'test-pixels.u8'), Buffer.alloc(36, 7)); // same size, other bytes
    const check = dive(db, ['doctor']);
    assert.equal(check.code, 1);
    assert.match(check.stdout, /PROBLEM corrupt-file: \S+train-pixels\.u8: pixels file of dataset "c" has 73 bytes, expected 72; delete and re-import dataset "c"/);
    assert.match(check.stdout, /PROBLEM corrupt-file: \S+test-pixels\.u8: pixels file of dataset "c" fails its checksum/);
    assert.match(check.stdout, /PROBLEM stray-file: \S+checkpoint\.bin\.tmp-123/);
    const fixed = dive(db, ['doctor', '--fix', '--json']);
    const report = fixed.json() as { unresolved: number; problems: { kind: string; fixed: boolean }[] };
    assert.deepEqual(report.problems.map((p) => [p.kind, p.fixed]), [['corrupt-file', false], ['corrupt-file', false], ['stray-file', true]]);
    assert.equal(report.unresolved, 2);
    assert.equal(fixed.code, 1);
    assert.equal(existsSync(join(dir, 'checkpoint.bin.tmp-123')), false);
  });
});
