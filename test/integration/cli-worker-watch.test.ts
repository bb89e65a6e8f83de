// `dive worker --watch` (issue 23, item 8) waits until Ctrl-C, as the README says: on an empty queue
// and after its last run. Its only timer used to be unref'd, so Node found nothing to wait for and
// exited by itself with code 13 (an unsettled top-level await) and no output.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { DIVE, dive, tempDir } from '../helpers/cli';
import { writeIdxDataset } from '../helpers/fixtures';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function watch(db: string): { child: ChildProcess; exit: Promise<number | null>; out: () => string; err: () => string } {
  const child = spawn(process.execPath, [DIVE, '--db', db, 'worker', '--watch'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, DIVE_DATA_DIR: undefined, DIVE_DB: undefined } });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exit, out: () => out, err: () => err };
}

describe('dive worker --watch', () => {
  const t = tempDir();
  after(() => t.cleanup());
  const db = join(t.dir, 'dive.sqlite');

  it('keeps waiting on an empty queue until SIGINT, then exits 0', async () => {
    const w = watch(db);
    // ready (its signal handlers installed) once it says it watches; a cold start may take seconds
    for (let i = 0; i < 1200 && !w.err().includes('watching the queue'); i++) await Promise.race([sleep(100), w.exit]);
    assert.match(w.err(), /watching the queue for runs; Ctrl-C stops/);
    const early = await Promise.race([w.exit.then((c) => `exited ${c}`), sleep(4000).then(() => 'alive')]);
    assert.equal(early, 'alive', `it must wait for work: ${w.err()}`);
    w.child.kill('SIGINT');
    assert.equal(await w.exit, 0, w.err());
    assert.match(w.out(), /nothing to run/);
  });

  it('trains what is queued and keeps waiting after its last run', async () => {
    const files = writeIdxDataset(join(t.dir, 'idx'), { trainLabels: [0, 0, 0, 0, 1, 1, 1, 1], testLabels: [0, 1] });
    assert.equal(dive(db, ['import', 'idx', '--name', 'tiny', '--train-images', files.trainImages, '--train-labels', files.trainLabels, '--test-images', files.testImages, '--test-labels', files.testLabels]).code, 0);
    assert.equal(dive(db, ['split', '--dataset', 'tiny', '--name', 's', '--ratio', '2', '--max-per-class', '4']).code, 0);
    assert.equal(dive(db, ['study', 'create', 'q', '--split', 's', '--methods', 'ce', '--seeds', '1', '--model', 'mlp', '--epochs', '1', '--backend', 'cpu']).code, 0);
    const queued = dive(db, ['study', 'run', 'q', '--queue-only']);
    assert.equal(queued.code, 0, queued.stderr);
    const w = watch(db);
    const raw = new Database(db, { readonly: true });
    let status = '';
    for (let i = 0; i < 1200 && status !== 'completed'; i++) {
      status = raw.prepare(`SELECT status FROM runs WHERE name = 'q-ce-s1'`).pluck().get() as string;
      if (status !== 'completed') await Promise.race([sleep(100), w.exit]);
    }
    raw.close();
    assert.equal(status, 'completed', w.err());
    const later = await Promise.race([w.exit.then((c) => `exited ${c}`), sleep(4000).then(() => 'alive')]);
    assert.equal(later, 'alive', `it must keep waiting after its last run: ${w.err()}`);
    w.child.kill('SIGINT');
    assert.equal(await w.exit, 0, w.err());
    assert.match(w.out(), /1 run\(s\) ended: q-ce-s1 completed/);
  });
});
