// `dive study run NAME --executor slurm`: this process owns the store and serves the worker API
// (only that) while Slurm array tasks train the study's runs as remote workers. It waits in the
// foreground like a local `dive study run`, shows each submission and each task that died, and on
// Ctrl-C scancels the study's tasks (the runs can be continued with `dive study run` again).
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { DEFAULT_LEASE_MS, remoteWork } from '../../core/app/remote-service';
import { batchScript, sbatchArgs, type SlurmOptions } from '../../core/app/slurm';
import { driveSlurmStudy } from '../../core/app/slurm-executor';
import type { StudyDetail } from '../../core/domain/study-types';
import { UserError } from '../../core/domain/errors';
import { workerHandler } from '../../server/worker-api';
import { startWorkerServer } from '../../server/worker-server';
import { withDispatcher } from '../options';

/** The command's flags: the sbatch options as SlurmOptions names them (`extra` is `--sbatch-arg`), then the server's. */
export interface SlurmFlags extends Omit<SlurmOptions, 'extra'> {
  sbatchArg?: string[];
  workerHost?: string;
  workerPort?: number;
  workerUrl?: string;
  tlsCert?: string;
  tlsKey?: string;
  leaseSeconds?: number;
  jobDir?: string;
  diveCommand?: string;
  cache?: string;
}

const DIVE_ENTRY = fileURLToPath(new URL('../dive.mjs', import.meta.url));

export function addSlurmOptions(cmd: Command): Command {
  return cmd
    .option('--partition <p>', 'slurm: the partition (default: the cluster\'s default)')
    .option('--gres <spec>', 'slurm: generic resources per task, e.g. gpu:1')
    .option('--time <limit>', 'slurm: wall-clock limit per task, e.g. 24:00:00 (a run that hits it resumes in a new task)')
    .option('--cpus-per-task <n>', 'slurm: CPUs per task', (v: string) => Number(v))
    .option('--mem <size>', 'slurm: memory per task, e.g. 16G')
    .option('--max-tasks <k>', 'slurm: tasks of the array running at once (--array=0-N%K)', (v: string) => Number(v))
    .option('--sbatch-arg <flag>', 'slurm: another sbatch flag, e.g. --sbatch-arg=--account=lab (repeatable)', (v: string, prev: string[] = []) => [...prev, v])
    .option('--worker-host <addr>', 'slurm: address the worker API listens on (default 0.0.0.0: compute nodes must reach it)')
    .option('--worker-port <n>', 'slurm: its port (default: a free one)', (v: string) => Number(v))
    .option('--worker-url <url>', 'slurm: the address tasks are given (default http://THIS-HOST:PORT), e.g. through a tunnel')
    .option('--tls-cert <file>', 'slurm: PEM certificate: the worker API speaks HTTPS')
    .option('--tls-key <file>', 'slurm: PEM private key of --tls-cert')
    .option('--lease-seconds <n>', `slurm: a task silent this long loses its run (default ${DEFAULT_LEASE_MS / 1000})`, (v: string) => Number(v))
    .option('--job-dir <dir>', 'slurm: a folder the nodes share; each submission\'s batch script, token file and task logs go in a new 0700 sub-folder STUDY-TIME-XXXXXX of it (default DATA_DIR/slurm)')
    .option('--dive-command <cmd>', 'slurm: how a task starts dive (default: this node and this checkout, as absolute paths)')
    .option('--cache <dir>', 'slurm: the tasks\' file cache (default $DIVE_CACHE or ~/.cache/dive-workbench on each node)');
}

/**
 * The folder of one submission's batch script, token file and task logs: a new sub-folder
 * STUDY-TIME-XXXXXX of --job-dir (default DATA_DIR/slurm), created 0700 by mkdtemp because it holds
 * the worker token. --job-dir itself is created if missing and otherwise left as it is: it is often
 * a scratch folder shared by every user of the cluster (mode 1777), which a chmod would lock.
 */
