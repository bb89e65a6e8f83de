// What a training process says of itself for its run's provenance (domain/types.ts RunAttempt):
// its host and pid, the workbench version and, when it runs from a git checkout, the commit, and the
// Slurm job and array task it runs in. A local worker records it as it starts a run; a remote worker
// sends it with its `started` call, and the store adds the token it claimed the run with.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunAttempt } from '../domain/types';
import { appVersion } from './app-version';

export type ProcessFacts = Pick<RunAttempt, 'host' | 'pid' | 'appVersion' | 'gitCommit' | 'slurm'>;

const HEX_ID = /^[0-9a-f]{40}([0-9a-f]{24})?$/;

function read(path: string): string | null {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return null;
  }
}

/** The git directory of the checkout holding `from`: a `.git` folder, or the one a worktree's `.git` file names. */
function gitDirOf(from: string): string | null {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    const dotGit = join(dir, '.git');
    if (existsSync(dotGit)) {
      if (statSync(dotGit).isDirectory()) return dotGit;
      const m = /^gitdir:\s*(.+)$/m.exec(read(dotGit) ?? '');
      return m ? (isAbsolute(m[1]) ? m[1] : resolve(dir, m[1])) : null;
    }
    if (dirname(dir) === dir) return null;
  }
}

/**
 * The commit HEAD names in the checkout the workbench runs from (found upwards from `from`), read
 * from git's files so that no git needs to be installed: a detached HEAD, a loose ref, or
 * packed-refs, in the worktree's own git dir or its common dir. Null outside a checkout.
 */
export function gitCommit(from: string = dirname(fileURLToPath(import.meta.url))): string | null {
  const gitDir = gitDirOf(from);
  if (!gitDir) return null;
  const head = read(join(gitDir, 'HEAD'));
  if (head === null) return null;
  if (HEX_ID.test(head)) return head;
  const ref = /^ref:\s*(\S+)$/.exec(head)?.[1];
  if (!ref) return null;
  const common = read(join(gitDir, 'commondir'));
  const dirs = [gitDir, ...(common ? [resolve(gitDir, common)] : [])];
  for (const d of dirs) {
    const loose = read(join(d, ref));
    if (loose && HEX_ID.test(loose)) return loose;
  }
  for (const d of dirs) {
    for (const line of (read(join(d, 'packed-refs')) ?? '').split('\n')) {
      const [sha, name] = line.trim().split(' ');
      if (name === ref && HEX_ID.test(sha)) return sha;
    }
  }
  return null;
}

/** The Slurm job (an array's job id) and array task this process runs in, from Slurm's environment. */
export function slurmFacts(env: NodeJS.ProcessEnv = process.env): RunAttempt['slurm'] {
  if (env.SLURM_ARRAY_JOB_ID) return { jobId: env.SLURM_ARRAY_JOB_ID, arrayTaskId: env.SLURM_ARRAY_TASK_ID || null };
  return env.SLURM_JOB_ID ? { jobId: env.SLURM_JOB_ID, arrayTaskId: null } : null;
}

let commit: string | null | undefined;

/** This process's facts (the commit read once). */
export function processFacts(): ProcessFacts {
  commit ??= gitCommit();
  return { host: hostname(), pid: process.pid, appVersion: appVersion(), gitCommit: commit, slurm: slurmFacts() };
}
