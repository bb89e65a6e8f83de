// The Slurm executor on a real one-node cluster (issue 14, item 4; test/cluster/setup-slurm.sh):
// a 2-seed, 2-method study of the MLP through `dive study run --executor slurm`, one array task
// scancelled mid-run. Every run ends completed exactly once, the cancelled task's run resumed from
// its checkpoint in another task, with the metrics of the same study trained locally. Where sbatch
// is not installed the test reports itself as not run (never passed); under CI=true it fails.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import type { QueueEntry, StudyDetail } from '../../src-main/core/domain/study-types';
import type { RunInfo } from '../../src-main/core/domain/types';
import { DIVE, dive, tempDir } from '../helpers/cli';

const SETUP = join(import.meta.dirname, '..', 'cluster', 'setup-slurm.sh');
const inCi = /^(1|true)$/i.test(process.env.CI ?? '');
const arrayOf = (id: string) => id.split('_')[0];
const FAST = ['--model', 'mlp', '--epochs', '3', '--batch', '64', '--lr', '0.01', '--backend', 'wasm'];

/** null when a Slurm controller answers here (set up by setup-slurm.sh as root), else why not. */
function slurmMissing(): string | null {
  if (spawnSync('/bin/sh', ['-c', 'command -v sbatch'], { stdio: 'ignore' }).status !== 0) return 'sbatch is not installed (run test/cluster/setup-slurm.sh as root)';
  const up = () => /UP/.test(spawnSync('scontrol', ['ping'], { encoding: 'utf8' }).stdout ?? '');
  if (up()) return null;
  if (process.getuid?.() !== 0) return 'no Slurm controller answers and setting one up needs root (test/cluster/setup-slurm.sh)';
  const r = spawnSync('bash', [SETUP], { encoding: 'utf8' });
  return r.status === 0 && up() ? null : `test/cluster/setup-slurm.sh failed: ${(r.stderr ?? '').trim()}`;
}

