// Defaults that learn in short runs. The paper's batch 128 is tuned for 200 epochs over CIFAR's
// 12,406+ images (about 20,000 SGD steps). A 3-epoch run on a 1,236-image split gets 30 steps at
// that batch, and a ResNet-32 then ends at chance. The rule: when the caller leaves the batch size
// out and the run would take fewer than MIN_STEPS steps, halve the batch (down to MIN_BATCH) until
// it takes at least MIN_STEPS; when the caller also leaves the lr out, scale it with the batch
// (Goyal et al.'s linear rule: 0.1 per 128 images; also for a batch the caller gave). The chosen
// values are stored in the config, so the record says what was trained; what the caller gives is kept.
import { METHODS, type Method } from './method';
import { methodDefaults, RUN_DEFAULTS } from './run-config';

export const MIN_STEPS = 300;
export const MIN_BATCH = 16;

export interface ShortRunChoice {
  batchSize: number;
  lr: number;
}

/**
 * The batch and lr for a run of `epochs` over `trainImages` images, or null when the method's
 * defaults fit (the paper's 128 and 0.1; the decoupled methods' 512 and 0.2; nothing for a post-hoc
 * method, which trains no epoch).
 */
export function shortRunDefaults(epochs: number, trainImages: number, method?: Method): ShortRunChoice | null {
  const { batchSize: PAPER_BATCH, lr: PAPER_LR } = method ? methodDefaults(method) : RUN_DEFAULTS;
  const steps = (b: number) => epochs * Math.ceil(trainImages / b);
  if (trainImages < 1 || epochs < 1 || steps(PAPER_BATCH) >= MIN_STEPS) return null;
  let b = PAPER_BATCH;
  while (b > MIN_BATCH && steps(b) < MIN_STEPS) b /= 2;
  return { batchSize: b, lr: (PAPER_LR * b) / PAPER_BATCH };
}

/**
 * The config input with the rule applied to what the caller left out: `batchSize` (short runs on
 * small splits), and `lr`, which follows the batch, the caller's or the chosen one, at 0.1 per 128.
 * Any other input is returned as it is.
 */
export function withShortRunDefaults(input: Record<string, unknown>, trainImages: number): Record<string, unknown> {
  const method = (METHODS as readonly unknown[]).includes(input.method) ? (input.method as Method) : undefined;
  const { batchSize: PAPER_BATCH, lr: PAPER_LR, epochs: EPOCHS } = method ? methodDefaults(method) : RUN_DEFAULTS;
  const epochs = typeof input.epochs === 'number' ? input.epochs : EPOCHS;
  const chosen = input.batchSize === undefined ? shortRunDefaults(epochs, trainImages, method) : null;
  const batch = chosen ? chosen.batchSize : input.batchSize;
  const out = chosen ? { ...input, batchSize: chosen.batchSize } : input;
  if (input.lr !== undefined || typeof batch !== 'number' || batch === PAPER_BATCH) return out;
  return { ...out, lr: (PAPER_LR * batch) / PAPER_BATCH };
}
