// Learning rate per epoch, set once at the start of each epoch (not per batch), as in the
// reference code kaidic/LDAM-DRW `adjust_learning_rate`, which does, with 0-based epoch e:
//   e + 1 <= 5: lr * (e + 1) / 5;   e >= 160: lr * 0.01;   e >= 180: lr * 0.0001
// i.e. linear warm-up that reaches the base lr at the last warm-up epoch, then step decay. Here
// the decay is the usual multi-step form (PyTorch MultiStepLR, BagofTricks-LT's warmup scheduler):
// the multiplier is gamma^k with k = number of milestones m with e >= m, so LDAM-DRW's recipe is
// milestones [160, 180] with gamma 0.01, and the DiVE recipe milestones [120, 160] with gamma 0.01.
// The cosine option anneals from lr to 0 over the epochs after warm-up:
//   lr * (1 + cos(pi * (e - W) / (E - W))) / 2.
import type { RunConfig } from '../domain/run-config';

export type ScheduleConfig = Pick<RunConfig, 'lr' | 'epochs' | 'warmupEpochs' | 'schedule' | 'milestones' | 'gamma'>;

/** Warm-up factor for 0-based epoch e: (e + 1) / W during the first W epochs, then 1. */
export function warmupFactor(epoch: number, warmupEpochs: number): number {
  return epoch < warmupEpochs ? (epoch + 1) / warmupEpochs : 1;
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

/** The learning rate used throughout 0-based epoch `epoch`. */
export function learningRate(cfg: ScheduleConfig, epoch: number): number {
  const decay = cfg.schedule === 'cosine' ? cosineFactor(epoch, cfg.epochs, cfg.warmupEpochs) : stepFactor(epoch, cfg.milestones, cfg.gamma);
  return cfg.lr * warmupFactor(epoch, cfg.warmupEpochs) * decay;
}