describe('a study on Slurm', () => {
  const t = tempDir();
  after(() => t.cleanup());
  const db = join(t.dir, 'dive.sqlite');

  it('survives a scancelled task and ends with every run completed once, equal to the local study', async (ctx) => {
    const missing = slurmMissing();
    if (missing) {
      assert.ok(!inCi, `the Slurm test cannot run in CI: ${missing}`);
      ctx.skip(`not run: ${missing}`);
      return;
    }
    assert.ok(existsSync('/usr/share/datasets/fashion-mnist'), 'apt-get install dataset-fashion-mnist');
    const jobDir = join(t.dir, 'jobs');
    assert.equal(dive(db, ['import', 'fashion-mnist']).code, 0);
    assert.equal(dive(db, ['split', '--dataset', 'fashion-mnist', '--name', 'lt', '--ratio', '10', '--max-per-class', '300']).code, 0);
    for (const name of ['local', 'cluster']) assert.equal(dive(db, ['study', 'create', name, '--split', 'lt', '--methods', 'ce,bsce', '--seeds', '2', ...FAST]).code, 0);
    const local = dive(db, ['study', 'run', 'local', '--json']);
    assert.equal(local.code, 0, local.stderr);

    const child = spawn(
      process.execPath,
      [DIVE, '--db', db, '--json', 'study', 'run', 'cluster', '--executor', 'slurm', '--worker-host', '127.0.0.1', '--lease-seconds', '10', '--cpus-per-task', '1', '--job-dir', jobDir, '--cache', join(t.dir, 'cache')],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exit = new Promise<number | null>((resolve) => child.on('exit', resolve));

    // the first run with a posted epoch, still training in its task: scancel that task
    const raw = new Database(db, { readonly: true, fileMustExist: true });
    let victim: { name: string; job_id: string } | undefined;
    for (let i = 0; i < 1200 && !victim; i++) {
      victim = raw.prepare(`SELECT name, job_id FROM runs WHERE status = 'running' AND epochs_done >= 1 AND executor = 'slurm' AND job_id LIKE '%\\_%' ESCAPE '\\' ORDER BY id LIMIT 1`).get() as typeof victim;
      if (!victim) await new Promise((r) => setTimeout(r, 100));
    }
    raw.close();
    assert.ok(victim, `a run trained an epoch in a Slurm task: ${err}`);
    const sc = spawnSync('scancel', [victim.job_id], { encoding: 'utf8' });
    assert.equal(sc.status, 0, sc.stderr);
    // the run waits for (or already trains in) another task: the queue shows its executor and job
    const queue = dive(db, ['queue', '--json']).json() as QueueEntry[];
    const shown = queue.find((e) => e.name === victim!.name);
    assert.ok(shown, `the cancelled task's run is on the queue again: ${JSON.stringify(queue)}`);
    assert.equal(shown.executor, 'slurm');
    assert.match(shown.jobId ?? '', /^\d+(_\d+)?$/);
    // a moment later the run may already train in a task of a newer array: any Slurm job will do
    const human = dive(db, ['queue']).stdout;
    assert.match(human, /\bslurm \d+(_\d+)?\b/, `dive queue shows the Slurm job:\n${human}`);

    assert.equal(await exit, 0, err);
    const cluster = JSON.parse(out) as StudyDetail;
    assert.equal(cluster.runs.length, 4);
    assert.ok(cluster.runs.every((r) => r.status === 'completed'), JSON.stringify(cluster.runs));
    const localStudy = local.json() as StudyDetail;
    for (const r of cluster.runs) {
      const twin = localStudy.runs.find((l) => l.cell === r.cell)!;
      const a = dive(db, ['run', r.run, '--json']).json() as RunInfo;
      const b = dive(db, ['run', twin.run, '--json']).json() as RunInfo;
      assert.deepEqual(a.metrics, b.metrics, `${r.cell}: the Slurm run's metrics equal the local run's`);
      assert.deepEqual(a.epochs.map((e) => e.loss), b.epochs.map((e) => e.loss));
    }

    // issue 23, item 12: each attempt says it ran in a Slurm task, which job and array task, on which
    // host, under which token; the scancelled run has two attempts, the second resumed in another task
    for (const r of cluster.runs) {
      const p = (dive(db, ['run', r.run, '--json']).json() as RunInfo).provenance;
      assert.equal(p.length, r.run === victim.name ? 2 : 1, `${r.run}: ${JSON.stringify(p)}`);
      for (const a of p) {
        assert.deepEqual([a.executor, a.host, a.backend], ['slurm', hostname(), 'wasm']);
        assert.match(a.token ?? '', /^slurm-cluster-/, 'the submission\'s token');
        assert.match(a.slurm?.jobId ?? '', /^\d+$/);
        assert.match(a.slurm?.arrayTaskId ?? '', /^\d+$/);
      }
      if (r.run === victim.name) {
        assert.deepEqual([p[0].slurm!.jobId, p[0].slurm!.arrayTaskId].join('_'), victim.job_id, 'the first attempt ran in the scancelled task');
        assert.notDeepEqual(p[1].slurm, p[0].slurm, 'the second in another task');
        assert.ok(p[1].resumedFrom >= 1 && p[0].resumedFrom === 0);
      }
    }
    for (const r of localStudy.runs) assert.deepEqual((dive(db, ['run', r.run, '--json']).json() as RunInfo).provenance.map((a) => [a.executor, a.slurm]), [['local', null]]);

    const check = new Database(db, { readonly: true });
    const rows = check
      .prepare(`SELECT r.name, r.attempts, r.lease_id, (SELECT COUNT(*) FROM run_epochs e WHERE e.run_id = r.id) AS epochs FROM runs r JOIN study_runs sr ON sr.run_id = r.id JOIN studies s ON s.id = sr.study_id WHERE s.name = 'cluster' ORDER BY r.id`)
      .all() as { name: string; attempts: number; lease_id: string | null; epochs: number }[];
    const tokens = check.prepare(`SELECT COUNT(*) FROM worker_tokens WHERE revoked_at IS NULL`).pluck().get();
    check.close();
    // each run completed once, each epoch committed once; only the cancelled task's run was claimed twice
    assert.deepEqual(rows.map((r) => [r.name, r.attempts, r.epochs, r.lease_id]), rows.map((r) => [r.name, r.name === victim!.name ? 2 : 1, 3, null]));
    assert.equal(tokens, 0, "the submission's worker token is revoked at the end");
    // the submission's own folder inside --job-dir (which keeps its mode: test/unit/slurm-job-dir.test.ts)
    const subs = readdirSync(jobDir);
    assert.equal(subs.length, 1, `one submission folder: ${subs.join(', ')}`);
    const sub = join(jobDir, subs[0]);
    assert.deepEqual(readdirSync(sub).filter((f) => f.endsWith('.token')), [], 'the token file is removed');
    // the task that took the run over resumed it from the cancelled task's last posted checkpoint
    const logs = readdirSync(sub).filter((f) => f.endsWith('.out')).map((f) => readFileSync(join(sub, f), 'utf8'));
    assert.ok(logs.some((l) => new RegExp(`run ${victim!.name} on wasm, resuming after epoch [12]`).test(l)), logs.join('\n---\n'));
  });
});

describe('stopping a study on Slurm', () => {
  const t = tempDir();
  after(() => t.cleanup());

  it('Ctrl-C scancels its tasks and leaves its runs cancelled, to be continued', async (ctx) => {
    const missing = slurmMissing();
    if (missing) {
      assert.ok(!inCi, `the Slurm test cannot run in CI: ${missing}`);
      ctx.skip(`not run: ${missing}`);
      return;
    }
    const db = join(t.dir, 'dive.sqlite');
    assert.equal(dive(db, ['import', 'fashion-mnist']).code, 0);
    assert.equal(dive(db, ['split', '--dataset', 'fashion-mnist', '--name', 'lt', '--ratio', '10', '--max-per-class', '100']).code, 0);
    assert.equal(dive(db, ['study', 'create', 'long', '--split', 'lt', '--methods', 'ce', '--seeds', '1', '--model', 'mlp', '--epochs', '200', '--batch', '64', '--backend', 'wasm']).code, 0);
    const child = spawn(process.execPath, [DIVE, '--db', db, 'study', 'run', 'long', '--executor', 'slurm', '--worker-host', '127.0.0.1', '--lease-seconds', '10', '--cpus-per-task', '1', '--job-dir', join(t.dir, 'jobs'), '--cache', join(t.dir, 'cache')], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exit = new Promise<number | null>((resolve) => child.on('exit', resolve));
    const raw = new Database(db, { readonly: true, fileMustExist: true });
    let task: string | undefined;
    for (let i = 0; i < 1200 && !task; i++) {
      task = raw.prepare(`SELECT job_id FROM runs WHERE status = 'running' AND epochs_done >= 1 AND job_id LIKE '%\\_%' ESCAPE '\\'`).pluck().get() as string | undefined;
      if (!task) await new Promise((r) => setTimeout(r, 100));
    }
    raw.close();
    assert.ok(task, `the run trains in a Slurm task: ${err}`);
    child.kill('SIGINT');
    assert.equal(await exit, 1, 'the study did not complete');
    assert.match(err, new RegExp(`slurm: stopped; scancelled ${arrayOf(task)}`));
    assert.match(err, /1 run\(s\) did not complete \(long-ce-s1 cancelled\)/);
    const sq = spawnSync('squeue', ['-h', '-r', '--states=all', '-j', task, '-o', '%T'], { encoding: 'utf8' });
    assert.match(sq.stdout, /CANCELLED|COMPLETED|COMPLETING/, 'the task is over');
    assert.deepEqual(dive(db, ['queue', '--json']).json(), [], 'nothing is left running or queued');
  });
});
