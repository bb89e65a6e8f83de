import type { Command } from 'commander';
import { SingleBar } from 'cli-progress';
import type { RunInfo, TrainEvent } from '../../core/api/types';
import type { RunningWorker } from '../../core/train/runner';
import type { Service } from '../../core/api/service';
import { UserError } from '../../core/errors';
import { emit, fmt, pct } from '../output';
import { globals, integer, number, numberList, withService } from '../options';
import { describeRun } from './runs';
import { runOneQueued } from './queue';
import { requeueForResume } from '../../core/store/runs';
import type { Store } from '../../core/store/store';

const hms = (s: number) => {
  if (!Number.isFinite(s)) return '-';
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h ? `${h}h${String(m).padStart(2, '0')}m` : `${m}m${String(Math.round(s % 60)).padStart(2, '0')}s`;
};

/** A live bar on a terminal (epoch, loss, accuracy, images/s, ETA); one line per epoch otherwise. */
export function trainProgress(): (e: TrainEvent) => void {
  let bar: SingleBar | null = null;
  const tty = Boolean(process.stderr.isTTY);
  return (e) => {
    if (e.type === 'started') {
      process.stderr.write(`training ${e.run} on ${e.backend.name} (${e.backend.device}, ${e.backend.threads} thread${e.backend.threads === 1 ? '' : 's'})${e.resumedFrom ? `, resuming after epoch ${e.resumedFrom}` : ''}\n`);
      for (const r of e.backend.reasons) process.stderr.write(`  ${r}\n`);
    } else if (e.type === 'batch' && tty) {
      if (!bar) {
        bar = new SingleBar({ stream: process.stderr, hideCursor: true, format: 'epoch {epoch} [{bar}] {percentage}% | loss {loss} acc {acc} | {ips} img/s | ETA {etaText}' });
        bar.start(e.batches, 0, { epoch: '', loss: '', acc: '', ips: '', etaText: '' });
      }
      bar.setTotal(e.batches);
      bar.update(e.batch, { epoch: String(e.epoch), loss: fmt(e.loss), acc: pct(e.acc), ips: e.imagesPerSec.toFixed(0), etaText: hms(e.etaSeconds) });
    } else if (e.type === 'epoch') {
      bar?.stop();
      bar = null;
      const r = e.record;
      process.stderr.write(`epoch ${r.epoch}/${e.epochs}  loss ${fmt(r.loss)}  lr ${r.lr.toPrecision(3)}  train ${pct(r.trainAcc)}%  test ${pct(r.testAcc)}%  ${r.imagesPerSec.toFixed(0)} img/s  ${r.seconds.toFixed(1)} s\n`);
    } else if (e.type === 'finished') {
      bar?.stop();
      bar = null;
      if (e.error) process.stderr.write(`run ${e.run} failed: ${e.error}\n`);
    }
  };
}

/** Waits for a worker; Ctrl-C asks it to stop after its batch (the run can be resumed). */
export async function follow(worker: RunningWorker): Promise<RunInfo> {
  const onSigint = () => {
    process.stderr.write('\nstopping after this batch (resume with `dive resume`)...\n');
    worker.cancel();
  };
  process.on('SIGINT', onSigint);
  try {
    return await worker.done;
  } finally {
    process.off('SIGINT', onSigint);
  }
}

/**
 * Queues one run and trains it to its end through the queue (a worker process, within the machine's
 * concurrency limit); a run that does not complete is an error for the CLI.
 */
export async function trainToEnd(svc: Service, store: Store, req: Record<string, unknown>, quiet = false): Promise<RunInfo> {
  const run = svc.createRun(req);
  return runOneQueued(store, run.id, quiet ? () => {} : trainProgress());
}

export function configFromOptions(o: Record<string, unknown>): Record<string, unknown> {
  const params = Object.fromEntries(
    Object.entries({ tau: o.tau, power: o.power, alpha: o.alpha, focalGamma: o.focalGamma, cbBeta: o.cbBeta, drwEpoch: o.drwEpoch }).filter(([, v]) => v !== undefined),
  );
  const augment = o.augment === undefined ? undefined : parseAugment(String(o.augment));
  const cfg: Record<string, unknown> = {
    method: o.method, model: o.model, epochs: o.epochs, batchSize: o.batch, lr: o.lr, momentum: o.momentum, weightDecay: o.weightDecay,
    warmupEpochs: o.warmup, schedule: o.schedule, milestones: o.milestones, gamma: o.gamma, seed: o.seed, augment, backend: o.backend, params,
  };
  return Object.fromEntries(Object.entries(cfg).filter(([, v]) => v !== undefined));
}

