// One line per attempt of a run's provenance, the same in `dive run` and on the run page.
import type { RunAttempt } from './types';

const EXECUTOR: Record<RunAttempt['executor'], string> = {
  local: 'a local worker',
  remote: 'a remote worker',
  slurm: 'a Slurm task',
};

/** e.g. "attempt 2: a Slurm task (job 812, array task 3) on node7, pid 4242, token slurm-t1; wasm; resumed after epoch 5; 0.1.0, git 1a2b3c4d5e6f" */
export function attemptLine(a: RunAttempt): string {
  const slurm = a.slurm ? ` (job ${a.slurm.jobId}${a.slurm.arrayTaskId === null ? '' : `, array task ${a.slurm.arrayTaskId}`})` : '';
  const who = [`on ${a.host}`, a.pid === null ? null : `pid ${a.pid}`, a.worker && a.worker !== `${a.host}:${a.pid}` ? `worker ${a.worker}` : null, a.token ? `token ${a.token}` : null].filter((x) => x !== null);
  const from = a.resumedFrom > 0 ? `resumed after epoch ${a.resumedFrom}` : 'from the start';
  const build = `${a.appVersion}${a.gitCommit ? `, git ${a.gitCommit.slice(0, 12)}` : ''}`;
  return `attempt ${a.attempt}: ${EXECUTOR[a.executor]}${slurm} ${who.join(', ')}; ${a.backend ?? 'backend not reported'}; ${from}; ${build}`;
}
