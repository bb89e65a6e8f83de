// Every run owns its folder and its files (issue 23, item 1). Run folders used to be named by the
// first 40 characters of the run name and the millisecond, so runs of a study created in the same
// millisecond shared one folder, and replaceBlob reused the blob row whose path matched: three runs
// ended with one weights file. Folders are now named by the run id, the database refuses a blob
// row or a folder shared by two runs, stores written before this still open, `dive doctor` names
// runs that share a file, and deleting them works.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, it, mock } from 'node:test';
import { createService } from '../../src-main/core/app/service';
import { TrainRequestSchema } from '../../src-main/core/domain/run-requests';
import { commitDataset } from '../../src-main/core/store/datasets';
import { loadMigrations, openDatabase } from '../../src-main/core/store/db';
import { trashObject } from '../../src-main/core/store/deletes';
import { emptyTrashEntries } from '../../src-main/core/store/trash-empty';
import { runDoctor } from '../../src-main/core/store/doctor';
import { RecordWriter, Staging } from '../../src-main/core/store/files';
import { getRun, markCompleted, markStarted, requestCancel, requeueForResume, runDir, runFilePath } from '../../src-main/core/store/runs';
import { openStore, type Store } from '../../src-main/core/store/store';
import { writeFileAtomic } from '../../src-main/core/train/checkpoint';
import { tempDir } from '../helpers/fixtures';

const REPORT = { name: 'cpu', device: 'cpu' as const, threads: 1, reasons: [] };
const METRICS = { top1: 0.5, ece: 0.1, many: 0.5, medium: null, few: 0.5, perClass: [1, 0] };
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

let dir: string;
beforeEach(() => (dir = tempDir('dive-runfiles-')));
afterEach(() => mock.restoreAll());

function withData(store: Store): ReturnType<typeof createService> {
  const svc = createService(store);
  const staging = new Staging(store.dataDir);
  const part = (labels: number[], file: string) => {
    const w = new RecordWriter(staging.path(file), 4);
    w.append(new Uint8Array(labels.length * 4));
    return { pixels: w.close(), labels: Int32Array.from(labels) };
  };
  commitDataset(store, 'd', staging, { format: 'folder', source: {}, imageShape: [2, 2, 1], classNames: ['a', 'b'], train: part([0, 0, 0, 1], 'train.u8'), test: part([0, 1], 'test.u8') });
  svc.createSplit({ dataset: 'd', name: 's', ratio: 3, maxPerClass: 3 });
  return svc;
}
const create = (svc: ReturnType<typeof createService>, name: string) => svc.createRun(TrainRequestSchema.parse({ split: 's', name, config: { method: 'ce', model: 'mlp', epochs: 1 } })).id;

function complete(store: Store, id: number, bytes: Buffer): void {
  markStarted(store, id, REPORT, process.pid);
  const d = runDir(store, id);
  mkdirSync(d, { recursive: true });
  markCompleted(store, id, { metrics: METRICS, imagesPerSecond: 1, weights: writeFileAtomic(join(d, 'weights.bin'), [bytes]) });
}

it('runs created in the same millisecond with names alike in 40 characters each keep their own folder and weights', () => {
  const store = openStore({ db: join(dir, 'dive.sqlite'), dataDir: join(dir, 'data') });
  try {
    const svc = withData(store);
    mock.method(Date, 'now', () => 1_700_000_000_000);
    const prefix = 'a-study-name-of-forty-two-characters-xy';
    const ids = ['s1', 's2', 's3', 's4'].map((s) => create(svc, `${prefix}-${s}`));
    mock.restoreAll();
    const dirs = ids.map((id) => runDir(store, id));
    assert.equal(new Set(dirs).size, 4, dirs.join('\n'));
    ids.forEach((id, i) => complete(store, id, Buffer.from(`weights of run ${i}`)));
    const blobs = ids.map((id) => store.db.prepare('SELECT weights_blob FROM runs WHERE id = ?').pluck().get(id));
    assert.equal(new Set(blobs).size, 4, 'one weights row per run');
    ids.forEach((id, i) => {
      const path = runFilePath(store, id, 'weights')!;
      assert.equal(readFileSync(path, 'utf8'), `weights of run ${i}`);
      assert.equal(store.db.prepare('SELECT b.sha256 FROM runs r JOIN blobs b ON b.id = r.weights_blob WHERE r.id = ?').pluck().get(id), sha(Buffer.from(`weights of run ${i}`)));
      assert.match(runDir(store, id), new RegExp(`runs[\\\\/]${id}-[0-9a-f]{8}$`), 'named by the run id');
    });
  } finally {
    store.close();
  }
});

