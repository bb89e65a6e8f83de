// Training progress on stderr, and following a run to its end through the dispatcher.
import { SingleBar } from 'cli-progress';
import type { Dispatcher } from '../core/app/dispatch';
import { UserError } from '../core/domain/errors';
import type { RunInfo, TrainEvent } from '../core/domain/types';
import { fmt, pct } from './output';

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
      const val = r.valAcc != null ? `  val ${pct(r.valAcc)}%` : '';
      // a short run's earlier epochs are tested on a fixed sample of the test set (domain/eval-plan.ts)
      const sample = r.testAcc !== null && r.testImages ? ` (${r.testImages} images)` : '';
      process.stderr.write(`epoch ${r.epoch}/${e.epochs}  loss ${fmt(r.loss)}  lr ${r.lr.toPrecision(3)}  train ${pct(r.trainAcc)}%  test ${r.testAcc === null ? '-' : `${pct(r.testAcc)}%${sample}`}${val}  ${r.imagesPerSec.toFixed(0)} img/s  ${r.seconds.toFixed(1)} s\n`);
    } else if (e.type === 'warning') {
      bar?.stop();
      bar = null;
      process.stderr.write(`warning: ${e.warning}\n`);
    } else if (e.type === 'finished') {
      bar?.stop();
      bar = null;
      if (e.error) process.stderr.write(`run ${e.run} failed: ${e.error}\n`);
    }
  };
}

/**
 * Waits for a run's worker; Ctrl-C asks the run to stop after
 * its batch (it can be resumed). A run that does not complete is an error for the CLI.
 */
export async function follow(d: Dispatcher, name: string): Promise<RunInfo> {
  const onSigint = () => {
    process.stderr.write('\nstopping after this batch (resume with `dive resume`)...\n');
    d.call('cancelRun', { name }).catch(() => undefined);
  };
  process.on('SIGINT', onSigint);
  try {
    const done = await d.runEnded(name);
    if (done.status !== 'completed') throw new UserError(`run "${done.name}" ended ${done.status}${done.error ? `: ${done.error}` : ''}`);
    return done;
  } finally {
    process.off('SIGINT', onSigint);
  }
}

/** Prints every training event of this dispatcher on stderr until the returned function is called. */
export function printTraining(d: Dispatcher): () => void {
  const show = trainProgress();
  return d.subscribe((e) => {
    if (e.type !== 'progress' && e.type !== 'changed') show(e);
  });
}
