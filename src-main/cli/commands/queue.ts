// `dive queue` (list, priority, remove) and `dive worker` (the executor in the foreground), plus
// the narrow executor that `dive train`, `dive resume` and `dive study run` use to run their own
// queued runs through the same queue and concurrency limit.
import type { Command } from 'commander';
import type { RunInfo, TrainEvent } from '../../core/api/types';
import { localExecutor } from '../../core/app/local-executor';
import { startQueueRunner } from '../../core/app/queue-runner';
import { UserError } from '../../core/errors';
import { inFlight, queueView, setPriority, type QueueEntry } from '../../core/store/queue';
import { deleteRun, getRun, runRow } from '../../core/store/runs';
import type { Store } from '../../core/store/store';
import { emit, table } from '../output';
import { globals, integer, withService } from '../options';
import { trainProgress } from './train';

/**
 * Runs the queued runs `ids` (in queue order, within the machine's concurrency limit) until none of
 * them can still start; Ctrl-C asks the running ones to stop after their batch. Returns them as stored.
 */
export async function runQueued(store: Store, ids: readonly number[], onEvent: (e: TrainEvent) => void = trainProgress()): Promise<RunInfo[]> {
  const executor = localExecutor(store);
  const busy = inFlight(store);
  if (busy >= executor.slots) process.stderr.write(`waiting for a free slot: ${busy} run(s) in flight, limit ${executor.slots} (DIVE_CONCURRENCY)\n`);
  const runner = startQueueRunner({ store, executor, only: () => ids, onEvent });
  const onSigint = () => {
    process.stderr.write('\nstopping after this batch (continue with `dive resume` or `dive study run`)...\n');
    void runner.stop({ cancel: true });
  };
  process.on('SIGINT', onSigint);
  try {
    await runner.idle();
  } finally {
    process.off('SIGINT', onSigint);
    await runner.stop({ cancel: false });
  }
  return ids.map((id) => getRun(store, id));
}

/** One queued run to its end; a run that does not complete is an error for the CLI. */
export async function runOneQueued(store: Store, id: number, onEvent?: (e: TrainEvent) => void): Promise<RunInfo> {
  const [done] = await runQueued(store, [id], onEvent);
  if (done.status === 'queued') throw new UserError(`run "${done.name}" is still queued: its teacher ${done.teacher ?? ''} has not completed`);
  if (done.status !== 'completed') throw new UserError(`run "${done.name}" ended ${done.status}${done.error ? `: ${done.error}` : ''}`);
  return done;
}

export function queueTable(q: QueueEntry[]): string {
  if (!q.length) return 'the queue is empty';
  return table(
    q.map((e) => [e.position ?? '-', e.name, e.status, e.method, e.model, e.split, e.study ?? '', e.priority, `${e.epochsDone}/${e.epochs}`, e.blockedBy ?? '']),
    ['#', 'run', 'status', 'method', 'model', 'split', 'study', 'priority', 'epochs', 'waiting for'],
  );
}

export function registerQueueCommands(program: Command): void {
  const queue = program.command('queue').description('the persistent run queue: list (default), priority, remove');
  queue
    .command('list', { isDefault: true })
    .description('running runs, then queued runs in the order they will start')
    .action((_o, cmd: Command) =>
      withService(cmd, (_svc, store) => {
        const q = queueView(store);
        emit(globals(cmd), q, () => queueTable(q));
      }),
    );
  queue
    .command('priority <run> <n>')
    .description('re-prioritise a queued run (higher starts first; default 0; ties start oldest first)')
    .action((name: string, n: string, _o, cmd: Command) =>
      withService(cmd, (_svc, store) => {
        setPriority(store, name, integer(n));
        const q = queueView(store);
        emit(globals(cmd), q, () => queueTable(q));
      }),
    );
  queue
    .command('remove <run>')
    .description('delete a queued (or cancelled) run that has not started training')
    .action((name: string, _o, cmd: Command) =>
      withService(cmd, (_svc, store) => {
        const r = runRow(store, name);
        if (r.epochs_done > 0 || (r.status !== 'queued' && r.status !== 'cancelled')) {
          throw new UserError(`run "${r.name}" is ${r.status} with ${r.epochs_done} epoch(s) trained; use \`dive delete run ${r.name}\` for a run that has results`);
        }
        const out = deleteRun(store, name);
        emit(globals(cmd), out, () => `removed ${out.name} from the queue`);
      }),
    );

  program
    .command('worker')
    .description('run the queue in the foreground until it is empty (or --watch); resumes interrupted runs first')
    .option('--watch', 'keep waiting for new runs until Ctrl-C')
    .option('--concurrency <n>', 'runs at once on this machine (default $DIVE_CONCURRENCY or 1)', integer)
    .action((o: { watch?: boolean; concurrency?: number }, cmd: Command) =>
      withService(cmd, async (_svc, store) => {
        if (o.concurrency !== undefined && o.concurrency < 1) throw new UserError('--concurrency: must be at least 1');
        const ended: RunInfo[] = [];
        const runner = startQueueRunner({
          store,
          executor: localExecutor(store, { slots: o.concurrency }),
          resumeInterrupted: true,
          onEvent: trainProgress(),
          onRunEnded: (r) => {
            ended.push(r);
            process.stderr.write(`run ${r.name} ${r.status}\n`);
          },
          pollMs: 1000,
        });
        let stopping = false;
        const stopped = new Promise<void>((resolve) => {
          const onSignal = () => {
            process.off('SIGINT', onSignal);
            process.off('SIGTERM', onSignal);
            stopping = true;
            process.stderr.write('\nstopping: running runs finish their batch and are cancelled (resume them later)...\n');
            void runner.stop({ cancel: true }).then(resolve);
          };
          process.on('SIGINT', onSignal);
          process.on('SIGTERM', onSignal);
        });
        if (o.watch) await stopped;
        else await Promise.race([runner.idle(), stopped]);
        if (!stopping) await runner.stop({ cancel: false });
        const rows = ended.map((r) => ({ name: r.name, status: r.status, top1: r.metrics?.top1 ?? null }));
        emit(globals(cmd), rows, () => (rows.length ? `${rows.length} run(s) ended: ${rows.map((r) => `${r.name} ${r.status}`).join(', ')}` : 'nothing to run: the queue is empty'));
      }),
    );
}