it('the database refuses a blob row or a folder shared by two runs', () => {
  const store = openStore({ db: join(dir, 'dive.sqlite'), dataDir: join(dir, 'data') });
  try {
    const svc = withData(store);
    const a = create(svc, 'a');
    const b = create(svc, 'b');
    complete(store, a, Buffer.from('a'));
    const share = (col: string, from: number, to: number) => () => store.db.prepare(`UPDATE runs SET ${col} = (SELECT ${col} FROM runs WHERE id = ?) WHERE id = ?`).run(from, to);
    assert.throws(share('weights_blob', a, b), /belongs to another run/);
    assert.throws(() => store.db.prepare('UPDATE runs SET checkpoint_blob = weights_blob WHERE id = ?').run(a), /belongs to another run|one file/);
    // the initial weights of --init-weights (db/012_weights_in.sql) are a run's own file too
    assert.throws(() => store.db.prepare('UPDATE runs SET init_blob = (SELECT weights_blob FROM runs WHERE id = ?) WHERE id = ?').run(a, b), /belongs to another run/);
    assert.throws(() => store.db.prepare('UPDATE runs SET init_blob = weights_blob WHERE id = ?').run(a), /belongs to another run/);
    assert.throws(share('dir', a, b), /folder of another run/);
    assert.equal(getRun(store, b).status, 'queued');
  } finally {
    store.close();
  }
});

it('a store whose runs already share a file opens; doctor names them, --fix reports them, deletes work and keep the others\' file', async () => {
  const ALL = loadMigrations();
  const before = ALL.findIndex((m) => /_run_ownership\.sql$/.test(m.name));
  assert.ok(before > 0, 'the ownership migration ships');
  const dbPath = join(dir, 'dive.sqlite');
  const dataDir = join(dir, 'data');
  // a store as the versions before it wrote one: three runs of one folder and one weights row
  const db = openDatabase(dbPath, ALL.slice(0, before));
  const old: Store = { dbPath, dataDir, db, close: () => db.close() };
  const svc = withData(old);
  const ids = ['x1', 'x2', 'x3', 'queued'].map((n) => create(svc, n));
  mkdirSync(join(dataDir, 'runs', 'shared-1'), { recursive: true });
  writeFileSync(join(dataDir, 'runs', 'shared-1', 'weights.bin'), 'last writer');
  const blob = Number(db.prepare(`INSERT INTO blobs (path, bytes, sha256, kind) VALUES ('runs/shared-1/weights.bin', 11, ?, 'weights')`).run(sha(Buffer.from('last writer'))).lastInsertRowid);
  db.prepare(`UPDATE runs SET dir = 'runs/shared-1', weights_blob = ?, status = 'completed' WHERE id IN (?, ?, ?)`).run(blob, ids[0], ids[1], ids[2]);
  db.prepare(`UPDATE runs SET dir = 'runs/shared-1' WHERE id = ?`).run(ids[3]);
  db.prepare(`UPDATE runs SET status = 'interrupted' WHERE id = ?`).run(ids[2]);
  old.close();

  const store = openStore({ db: dbPath, dataDir });
  try {
    assert.notEqual(runDir(store, ids[3]), runDir(store, ids[0]), 'a run with no file of its own gets its own folder');
    const report = await runDoctor(store);
    const shared = report.problems.filter((p) => p.kind === 'shared-file');
    assert.equal(shared.length, 1, JSON.stringify(report.problems));
    assert.match(shared[0].detail, /weights file of 3 runs: "x1", "x2", "x3"/);
    assert.equal(shared[0].path, join(dataDir, 'runs', 'shared-1', 'weights.bin'));
    const fixed = await runDoctor(store, { fix: true });
    const still = fixed.problems.find((p) => p.kind === 'shared-file');
    assert.ok(still && !still.fixed && fixed.unresolved >= 1, '--fix reports them: there is nothing it can repair without losing data');
    assert.throws(() => requeueForResume(store, 'x3'), /shares its files with "x1", "x2"/);

    // a delete moves the run to the trash; emptying it removes its row, and its file only with the last owner
    trashObject(store, 'run', 'x1');
    emptyTrashEntries(store);
    assert.equal(store.db.prepare('SELECT COUNT(*) FROM runs WHERE name = ?').pluck().get('x1'), 0, 'x1 is gone');
    assert.equal(readFileSync(join(dataDir, 'runs', 'shared-1', 'weights.bin'), 'utf8'), 'last writer', 'the others keep the file');
    assert.equal(store.db.prepare('SELECT COUNT(*) FROM blobs WHERE id = ?').pluck().get(blob), 1);
    requestCancel(store, 'queued');
    trashObject(store, 'split', 's', { cascade: true });
    emptyTrashEntries(store);
    assert.equal(existsSync(join(dataDir, 'runs', 'shared-1')), false, 'the last owner takes the folder with it');
    assert.equal(store.db.prepare('SELECT COUNT(*) FROM blobs WHERE kind = ?').pluck().get('weights'), 0);
    const clean = await runDoctor(store);
    assert.deepEqual(clean.problems.filter((p) => p.kind !== 'recovered-at-open'), []);
  } finally {
    store.close();
  }
});
