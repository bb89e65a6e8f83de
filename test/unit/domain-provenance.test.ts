// The provenance line `dive run` and the run page show for each attempt (issue 23, item 12).
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { attemptLine } from '../../src-main/core/domain/provenance';

it('says where each attempt ran in one line', () => {
  const base = { attempt: 1, host: 'box', pid: 11, worker: null, token: null, slurm: null, appVersion: '0.1.0', gitCommit: null, backend: 'wasm', resumedFrom: 0, startedAt: '2026-01-01T00:00:00Z' };
  assert.equal(attemptLine({ ...base, executor: 'local' }), 'attempt 1: a local worker on box, pid 11; wasm; from the start; 0.1.0');
  assert.equal(
    attemptLine({ ...base, attempt: 2, executor: 'slurm', host: 'node7', pid: 4242, worker: 'node7:4242', token: 'slurm-t1', slurm: { jobId: '812', arrayTaskId: '3' }, resumedFrom: 5, gitCommit: '1a2b3c4d5e6f7a8b9c0d1a2b3c4d5e6f7a8b9c0d' }),
    'attempt 2: a Slurm task (job 812, array task 3) on node7, pid 4242, token slurm-t1; wasm; resumed after epoch 5; 0.1.0, git 1a2b3c4d5e6f',
  );
  assert.equal(attemptLine({ ...base, executor: 'remote', host: 'unknown', pid: null, worker: 'gpu:9', token: 'gpu-box', backend: null, appVersion: 'unknown' }), 'attempt 1: a remote worker on unknown, worker gpu:9, token gpu-box; backend not reported; from the start; unknown');
});
