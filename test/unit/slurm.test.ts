// The Slurm executor's text: the batch script (token only through a file, every word quoted for
// bash), sbatch's flags, and what squeue, sacct and sbatch print.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { it } from 'node:test';
import { arrayOf, batchScript, parseSacct, parseSbatch, parseSqueue, sbatchArgs, shellQuote } from '../../src-main/core/app/slurm';
import { slurmJobId, workerToken } from '../../src-main/cli/commands/remote';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

it('quotes words so bash reads them back unchanged', () => {
  for (const w of ['plain', '/a b/c', "it's", 'http://h:1/?a=1&b=$HOME', '`x`']) {
    const r = spawnSync('bash', ['-c', `printf %s ${shellQuote(w)}`], { encoding: 'utf8' });
    assert.equal(r.stdout, w);
  }
  assert.equal(shellQuote('/usr/bin/node'), '/usr/bin/node');
});

it('writes a batch script that reads the token from its file and trains one run of the study', () => {
  const s = batchScript({ study: 'my study', dive: ['/usr/bin/node', '/opt/dive/dive.mjs'], server: 'https://login1:7070', tokenFile: '/home/u/.dive/t.token', logDir: '/home/u/jobs', cacheDir: '/scratch/c' });
  const lines = s.split('\n');
  assert.equal(lines[0], '#!/bin/bash');
  assert.ok(lines.includes("#SBATCH --job-name='dive-my study'"));
  assert.ok(lines.includes('#SBATCH --output=/home/u/jobs/%A_%a.out'));
  assert.equal(lines.at(-2), "exec /usr/bin/node /opt/dive/dive.mjs worker --server https://login1:7070 --token-file /home/u/.dive/t.token --study 'my study' --max-runs 1 --cache /scratch/c");
  assert.doesNotMatch(s, /dwt_/);
});

it('passes the resources a researcher asks for to sbatch', () => {
  assert.deepEqual(sbatchArgs({ partition: 'gpu', gres: 'gpu:1', time: '24:00:00', cpusPerTask: 8, mem: '16G', extra: ['--account=lab'] }, 3, '/j/job.sh'), [
    '--parsable', '--array=0-2', '--partition=gpu', '--gres=gpu:1', '--time=24:00:00', '--cpus-per-task=8', '--mem=16G', '--account=lab', '/j/job.sh',
  ]);
  assert.deepEqual(sbatchArgs({}, 1, 'j.sh'), ['--parsable', '--array=0-0', 'j.sh']);
  assert.deepEqual(sbatchArgs({ maxTasks: 4 }, 10, 'j.sh'), ['--parsable', '--array=0-9%4', 'j.sh']);
  assert.throws(() => sbatchArgs({ maxTasks: 0 }, 1, 'j.sh'), /--max-tasks/);
  assert.throws(() => sbatchArgs({ time: 'tomorrow' }, 1, 'j.sh'), /--time tomorrow: use Slurm's format/);
  assert.doesNotThrow(() => sbatchArgs({ time: '1-12:00:00' }, 1, 'j.sh'));
});

it("reads sbatch's job id, squeue's and sacct's states", () => {
  assert.equal(parseSbatch('1234\n'), '1234');
  assert.equal(parseSbatch('1234;cluster\n'), '1234');
  assert.throws(() => parseSbatch('sbatch: error: invalid partition'), /did not print a job id/);
  const q = parseSqueue('12_0|RUNNING|None\n12_1|PENDING|Resources\n12_2|CANCELLED|None\n\n');
  assert.deepEqual([...q], [['12_0', { state: 'RUNNING', reason: null }], ['12_1', { state: 'PENDING', reason: 'Resources' }], ['12_2', { state: 'CANCELLED', reason: null }]]);
  const a = parseSacct('12_3|CANCELLED by 0|0:15\n12_4|TIMEOUT|0:0\n');
  assert.deepEqual([...a], [['12_3', { state: 'CANCELLED', reason: 'exit code 0:15' }], ['12_4', { state: 'TIMEOUT', reason: null }]]);
  assert.equal(arrayOf('12_3'), '12');
});

it('takes the worker token from a private file only, and knows its Slurm task', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dive-token-'));
  const file = join(dir, 't');
  writeFileSync(file, 'dwt_abc\n', { mode: 0o644 });
  assert.throws(() => workerToken({ tokenFile: file }), /can be read by other users \(mode 644\); run `chmod 600/);
  writeFileSync(join(dir, 'p'), 'dwt_abc\n', { mode: 0o600 });
  assert.equal(workerToken({ tokenFile: join(dir, 'p') }), 'dwt_abc');
  assert.equal(workerToken({}, { DIVE_WORKER_TOKEN: 'dwt_env' }), 'dwt_env');
  assert.throws(() => workerToken({}, {}), /needs a worker token/);
  assert.equal(slurmJobId({ SLURM_ARRAY_JOB_ID: '5', SLURM_ARRAY_TASK_ID: '2', SLURM_JOB_ID: '7' }), '5_2');
  assert.equal(slurmJobId({ SLURM_JOB_ID: '7' }), '7');
  assert.equal(slurmJobId({}), undefined);
});
