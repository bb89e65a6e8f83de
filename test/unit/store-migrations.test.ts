import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadMigrations, migrate, openDatabase, type DB } from '../../src-main/core/store/db';

const root = mkdtempSync(join(tmpdir(), 'dive-test-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const freshPath = () => join(root, `db-${n++}`, 'dive.sqlite');

const ALL = loadMigrations();
const version = (db: DB) => db.pragma('user_version', { simple: true }) as number;
const tables = (db: DB) =>
  (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map((r) => r.name);
const addBlob = (db: DB, path: string) => db.prepare("INSERT INTO blobs (path, bytes, sha256, kind) VALUES (?, 1, 'x', 'pixels')").run(path);
const blobPaths = (db: DB) => (db.prepare('SELECT path FROM blobs ORDER BY id').all() as { path: string }[]).map((r) => r.path);

test('the shipped migrations are numbered 001.. without gaps', () => {
  assert.ok(ALL.length >= 2);
  ALL.forEach((m, i) => assert.equal(m.version, i + 1, m.name));
  assert.match(ALL[0].name, /^001_/);
});

test('opening a new file applies every migration and sets user_version', () => {
  const db = openDatabase(freshPath());
  assert.equal(version(db), ALL.length);
  for (const t of ['blobs', 'datasets', 'dataset_parts', 'classes', 'splits', 'split_classes', 'split_samples', 'runs']) {
    assert.ok(tables(db).includes(t), t);
  }
  db.close();
});

test('WAL and foreign keys are on, and foreign keys are enforced', () => {
  const db = openDatabase(freshPath());
  assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
  assert.equal(db.pragma('foreign_keys', { simple: true }), 1);
  assert.throws(
    () => db.prepare("INSERT INTO split_samples (split_id, indices) VALUES (12345, x'00')").run(),
    (e: unknown) => (e as { code?: string }).code === 'SQLITE_CONSTRAINT_FOREIGNKEY',
  );
  db.close();
});

test('reopening an up-to-date database changes nothing and keeps the data', () => {
  const path = freshPath();
  let db = openDatabase(path);
  addBlob(db, 'a.u8');
  const schema = db.prepare('SELECT sql FROM sqlite_master ORDER BY name').all();
  db.close();
  db = openDatabase(path);
  assert.equal(version(db), ALL.length);
  assert.deepEqual(blobPaths(db), ['a.u8']);
  assert.deepEqual(db.prepare('SELECT sql FROM sqlite_master ORDER BY name').all(), schema);
  assert.equal(migrate(db), ALL.length); // and again by hand: a no-op
  assert.deepEqual(blobPaths(db), ['a.u8']);
  db.close();
});

test('a database left at an older version is upgraded on open, keeping its data', () => {
  const path = freshPath();
  mkdirSync(join(path, '..'), { recursive: true });
  let db: DB = new Database(path);
  migrate(db, ALL.slice(0, 1));
  assert.equal(version(db), 1);
  assert.ok(!tables(db).includes('runs'));
  addBlob(db, 'old.u8');
  db.close();

  db = openDatabase(path);
  assert.equal(version(db), ALL.length);
  assert.ok(tables(db).includes('runs'));
  assert.deepEqual(blobPaths(db), ['old.u8']);
  db.close();
});

test('a database from a newer build is refused with a clear error and left as it was', () => {
  const path = freshPath();
  const db = openDatabase(path);
  db.pragma(`user_version = ${ALL.length + 3}`);
  db.close();
  assert.throws(
    () => openDatabase(path),
    new RegExp(`database .*dive\\.sqlite has schema version ${ALL.length + 3}, newer than this build knows \\(${ALL.length}\\); update DiVE Workbench`),
  );
  const raw = new Database(path, { readonly: true });
  assert.equal(version(raw), ALL.length + 3);
  raw.close();
});

test('a migration that fails is rolled back whole; the earlier ones stay', () => {
  const dir = join(root, 'bad-migrations');
  mkdirSync(dir);
  writeFileSync(join(dir, '001_one.sql'), 'CREATE TABLE one (x INTEGER);');
  writeFileSync(join(dir, '002_two.sql'), 'CREATE TABLE two (x INTEGER);\nTHIS IS NOT SQL;');
  const path = freshPath();
  assert.throws(() => openDatabase(path, loadMigrations(dir)), /syntax error/);
  const raw = new Database(path);
  assert.equal(version(raw), 1);
  assert.deepEqual(tables(raw), ['one']);
  raw.close();
});

test('a gap in the migration numbers is refused', () => {
  const dir = join(root, 'gap-migrations');
  mkdirSync(dir);
  writeFileSync(join(dir, '001_one.sql'), 'SELECT 1;');
  writeFileSync(join(dir, '003_three.sql'), 'SELECT 1;');
  assert.throws(() => loadMigrations(dir), /migration 003_three\.sql is out of sequence: expected 002_\*\.sql/);
});
