// `dive queue` (list, priority, remove) and `dive worker` (the whole queue's executor in the
// foreground). `dive train`, `dive resume` and `dive study run` train their own queued runs through
// the same queue and concurrency limit (their dispatcher's executor, queue 'own').
import type { Command } from 'commander';
import type { QueueEntry } from '../../core/domain/study-types';
import type { RunStatus } from '../../core/domain/types';
import { UserError } from '../../core/domain/errors';
import { emit, table } from '../output';
import { globals, integer, withDispatcher } from '../options';
import { printTraining } from '../train-progress';
import { remoteWorkerCommand, type RemoteWorkerFlags } from './remote';

/** "local", or e.g. "slurm 123_4 RUNNING", "slurm 124 PENDING (Resources)" */
export function jobText(e: QueueEntry): string {
  if (e.executor === 'local' || e.jobId === null) return e.executor;
  return `${e.executor} ${e.jobId}${e.jobState ? ` ${e.jobState}` : ''}${e.jobReason ? ` (${e.jobReason})` : ''}`;
}

export function queueTable(q: QueueEntry[]): string {
  if (!q.length) return 'the queue is empty';
  return table(
    q.map((e) => [e.position ?? '-', e.name, e.status, e.method, e.model, e.split, e.study ?? '', e.priority, `${e.epochsDone}/${e.epochs}`, jobText(e), e.blockedBy ?? '']),
    ['#', 'run', 'status', 'method', 'model', 'split', 'study', 'priority', 'epochs', 'executor', 'waiting for'],
  );
}

export function registerQueueCommands(program: Command): void {
  const queue = program.command('queue').description('the persistent run queue: list (default), priority, remove');
  queue
    .command('list', { isDefault: true })
    .description('running runs, then queued runs in the order they will start')
    .action((_o, cmd: Command) =>
      withDispatcher(cmd, async (d) => {
        const q = await d.call('listQueue', undefined);
        emit(globals(cmd), q, () => queueTable(q));
      }),
    );
  queue
    .command('priority <run> <n>')
    .description('re-prioritise a queued run (higher starts first; default 0; ties start oldest first)')
    .action((name: string, n: string, _o, cmd: Command) =>
      // a dispatcher with no slot: re-prioritising trains nothing here
      withDispatcher(cmd, async (d) => {
        const q = await d.call('setPriority', { name, priority: integer(n) });
        emit(globals(cmd), q, () => queueTable(q));
      }, { slots: 0 }),
    );
  queue
    .command('remove <run>')
    .description('take a queued (or cancelled) run that has not started training off the queue, into the trash')
    .action((name: string, _o, cmd: Command) =>
      withDispatcher(cmd, async (d) => {
        const r = await d.call('getRun', { name });
        if (r.epochsDone > 0 || (r.status !== 'queued' && r.status !== 'cancelled')) {
          throw new UserError(`run "${r.name}" is ${r.status} with ${r.epochsDone} epoch(s) trained; use \`dive delete run ${r.name}\` for a run that has results`);
        }
        // a delete takes a queued run off the queue (cancelled) and keeps it in the trash
        const out = await d.call('deleteRun', { name });
        emit(globals(cmd), out, () => `removed ${out.name} from the queue (trash entry ${out.trashId}; \`dive trash restore ${out.trashId}\` brings it back)`);
      }, { slots: 0 }),
    );

  program
    .command('worker')
    .description('run the queue in the foreground until it is empty (or --watch); resumes interrupted runs first')
    .option('--watch', 'keep waiting for new runs until Ctrl-C (with --server too)')
    .option('--concurrency <n>', 'runs at once on this machine (default $DIVE_CONCURRENCY or 1)', integer)
    .option('--server <url>', "train runs of the store a `dive serve` owns, over its worker API (no local store)")
    .option('--token-file <file>', 'with --server: a 0600 file holding the worker token (or $DIVE_WORKER_TOKEN)')
    .option('--token <token>', 'with --server: the worker token itself (visible to other users in `ps`: prefer --token-file)')
    .option('--study <name>', 'with --server: only runs of this study')
    .option('--run <name>', 'with --server: only this run')
    .option('--max-runs <n>', 'with --server: exit after this many runs (a Slurm task trains one)', integer)
    .option('--cache <dir>', 'with --server: cache of fetched files by SHA-256 (default $DIVE_CACHE or ~/.cache/dive-workbench)')
    .action((o: { watch?: boolean; concurrency?: number } & Partial<RemoteWorkerFlags>, cmd: Command) =>
      o.server !== undefined ? remoteWorkerCommand({ ...o, server: o.server }, cmd) : withDispatcher(
        cmd,
        async (d) => {
          if (o.concurrency !== undefined && o.concurrency < 1) throw new UserError('--concurrency: must be at least 1');
          const ended: { run: string; status: RunStatus }[] = [];
          const stopPrinting = printTraining(d);
          const unsubscribe = d.subscribe((e) => {
            if (e.type !== 'finished') return;
            ended.push({ run: e.run, status: e.status });
            process.stderr.write(`run ${e.run} ${e.status}\n`);
          });
          const stopped = new Promise<void>((resolve) => {
            const onSignal = () => {
              process.off('SIGINT', onSignal);
              process.off('SIGTERM', onSignal);
              process.stderr.write('\nstopping: running runs finish their batch and are cancelled (resume them later)...\n');
              // close() cancels the running runs (each stops after its batch) and waits for them
              void d.close().then(resolve);
            };
            process.on('SIGINT', onSignal);
            process.on('SIGTERM', onSignal);
          });
          if (o.watch) await stopped;
          else await Promise.race([d.idle(), stopped]);
          unsubscribe();
          stopPrinting();
          // after a signal the dispatcher is closed: the statuses are the workers' own
          const rows = await Promise.all(
            ended.map(async (e) => {
              const r = await d.call('getRun', { name: e.run }).catch(() => null);
              return { name: e.run, status: r?.status ?? e.status, top1: r?.metrics?.top1 ?? null };
            }),
          );
          emit(globals(cmd), rows, () => (rows.length ? `${rows.length} run(s) ended: ${rows.map((r) => `${r.name} ${r.status}`).join(', ')}` : 'nothing to run: the queue is empty'));
        },
        { queue: 'all', slots: o.concurrency },
      ),
    );
}