export function makeJobDir(jobDirFlag: string | undefined, dataDir: string, study: string): { dir: string; safe: string; stamp: string } {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '');
  const safe = study.replace(/[^\w.-]+/g, '_').slice(0, 40);
  const base = jobDirFlag ?? join(dataDir, 'slurm');
  mkdirSync(base, { recursive: true, mode: 0o700 });
  const dir = mkdtempSync(join(base, `${safe}-${stamp}-`));
  return { dir, safe, stamp };
}

export async function runStudyOnSlurm(name: string, o: SlurmFlags, cmd: Command, report: (d: StudyDetail) => void): Promise<void> {
  const lease = o.leaseSeconds ?? DEFAULT_LEASE_MS / 1000;
  if (!Number.isInteger(lease) || lease < 5) throw new UserError('--lease-seconds: a whole number >= 5');
  if ((o.tlsCert === undefined) !== (o.tlsKey === undefined)) throw new UserError('--tls-cert and --tls-key go together');
  if (o.workerPort !== undefined && !(Number.isInteger(o.workerPort) && o.workerPort >= 0 && o.workerPort < 65536)) throw new UserError('--worker-port: 0-65535');
  if (o.cpusPerTask !== undefined && !(Number.isInteger(o.cpusPerTask) && o.cpusPerTask >= 1)) throw new UserError('--cpus-per-task: a whole number >= 1');
  const slurm = { partition: o.partition, gres: o.gres, time: o.time, cpusPerTask: o.cpusPerTask, mem: o.mem, maxTasks: o.maxTasks, extra: o.sbatchArg };
  // the flags are checked before anything is queued or served
  sbatchArgs(slurm, 1, 'job.sh');
  // slots 0: this process trains nothing itself
  await withDispatcher(cmd, async (d, store) => {
    const queued = await d.call('runStudy', { name });
    process.stderr.write(`study ${name}: ${queued.runs.filter((r) => r.status !== 'completed').length} run(s) to train on Slurm\n`);
    const { dir: jobDir, safe, stamp } = makeJobDir(o.jobDir, store.dataDir, name);
    // a token for this submission only, in a file only the user can read, revoked when the study ends
    const token = await d.call('createWorkerToken', { name: `slurm-${safe}-${stamp}-${process.pid}` });
    const tokenFile = join(jobDir, 'worker.token');
    writeFileSync(tokenFile, token.token + '\n', { mode: 0o600 });
    chmodSync(tokenFile, 0o600);
    const server = await startWorkerServer({
      handler: workerHandler(remoteWork(store, { leaseMs: lease * 1000 })),
      host: o.workerHost ?? '0.0.0.0',
      port: o.workerPort ?? 0,
      // the worker API alone, token-guarded: what compute nodes on other hosts need
      allowRemote: true,
      tls: o.tlsCert && o.tlsKey ? { cert: o.tlsCert, key: o.tlsKey } : undefined,
      publicUrl: o.workerUrl,
    });
    let stopping = false;
    const onSignal = () => {
      if (!stopping) process.stderr.write('\nstopping: scancelling the study\'s tasks (continue with `dive study run NAME --executor slurm`)...\n');
      stopping = true;
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    try {
      const script = join(jobDir, 'job.sh');
      const dive = o.diveCommand ? o.diveCommand.split(/\s+/).filter(Boolean) : [process.execPath, DIVE_ENTRY];
      writeFileSync(script, batchScript({ study: name, dive, server: server.url, tokenFile, cacheDir: o.cache, logDir: jobDir }), { mode: 0o700 });
      process.stderr.write(`worker API on ${server.url}; batch script, token file and task logs in ${jobDir}\n`);
      await driveSlurmStudy({
        store,
        study: name,
        script,
        slurm,
        log: (l) => process.stderr.write(l + '\n'),
        stopping: () => stopping,
      });
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      await server.close();
      await d.call('revokeWorkerToken', { name: token.name }).catch(() => undefined);
      rmSync(tokenFile, { force: true });
    }
    report(await d.call('getStudy', { name }));
  }, { slots: 0 });
}
