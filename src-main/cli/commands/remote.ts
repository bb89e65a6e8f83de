// Remote workers from the command line: `dive worker --server URL` (train runs of a store that
// lives elsewhere) and `dive worker-token create|list|revoke` (the tokens those workers show).
import { readFileSync, statSync } from 'node:fs';
import type { Command } from 'commander';
import { defaultCacheDir } from '../../core/app/blob-cache';
import { UserError } from '../../core/domain/errors';
import { emit, table } from '../output';
import { globals, withDispatcher } from '../options';

export interface RemoteWorkerFlags {
  server: string;
  token?: string;
  tokenFile?: string;
  study?: string;
  run?: string;
  maxRuns?: number;
  cache?: string;
  jobId?: string;
  watch?: boolean;
}

/** The worker token: --token-file (must not be readable by others), $DIVE_WORKER_TOKEN, or --token. */
export function workerToken(o: Pick<RemoteWorkerFlags, 'token' | 'tokenFile'>, env: NodeJS.ProcessEnv = process.env): string {
  if (o.tokenFile !== undefined) {
    let mode: number;
    let text: string;
    try {
      mode = statSync(o.tokenFile).mode;
      text = readFileSync(o.tokenFile, 'utf8');
    } catch {
      throw new UserError(`--token-file ${o.tokenFile} cannot be read; create it with \`dive worker-token create NAME > FILE\` and \`chmod 600 FILE\``);
    }
    if ((mode & 0o077) !== 0) throw new UserError(`--token-file ${o.tokenFile} can be read by other users (mode ${(mode & 0o777).toString(8)}); run \`chmod 600 ${o.tokenFile}\``);
    const token = text.trim();
    if (!token) throw new UserError(`--token-file ${o.tokenFile} is empty`);
    return token;
  }
  const token = env.DIVE_WORKER_TOKEN ?? o.token;
  if (!token) throw new UserError('--server needs a worker token: --token-file FILE (a 0600 file), $DIVE_WORKER_TOKEN, or --token');
  return token;
}

/** The Slurm task this process runs in, if any: "123_4" for an array task, "123" for a plain job. */
export function slurmJobId(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.SLURM_ARRAY_JOB_ID && env.SLURM_ARRAY_TASK_ID) return `${env.SLURM_ARRAY_JOB_ID}_${env.SLURM_ARRAY_TASK_ID}`;
  return env.SLURM_JOB_ID || undefined;
}

export async function remoteWorkerCommand(o: RemoteWorkerFlags, cmd: Command): Promise<void> {
  if (o.maxRuns !== undefined && o.maxRuns < 1) throw new UserError('--max-runs: must be at least 1');
  const token = workerToken(o);
  let stopping = false;
  const onSignal = (signal: string) => {
    if (!stopping) process.stderr.write(`worker: ${signal}: stopping after this batch; the run goes back to the queue and resumes elsewhere\n`);
    stopping = true;
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    // imported here, not at the top: it loads TF.js, which no other command should pay for at start
    const { runRemoteWorker } = await import('../../core/app/remote-worker');
    const ended = await runRemoteWorker({
      server: o.server,
      token,
      cacheDir: o.cache ?? defaultCacheDir(),
      study: o.study,
      run: o.run,
      maxRuns: o.maxRuns,
      watch: o.watch,
      jobId: o.jobId ?? slurmJobId(),
      log: (l) => process.stderr.write(l + '\n'),
      stopping: () => stopping,
    });
    emit(globals(cmd), ended, () => (ended.length ? `${ended.length} run(s): ${ended.map((r) => `${r.name} ${r.status}`).join(', ')}` : 'nothing to run'));
    const failed = ended.filter((r) => r.status === 'failed');
    if (failed.length) throw new UserError(`${failed.length} run(s) failed: ${failed.map((r) => `${r.name}: ${r.error}`).join('; ')}`);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

export function registerWorkerTokenCommands(program: Command): void {
  const wt = program.command('worker-token').description('tokens for remote workers (`dive worker --server URL --token-file FILE`): create, list, revoke');
  wt.command('create <name>')
    .description('a new token, printed once on stdout (only its hash is stored); redirect it into a 0600 file')
    .action((name: string, _o, cmd: Command) =>
      withDispatcher(cmd, async (d) => {
        const t = await d.call('createWorkerToken', { name });
        emit(globals(cmd), t, () => t.token);
        if (!globals(cmd).json) process.stderr.write(`worker token ${t.name} created: keep it in a file only you can read (chmod 600); \`dive worker-token revoke ${t.name}\` ends it\n`);
      }, { slots: 0 }),
    );
  wt.command('list', { isDefault: true })
    .description('tokens with when they were created, last used and revoked')
    .action((_o, cmd: Command) =>
      withDispatcher(cmd, async (d) => {
        const rows = await d.call('listWorkerTokens', undefined);
        emit(globals(cmd), rows, () =>
          rows.length ? table(rows.map((r) => [r.name, r.createdAt, r.lastUsedAt ?? '', r.revokedAt ?? '']), ['token', 'created', 'last used', 'revoked']) : 'no worker tokens: `dive worker-token create NAME`',
        );
      }, { slots: 0 }),
    );
  wt.command('revoke <name>')
    .description('ends a token at once: workers using it are refused from their next call')
    .action((name: string, _o, cmd: Command) =>
      withDispatcher(cmd, async (d) => {
        const t = await d.call('revokeWorkerToken', { name });
        emit(globals(cmd), t, () => `worker token ${t.name} revoked`);
      }, { slots: 0 }),
    );
}
