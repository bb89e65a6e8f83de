// A training worker whose CLI is killed ends its run "interrupted" at once (issue 13, item 4),
// instead of dying on its next message to the gone parent and leaving the run "running".
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { processAlive } from '../../src-main/core/process';
import { DIVE, dive, tempDir } from '../helpers/cli';
import { writeIdxDataset } from '../helpers/fixtures';

const t = tempDir();
after(() => t.cleanup());

function runRow(db: string): { status: string; worker_pid: number | null; error: string | null } | undefined {
  const raw = new Database(db, { readonly: true, fileMustExist: true });
  try {
    return raw.prepare(`SELECT status, worker_pid, error FROM runs WHERE name = 'long'`).get() as { status: string; worker_pid: number | null; error: string | null } | undefined;
  } finally {
    raw.close();
  }
}

it('a worker whose `dive train` is SIGKILLed marks its run interrupted within seconds and exits', async () => {
  const db = join(t.dir, 'dive.sqlite');
  const labels = Array.from({ length: 90 }, (_, i) => i % 3);
  const f = writeIdxDataset(join(t.dir, 'idx'), { trainLabels: labels, testLabels: [0, 1, 2] });
  assert.equal(dive(db, ['import', 'idx', '--name', 'd', '--train-images', f.trainImages, '--train-labels', f.trainLabels, '--test-images', f.testImages, '--test-labels', f.testLabels]).code, 0);
  assert.equal(dive(db, ['split', '--dataset', 'd', '--name', 's', '--ratio', '2', '--max-per-class', '30']).code, 0);
  const cli = spawn(process.execPath, [DIVE, '--db', db, 'train', '--split', 's', '--method', 'ce', '--model', 'mlp', '--epochs', '100000', '--batch', '4', '--backend', 'cpu', '--name', 'long'], {
    stdio: 'ignore',
    env: { ...process.env, DIVE_DATA_DIR: undefined, DIVE_DB: undefined },
  });
  let workerPid: number | null = null;
  try {
    for (let i = 0; i < 600 && !workerPid; i++) {
      await sleep(100);
      const r = runRow(db);
      if (r?.status === 'running') workerPid = r.worker_pid;
    }
    assert.ok(workerPid, 'the run started');
    await sleep(1500); // a few batches, so the worker is sending events
    cli.kill('SIGKILL');
    const killedAt = Date.now();
    let r = runRow(db);
    while (r?.status === 'running' && Date.now() - killedAt < 15_000) {
      await sleep(100);
      r = runRow(db);
    }
    assert.equal(r?.status, 'interrupted', `still ${r?.status} 15 s after the CLI was killed`);
    assert.ok(Date.now() - killedAt < 10_000);
    assert.match(r!.error ?? '', /the command that started it exited; resume it with `dive resume long`/);
    for (let i = 0; i < 50 && processAlive(workerPid); i++) await sleep(100);
    assert.equal(processAlive(workerPid), false, 'the worker exited');
  } finally {
    if (workerPid && processAlive(workerPid)) process.kill(workerPid, 'SIGKILL');
    if (cli.exitCode === null) cli.kill('SIGKILL');
  }
});
