// Live progress of running runs, folded from the worker's events (started / batch / epoch / finished).
import type { TrainEvent } from '../../src-main/core/domain/types';

export interface Live {
  epoch: number;
  epochs: number;
  batch: number;
  batches: number;
  loss: number | null;
  acc: number | null;
  imagesPerSec: number | null;
  etaSeconds: number | null;
  /** overall fraction done in [0, 1] */
  fraction: number;
  backend: string | null;
  finished: boolean;
}

export function emptyLive(epochs = 0, epochsDone = 0): Live {
  return {
    epoch: epochsDone, epochs, batch: 0, batches: 0, loss: null, acc: null, imagesPerSec: null, etaSeconds: null,
    fraction: epochs > 0 ? epochsDone / epochs : 0, backend: null, finished: false,
  };
}

/** The next state after one event; events for other runs are the caller's concern. */
export function foldEvent(prev: Live | undefined, e: TrainEvent): Live {
  const s = prev ?? emptyLive();
  switch (e.type) {
    case 'started':
      return { ...s, epochs: e.epochs, epoch: e.resumedFrom, fraction: e.epochs > 0 ? e.resumedFrom / e.epochs : 0, backend: e.backend.name, finished: false };
    case 'batch': {
      const epochs = s.epochs || e.epoch;
      // batch events count epochs from 1 and batches from 1 (the batch just finished)
      const fraction = epochs > 0 && e.batches > 0 ? Math.min(1, (e.epoch - 1 + e.batch / e.batches) / epochs) : s.fraction;
      return { ...s, epoch: e.epoch, epochs, batch: e.batch, batches: e.batches, loss: e.loss, acc: e.acc, imagesPerSec: e.imagesPerSec, etaSeconds: e.etaSeconds, fraction };
    }
    case 'epoch':
      return { ...s, epoch: e.record.epoch, epochs: e.epochs, fraction: e.epochs > 0 ? Math.min(1, e.record.epoch / e.epochs) : s.fraction, imagesPerSec: e.record.imagesPerSec, loss: e.record.loss };
    case 'finished':
      return { ...s, finished: true, fraction: e.status === 'completed' ? 1 : s.fraction, etaSeconds: 0 };
    case 'warning':
      return s;
  }
}
