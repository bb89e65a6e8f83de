// A busy store is a wait, not a failure (issue 23, item 3). Another process holds a write
// transaction for longer than the busy timeout (5 s) while `dive serve` polls the queue and
// `dive train` trains: both used to end with an uncaught `SqliteError: database is locked` and a
// stack (the queue poll), and the run ended failed. Now the poll and the epoch writes retry with
// back-off, each command says once on stderr that it waits, and the run completes with every
// epoch once. A command started while the lock is held waits for it too, and one that only reads
// goes on.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { BUSY_NOTICE, BUSY_TIMEOUT_MS } from '../../src-main/core/store/busy';
import { DIVE, dive, tempDir } from '../helpers/cli';

const REPO = join(import.meta.dirname, '..', '..');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Child {
  child: ChildProcess;
  out: () => string;
  err: () => string;
  exit: Promise<number | null>;
}

function start(args: string[]): Child {
  const child = spawn(process.execPath, args, { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, DIVE_DATA_DIR: undefined, DIVE_DB: undefined } });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  return { child, out: () => out, err: () => err, exit: new Promise((resolve) => child.on('exit', (code) => resolve(code))) };
}

/**
 * Another process: BEGIN IMMEDIATE (the write lock), held until `release()` (or two minutes).
 * Resolves once it holds the lock.
 */
async function holdWriteLock(db: string): Promise<Child & { release(): void }> {
  const script = `const D = require('better-sqlite3'); const db = new D(process.argv[1]); db.pragma('busy_timeout = 60000');
    db.exec('BEGIN IMMEDIATE'); db.prepare('UPDATE runs SET priority = priority WHERE id < 0').run();
    const end = () => { db.exec('COMMIT'); db.close(); process.exit(0); };
    process.stdout.write('locked\\n'); process.stdin.on('data', end); setTimeout(end, 120000);`;
  const child = spawn(process.execPath, ['-e', script, db], { cwd: REPO, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  while (!out.includes('locked')) {
    if (child.exitCode !== null) assert.fail(`the lock holder exited: ${err}`);
    await sleep(20);
  }
  return { child, out: () => out, err: () => err, exit, release: () => child.stdin.write('release\n') };
}

/** Waits until every child has said it waits for the database (or one has exited). */
async function untilWaiting(children: Child[], deadlineMs = 120_000): Promise<void> {
  const t0 = Date.now();
  while (children.some((c) => notices(c.err()) === 0 && c.child.exitCode === null) && Date.now() - t0 < deadlineMs) await sleep(100);
}

const notices = (text: string) => text.split('\n').filter((l) => l === BUSY_NOTICE).length;
const noCrash = (who: string, text: string) => {
  assert.doesNotMatch(text, /SqliteError|database is locked|\n\s+at /, `${who}: no uncaught error, no stack:\n${text}`);
};

describe('a store another process holds locked past the busy timeout', () => {
  assert.ok(existsSync('/usr/share/datasets/fashion-mnist'), 'apt-get install dataset-fashion-mnist');
  const t = tempDir();
  const db = join(t.dir, 'dive.sqlite');
  before(() => {
    assert.equal(dive(db, ['import', 'fashion-mnist']).code, 0);
    assert.equal(dive(db, ['split', '--dataset', 'fashion-mnist', '--name', 'lt', '--ratio', '10', '--max-per-class', '100']).code, 0);
  });
  after(() => t.cleanup());

  it('dive serve and dive train wait for it, say so once, and the run completes with every epoch once', async () => {
    const serve = start([DIVE, '--db', db, 'serve', '--port', '0', '--local-slots', '0']);
    const train = start([DIVE, '--db', db, 'train', '--split', 'lt', '--method', 'ce', '--model', 'mlp', '--epochs', '8', '--backend', 'cpu', '--name', 'busy']);
    const raw = new Database(db, { readonly: true });
    let done = 0;
    for (let i = 0; i < 3000 && done < 1 && train.child.exitCode === null; i++) {
      done = (raw.prepare(`SELECT epochs_done FROM runs WHERE name = 'busy'`).pluck().get() as number | undefined) ?? 0;
      if (done < 1) await sleep(50);
    }
    raw.close();
    assert.ok(done >= 1, `the run trains an epoch first: ${train.err()}`);
    const holder = await holdWriteLock(db);
    const locked = Date.now();
    // meanwhile a command that writes waits for the lock, and one that only reads goes on
    const split = start([DIVE, '--db', db, 'split', '--dataset', 'fashion-mnist', '--name', 'lt2', '--ratio', '5', '--max-per-class', '50']);
    const reader = start([DIVE, '--db', db, 'runs', '--json']);
    assert.equal(await reader.exit, 0, reader.err());
    noCrash('dive runs', reader.err());
    assert.equal((JSON.parse(reader.out()) as { name: string }[]).length, 1, 'it read the runs while the lock was held');
    // the lock stays until each writer has waited past the busy timeout (and said so)
    await untilWaiting([serve, train, split]);
    assert.ok(Date.now() - locked > BUSY_TIMEOUT_MS, 'held longer than the busy timeout');
    holder.release();
    assert.equal(await holder.exit, 0, holder.err());

    assert.equal(await split.exit, 0, split.err());
    assert.equal(notices(split.err()), 1, `dive split said once that it waits:\n${split.err()}`);
    noCrash('dive split', split.err());
    assert.equal(await train.exit, 0, train.err());
    noCrash('dive train', train.err());
    assert.equal(notices(train.err()), 1, `dive train said once that it waits:\n${train.err()}`);
    const run = JSON.parse(dive(db, ['run', 'busy', '--json']).stdout) as { status: string; epochs: { epoch: number }[] };
    assert.equal(run.status, 'completed');
    assert.deepEqual(run.epochs.map((e) => e.epoch), [1, 2, 3, 4, 5, 6, 7, 8]);

    assert.equal(serve.child.exitCode, null, `dive serve is still up:\n${serve.err()}`);
    assert.equal(notices(serve.err()), 1, `dive serve said once that it waits:\n${serve.err()}`);
    noCrash('dive serve', serve.err());
    serve.child.kill('SIGINT');
    assert.equal(await serve.exit, 0, serve.err());
  });
});
