// Learning rate per SGD step. Two warm-up forms, both linear over `warmupEpochs` epochs:
// - 'step' (the default): the factor rises every step, (s + 1) / (W * B) for the 0-based global
//   step s and B steps per epoch, so even a one-epoch warm-up ramps up from almost 0. In short runs
//   this is what keeps the first epoch's loss from blowing up (the form of Goyal et al. 2017 and of
//   most modern recipes).
// - 'epoch': the factor is set once per epoch, as the reference code kaidic/LDAM-DRW
//   `adjust_learning_rate` does, with 0-based epoch e: e + 1 <= 5: lr * (e + 1) / 5. A one-epoch
//   warm-up in this form is no warm-up at all; at the paper's 5 of 200 epochs the two forms differ
//   only inside those 5 epochs.
// The decay is the usual multi-step form (PyTorch MultiStepLR, BagofTricks-LT's warmup scheduler),
// set per epoch: gamma^k with k = number of milestones m with e >= m, so LDAM-DRW's recipe is
// milestones [160, 180] with gamma 0.01, and the DiVE recipe milestones [120, 160] with gamma 0.01.
// The cosine option anneals from lr to 0 over the epochs after warm-up:
//   lr * (1 + cos(pi * (e - W) / (E - W))) / 2.
import type { RunConfig } from '../domain/run-config';

export type ScheduleConfig = Pick<RunConfig, 'lr' | 'epochs' | 'warmupEpochs' | 'schedule' | 'milestones' | 'gamma'> &
  Partial<Pick<RunConfig, 'warmupForm'>>;

/** Per-epoch warm-up factor for 0-based epoch e: (e + 1) / W during the first W epochs, then 1. */
export function warmupFactor(epoch: number, warmupEpochs: number): number {
  return epoch < warmupEpochs ? (epoch + 1) / warmupEpochs : 1;
}

/** Per-step warm-up factor for 0-based global step s: (s + 1) / (W * B) during the first W epochs, then 1. */
export function stepWarmupFactor(step: number, warmupEpochs: number, stepsPerEpoch: number): number {
  const total = warmupEpochs * stepsPerEpoch;
  return step < total ? (step + 1) / total : 1;
}

/** gamma^(number of milestones reached by 0-based epoch e). */
export function stepFactor(epoch: number, milestones: readonly number[], gamma: number): number {
  let f = 1;
  for (const m of milestones) if (epoch >= m) f *= gamma;
  return f;
}

export function cosineFactor(epoch: number, epochs: number, warmupEpochs: number): number {
  if (epoch < warmupEpochs) return 1;
  const span = epochs - warmupEpochs;
  if (span <= 0) return 1;
  return 0.5 * (1 + Math.cos((Math.PI * (epoch - warmupEpochs)) / span));
}

function decayFactor(cfg: ScheduleConfig, epoch: number): number {
  return cfg.schedule === 'cosine' ? cosineFactor(epoch, cfg.epochs, cfg.warmupEpochs) : stepFactor(epoch, cfg.milestones, cfg.gamma);
}

/** The per-epoch form's learning rate throughout 0-based epoch `epoch` (the decay of either form). */
export function learningRate(cfg: ScheduleConfig, epoch: number): number {
  return cfg.lr * warmupFactor(epoch, cfg.warmupEpochs) * decayFactor(cfg, epoch);
}

/**
 * The learning rate of 0-based batch `batch` of 0-based epoch `epoch`, with `stepsPerEpoch`
 * batches per epoch, in the config's warm-up form ('step' when not given).
 */
export function learningRateAt(cfg: ScheduleConfig, epoch: number, batch: number, stepsPerEpoch: number): number {
  if (cfg.warmupForm === 'epoch') return learningRate(cfg, epoch);
  return cfg.lr * stepWarmupFactor(epoch * stepsPerEpoch + batch, cfg.warmupEpochs, stepsPerEpoch) * decayFactor(cfg, epoch);
}
