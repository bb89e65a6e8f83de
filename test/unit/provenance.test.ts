// Where a run ran (issue 23, item 12): one provenance entry per attempt, appended when the attempt
// starts (a local worker's markStarted, a remote worker's `started`), with the executor, host,
// process, worker and token, the Slurm job and array task, the app version and the git commit of
// the checkout it ran from, and the backend. Kept across resumes; getRun (dive run --json, run.json) has it.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { gitCommit, slurmFacts } from '../../src-main/core/app/provenance';
import { remoteWork } from '../../src-main/core/app/remote-service';
import { assignExecutor } from '../../src-main/core/store/leases';
import { getRun, markEnded, markStarted, requeueForResume } from '../../src-main/core/store/runs';
import { tempDir } from '../helpers/fixtures';
import { tinyStore, type TinyStore } from '../helpers/tiny-store';

const SHA = 'a'.repeat(40);
const SHA2 = 'b'.repeat(40);
const REPORT = { name: 'cpu', device: 'cpu' as const, threads: 1, reasons: [] };
const LOCAL = { executor: 'local' as const, host: 'box', pid: 11, worker: null, token: null, slurm: null, appVersion: '0.1.0', gitCommit: SHA, backend: 'cpu' };

describe('the git commit of the checkout the workbench runs from', () => {
  const file = (p: string, text: string) => {
    mkdirSync(join(p, '..'), { recursive: true });
    writeFileSync(p, text);
  };
  it('reads a branch ref, packed refs, a detached HEAD and a worktree; null outside a checkout', () => {
    const a = tempDir('dive-git-');
    file(join(a, '.git', 'HEAD'), 'ref: refs/heads/main\n');
    file(join(a, '.git', 'refs', 'heads', 'main'), `${SHA}\n`);
    mkdirSync(join(a, 'src', 'deep'), { recursive: true });
    assert.equal(gitCommit(join(a, 'src', 'deep')), SHA);

    const b = tempDir('dive-git-');
    file(join(b, '.git', 'HEAD'), 'ref: refs/heads/dev\n');
    file(join(b, '.git', 'packed-refs'), `# pack-refs with: peeled fully-peeled sorted\n${SHA2} refs/heads/dev\n${SHA} refs/heads/main\n`);
    assert.equal(gitCommit(b), SHA2);

    const c = tempDir('dive-git-');
    file(join(c, '.git', 'HEAD'), `${SHA2}\n`);
    assert.equal(gitCommit(c), SHA2);

    // a worktree: .git is a file naming its own git dir, whose commondir holds the refs
    const main = tempDir('dive-git-');
    file(join(main, '.git', 'worktrees', 'w', 'HEAD'), 'ref: refs/heads/topic\n');
    file(join(main, '.git', 'worktrees', 'w', 'commondir'), '../..\n');
    file(join(main, '.git', 'refs', 'heads', 'topic'), `${SHA}\n`);
    const wt = tempDir('dive-git-');
    file(join(wt, '.git'), `gitdir: ${join(main, '.git', 'worktrees', 'w')}\n`);
    assert.equal(gitCommit(wt), SHA);

    const none = tempDir('dive-git-');
    file(join(none, '.git', 'HEAD'), 'ref: refs/heads/gone\n');
    assert.equal(gitCommit(none), null, 'a ref that is nowhere');
  });

  it('names the Slurm job and array task from the environment Slurm gives a task', () => {
    assert.deepEqual(slurmFacts({ SLURM_ARRAY_JOB_ID: '12', SLURM_ARRAY_TASK_ID: '3', SLURM_JOB_ID: '15' }), { jobId: '12', arrayTaskId: '3' });
    assert.deepEqual(slurmFacts({ SLURM_JOB_ID: '9' }), { jobId: '9', arrayTaskId: null });
    assert.equal(slurmFacts({}), null);
  });
});

describe('provenance in the store', () => {
  let t: TinyStore;
  beforeEach(() => (t = tinyStore()));
  afterEach(() => t.cleanup());

  it('appends one entry per attempt, numbered, with the epoch it resumed after', () => {
    const id = t.run('a', 3);
    assert.deepEqual(getRun(t.store, id).provenance, [], 'queued: no attempt yet');
    assert.ok(markStarted(t.store, id, REPORT, 11, LOCAL));
    t.store.db.prepare('UPDATE runs SET epochs_done = 2 WHERE id = ?').run(id);
    markEnded(t.store, id, 'interrupted', 'killed');
    requeueForResume(t.store, 'a');
    assert.ok(markStarted(t.store, id, REPORT, 12, { ...LOCAL, pid: 12, host: 'other' }));
    const p = getRun(t.store, id).provenance;
    assert.deepEqual(p.map((a) => [a.attempt, a.executor, a.host, a.pid, a.resumedFrom, a.gitCommit]), [[1, 'local', 'box', 11, 0, SHA], [2, 'local', 'other', 12, 2, SHA]]);
    assert.ok(p.every((a) => !Number.isNaN(Date.parse(a.startedAt))));
  });

  it('a remote worker\'s facts, its token and the executor that handed it the run (remote or slurm)', () => {
    const work = remoteWork(t.store);
    const facts = { host: 'node7', pid: 4242, worker: 'node7:4242', appVersion: '0.1.0', gitCommit: null, slurm: { jobId: '88', arrayTaskId: '1' } };
    for (const [name, executor] of [['r', 'remote'], ['s', 'slurm']] as const) {
      const id = t.run(name);
      if (executor === 'slurm') assignExecutor(t.store, [id], 'slurm', process.pid, '88', 'PENDING');
      const c = work.claim({ worker: 'node7:4242', run: name });
      assert.equal(c.kind, 'run');
      const leaseId = c.kind === 'run' ? c.job.leaseId : '';
      work.started(id, { leaseId, backend: { ...REPORT, name: 'wasm' }, facts }, 'gpu-box');
      assert.deepEqual(getRun(t.store, id).provenance.map((a) => [a.attempt, a.executor, a.host, a.pid, a.worker, a.token, a.slurm, a.backend]), [
        [1, executor, 'node7', 4242, 'node7:4242', 'gpu-box', { jobId: '88', arrayTaskId: '1' }, 'wasm'],
      ]);
    }
  });
});
