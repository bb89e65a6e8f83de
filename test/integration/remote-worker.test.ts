// Remote workers through the real CLI (issue 14, item 1): a `dive serve` that trains nothing itself
// (--local-slots 0) owns the store; `dive worker --server` processes claim the study's runs over the
// worker API, fetch pixels and teacher weights by SHA-256 into their cache, and post epochs,
// checkpoints and results back. The first worker is SIGKILLed after its first epoch (a node dying):
// its lease expires, the run goes back to the queue, and a second worker resumes it from the posted
// checkpoint. Every run completes once, with the metrics of the same study trained locally.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import type { StudyDetail } from '../../src-main/core/domain/study-types';
import type { RunInfo } from '../../src-main/core/domain/types';
import { DIVE, dive, tempDir } from '../helpers/cli';

const FAST = ['--model', 'mlp', '--epochs', '2', '--batch', '64', '--lr', '0.01', '--backend', 'wasm'];

/** Resolves with the first line of stdout (a --json server prints its address there). */
function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve(out.split('\n')[0]);
    });
    child.on('exit', (code) => reject(new Error(`exited ${code} before printing: ${err}`)));
  });
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.on('exit', (code) => resolve(code))));
}

describe('remote workers through dive serve', () => {
  assert.ok(existsSync('/usr/share/datasets/fashion-mnist'), 'apt-get install dataset-fashion-mnist');
  const t = tempDir();
  const db = join(t.dir, 'dive.sqlite');
  const cache = join(t.dir, 'cache');
  const tokenFile = join(t.dir, 'worker.token');
  let server: ChildProcess | undefined;
  before(() => {
    assert.equal(dive(db, ['import', 'fashion-mnist']).code, 0);
    assert.equal(dive(db, ['split', '--dataset', 'fashion-mnist', '--name', 'lt', '--ratio', '10', '--max-per-class', '60']).code, 0);
  });
  after(() => {
    server?.kill('SIGKILL');
    t.cleanup();
  });

  it('trains a study on remote workers, resumes the run of a killed worker elsewhere, and matches the local study', async () => {
    for (const name of ['local', 'remote']) {
      const c = dive(db, ['study', 'create', name, '--split', 'lt', '--methods', 'ce,kd', '--seeds', '1', ...FAST, '--json']);
      assert.equal(c.code, 0, c.stderr);
    }
    const local = dive(db, ['study', 'run', 'local', '--json']);
    assert.equal(local.code, 0, local.stderr);
    assert.equal(dive(db, ['study', 'run', 'remote', '--queue-only']).code, 0);

    const tok = dive(db, ['worker-token', 'create', 'test-worker']);
    assert.equal(tok.code, 0, tok.stderr);
    writeFileSync(tokenFile, tok.stdout.trim() + '\n', { mode: 0o600 });
    const listed = dive(db, ['worker-token', 'list', '--json']).json() as { name: string; revokedAt: string | null }[];
    assert.deepEqual(listed.map((r) => [r.name, r.revokedAt]), [['test-worker', null]]);
    const raw = new Database(db, { readonly: true });
    assert.equal(raw.prepare("SELECT COUNT(*) FROM worker_tokens WHERE token_hash = ?").pluck().get(tok.stdout.trim()), 0, 'only the hash is stored');
    raw.close();

    server = spawn(process.execPath, [DIVE, '--db', db, '--json', 'serve', '--local-slots', '0', '--lease-seconds', '8'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const { port } = JSON.parse(await firstLine(server)) as { port: number };
    const url = `http://127.0.0.1:${port}`;
    const workerArgs = ['worker', '--server', url, '--token-file', tokenFile, '--study', 'remote', '--cache', cache];

    // worker 1 dies without a word after its first epoch: no release, no heartbeat
    const w1 = spawn(process.execPath, [DIVE, '--json', ...workerArgs], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err1 = '';
    let killedRun = '';
    w1.stderr!.on('data', (d: Buffer) => {
      err1 += d.toString();
      const m = /worker: run (\S+) epoch 1\/2/.exec(err1);
      if (m && !killedRun) {
        killedRun = m[1];
        w1.kill('SIGKILL');
      }
    });
    await exited(w1);
    assert.ok(killedRun, `worker 1 trained an epoch: ${err1}`);
    assert.match(err1, /fetched training pixels/);

    const w2 = spawn(process.execPath, [DIVE, '--json', ...workerArgs], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out2 = '';
    let err2 = '';
    w2.stdout!.on('data', (d: Buffer) => (out2 += d.toString()));
    w2.stderr!.on('data', (d: Buffer) => (err2 += d.toString()));
    assert.equal(await exited(w2), 0, err2);
    const ended = JSON.parse(out2) as { name: string; status: string; resumedFrom: number }[];
    assert.ok(ended.every((e) => e.status === 'completed'), out2);
    assert.deepEqual(ended.filter((e) => e.name === killedRun).map((e) => e.resumedFrom), [1], 'the killed run resumed after its posted epoch');
    assert.doesNotMatch(err2, /fetched training pixels/, 'the shared cache already holds the pixels');
    assert.match(err2, /fetched teacher \S+'s weights/);

    const remote = dive(db, ['study', 'show', 'remote', '--json']).json() as StudyDetail;
    const localStudy = local.json() as StudyDetail;
    assert.equal(remote.runs.length, 3);
    assert.ok(remote.runs.every((r) => r.status === 'completed'), JSON.stringify(remote.runs));
    for (const r of remote.runs) {
      const twin = localStudy.runs.find((l) => l.cell === r.cell)!;
      const a = dive(db, ['run', r.run, '--json']).json() as RunInfo;
      const b = dive(db, ['run', twin.run, '--json']).json() as RunInfo;
      assert.equal(a.backend, 'wasm');
      assert.deepEqual(a.metrics, b.metrics, `${r.cell}: remote metrics equal the local run's`);
      assert.deepEqual(a.epochs.map((e) => e.loss), b.epochs.map((e) => e.loss));
    }
    const check = new Database(db, { readonly: true });
    // each epoch committed once; the killed run took two claims, the others one
    const rows = check.prepare(`SELECT r.name, r.attempts, (SELECT COUNT(*) FROM run_epochs e WHERE e.run_id = r.id) AS epochs, r.lease_id FROM runs r JOIN study_runs sr ON sr.run_id = r.id JOIN studies s ON s.id = sr.study_id WHERE s.name = 'remote' ORDER BY r.id`).all() as { name: string; attempts: number; epochs: number; lease_id: string | null }[];
    check.close();
    assert.deepEqual(rows.map((r) => [r.name, r.attempts, r.epochs, r.lease_id]), rows.map((r) => [r.name, r.name === killedRun ? 2 : 1, 2, null]));
    // issue 23, item 12: each attempt says where it ran: the remote executor, the worker, its token
    for (const r of remote.runs) {
      const p = (dive(db, ['run', r.run, '--json']).json() as RunInfo).provenance;
      assert.deepEqual(p.map((a) => [a.attempt, a.executor, a.host, a.token, a.backend, a.slurm]), p.map((_, i) => [i + 1, 'remote', hostname(), 'test-worker', 'wasm', null]), r.run);
      for (const a of p) assert.equal(a.worker, `${hostname()}:${a.pid}`);
      if (r.run === killedRun) {
        assert.deepEqual(p.map((a) => a.resumedFrom), [0, 1], 'the killed run: two attempts, the second after epoch 1');
        assert.deepEqual(p.map((a) => a.pid), [w1.pid, w2.pid]);
      } else assert.equal(p.length, 1);
    }
    for (const r of localStudy.runs) assert.deepEqual((dive(db, ['run', r.run, '--json']).json() as RunInfo).provenance.map((a) => a.executor), ['local']);
    assert.ok(readdirSync(join(cache, 'sha256')).length > 0);

    // a revoked token is refused at the next call
    assert.equal(dive(db, ['worker-token', 'revoke', 'test-worker']).code, 0);
    const refused = dive(db, workerArgs);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /missing, wrong or revoked worker token/);
    server.kill('SIGTERM');
    await exited(server);
  });
});