function parseAugment(s: string): { crop: boolean; flip: boolean } {
  const parts = s === 'none' || s === '' ? [] : s.split(',').map((x) => x.trim());
  for (const p of parts) if (p !== 'crop' && p !== 'flip') throw new UserError(`--augment: unknown augmentation "${p}" (use crop, flip, crop,flip or none)`);
  return { crop: parts.includes('crop'), flip: parts.includes('flip') };
}

/** `grid`: --tau, --power and --alpha take comma lists (a study's parameter grid). */
export function addTrainOptions(cmd: Command, grid = false): Command {
  const gridNumber: (v: string) => number | number[] = grid ? numberList : number;
  return cmd
    .option('--model <arch>', 'mlp, cnn, resnet8, resnet20 or resnet32', 'resnet32')
    .option('--epochs <n>', 'epochs (default 200)', integer)
    .option('--batch <n>', 'batch size (default 128)', integer)
    .option('--lr <lr>', 'base learning rate (default 0.1)', number)
    .option('--momentum <m>', 'SGD momentum (default 0.9)', number)
    .option('--weight-decay <wd>', 'weight decay (default 2e-4)', number)
    .option('--warmup <epochs>', 'linear warm-up epochs (default min(5, epochs/10))', integer)
    .option('--schedule <s>', 'step or cosine')
    .option('--milestones <list>', 'epochs at which a step schedule multiplies the lr by --gamma (default 60% and 80% of the run)', numberList)
    .option('--gamma <g>', 'lr multiplier at each milestone (default 0.01)', number)
    .option('--seed <n>', 'seed of init, batch order and augmentation (default 0)', integer)
    .option('--augment <list>', 'crop,flip (default), crop, flip or none')
    .option('--tau <T>', 'distillation temperature (kd, dive; default 3)', gridNumber)
    .option('--power <p>', 'DiVE power normalisation (default 0.5)', gridNumber)
    .option('--alpha <a>', 'weight of the distillation term (default 0.5)', gridNumber)
    .option('--focal-gamma <g>', 'focal loss gamma (default 1)', number)
    .option('--cb-beta <b>', 'class-balanced beta (default 0.9999)', number)
    .option('--drw-epoch <e>', 'LDAM-DRW: epoch re-weighting starts (default 80% of the run)', integer)
    .option('--backend <name>', 'tensorflow-gpu, tensorflow, wasm or cpu (default: the best available; also $DIVE_BACKEND)');
}

export function registerTrainCommands(program: Command): void {
  addTrainOptions(
    program
      .command('train')
      .description('train a run in a worker process (teacher, student or baseline)')
      .requiredOption('--split <name>')
      .requiredOption('--method <m>', 'ce, focal, cb, ldam-drw, bsce, kd or dive')
      .option('--teacher <run>', 'completed teacher run (kd, dive)')
      .option('--name <name>', 'run name (default method-model-split)'),
  ).action((o, cmd: Command) =>
    withService(cmd, async (svc, store) => {
      const run = await trainToEnd(svc, store, { split: o.split, name: o.name, teacher: o.teacher, config: configFromOptions(o) });
      emit(globals(cmd), run, () => describeRun(run));
    }),
  );

  program
    .command('resume <run>')
    .description('continue an interrupted or cancelled run from its last checkpoint')
    .action((name: string, _o, cmd: Command) =>
      withService(cmd, async (_svc, store) => {
        const run = await runOneQueued(store, requeueForResume(store, name));
        emit(globals(cmd), run, () => describeRun(run));
      }),
    );

  program
    .command('cancel <run>')
    .description('stop a running run after its current batch (it can be resumed)')
    .action((name: string, _o, cmd: Command) =>
      withService(cmd, (svc) => {
        const run = svc.cancelRun(name);
        emit(globals(cmd), run, () => (run.status === 'cancelled' ? `cancelled ${run.name}` : `asked ${run.name} to stop after its current batch`));
      }),
    );
}
