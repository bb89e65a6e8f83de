// Defaults that learn in short runs. The paper's batch 128 is tuned for 200 epochs over CIFAR's
// 12,406+ images (about 20,000 SGD steps). A 3-epoch run on a 1,236-image split gets 30 steps at
// that batch, and a ResNet-32 then ends at chance. The rule: when the caller leaves the batch size
// out and the run would take fewer than MIN_STEPS steps, halve the batch (down to MIN_BATCH) until
// it takes at least MIN_STEPS; when the caller also leaves the lr out, scale it with the batch
// (Goyal et al.'s linear rule: 0.1 per 128 images). The chosen values are stored in the config, so
// the record says what was trained; a caller who gives either keeps it.
export const PAPER_BATCH = 128;
export const PAPER_LR = 0.1;
export const MIN_STEPS = 300;
export const MIN_BATCH = 16;

export interface ShortRunChoice {
  batchSize: number;
  lr: number;
}

/** The batch and lr for a run of `epochs` over `trainImages` images, or null when the paper's fit. */
export function shortRunDefaults(epochs: number, trainImages: number): ShortRunChoice | null {
  const steps = (b: number) => epochs * Math.ceil(trainImages / b);
  if (trainImages < 1 || steps(PAPER_BATCH) >= MIN_STEPS) return null;
  let b = PAPER_BATCH;
  while (b > MIN_BATCH && steps(b) < MIN_STEPS) b /= 2;
  return { batchSize: b, lr: (PAPER_LR * b) / PAPER_BATCH };
}

/**
 * The config input with the short-run rule applied to what the caller left out (`batchSize`, and
 * `lr` only together with it). Any other input is returned as it is.
 */
export function withShortRunDefaults(input: Record<string, unknown>, trainImages: number): Record<string, unknown> {
  if (input.batchSize !== undefined) return input;
  const epochs = typeof input.epochs === 'number' ? input.epochs : 200;
  const c = shortRunDefaults(epochs, trainImages);
  if (!c) return input;
  return { ...input, batchSize: c.batchSize, ...(input.lr === undefined ? { lr: c.lr } : {}) };
}
