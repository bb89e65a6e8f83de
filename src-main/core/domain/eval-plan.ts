// When a run is evaluated on the test set, and on how much of it. A test image costs about a
// third of a training image (a forward pass only), so evaluating every K epochs on the whole test
// set costs test / (3 K train) of the training time; the cadence K = ceil(4 test / (3 train)) keeps
// that under a quarter. On a small split with a large test set (Fashion-MNIST-LT: 1,236 training
// and 10,000 test images, K = 11) a short run would be evaluated after its last epoch only: one
// dot, no curve. Such a run (fewer than MIN_TEST_POINTS evaluated epochs) is evaluated every
// max(1, floor(E / MIN_TEST_POINTS)) epochs instead, the epochs before the last on a fixed
// class-stratified sample of the test set sized so those evaluations still cost at most a quarter
// of the training time; the last epoch, whose figures are the run's, is always on the whole test
// set. The sample is the same for every run of the dataset (a fixed seed), so curves compare.
// Pure, in the leaf package, so the training loop and an estimate before Start agree.

/** a run with fewer evaluated epochs than this (or than its epochs) gets a sampled curve */
export const MIN_TEST_POINTS = 5;
/** evaluations may cost this share of the training time (test images counted as a third) */
const EVAL_BUDGET = 0.25;
/** the seed of the test sample: one sample per dataset, whatever the run */
export const TEST_SAMPLE_SEED = 0;

export interface EvalPlan {
  /** evaluated epochs (1-based): every `every`-th and always the last */
  every: number;
  /** test images evaluated at the epochs before the last; null: the whole test set every time */
  sample: number | null;
}

/** Images of class c held out for validation: round(f * n_c), at least 1 when f > 0 and n_c >= 2, never all. */
export function holdoutCount(n: number, fraction: number): number {
  if (fraction <= 0 || n < 2) return 0;
  return Math.min(n - 1, Math.max(1, Math.round(fraction * n)));
}

/** The full-test-set cadence that keeps evaluation under a quarter of the training time. */
export function autoEvalEvery(trainImages: number, testImages: number): number {
  return Math.max(1, Math.ceil((4 * testImages) / (3 * Math.max(1, trainImages))));
}

/** Whether 1-based epoch `epoch` is evaluated: every K-th, and always the last. */
export function evaluatedEpoch(epoch: number, every: number, epochs: number): boolean {
  return epoch === epochs || epoch % every === 0;
}

/** How many of epochs 1..E are evaluated at cadence `every`. */
export function evaluatedCount(every: number, epochs: number): number {
  return Math.floor((epochs - 1) / every) + 1;
}

/**
 * The plan for a run of `epochs` over `trainImages` training and `testImages` test images.
 * `evalEvery` (the user's --eval-every) is kept as given, always on the whole test set.
 */
export function evalPlan(o: { trainImages: number; testImages: number; epochs: number; evalEvery?: number | null }): EvalPlan {
  if (o.evalEvery) return { every: o.evalEvery, sample: null };
  const full = autoEvalEvery(o.trainImages, o.testImages);
  if (evaluatedCount(full, o.epochs) >= Math.min(o.epochs, MIN_TEST_POINTS)) return { every: full, sample: null };
  const every = Math.max(1, Math.floor(o.epochs / MIN_TEST_POINTS));
  const before = evaluatedCount(every, o.epochs) - 1;
  if (before === 0) return { every, sample: null };
  // before * sample / 3 <= EVAL_BUDGET * epochs * train
  const sample = Math.floor((3 * EVAL_BUDGET * o.epochs * o.trainImages) / before);
  return { every, sample: sample >= o.testImages ? null : Math.max(1, sample) };
}

/** Test images evaluated at each evaluated epoch of the plan, in epoch order ({epoch, images}). */
export function evaluations(plan: EvalPlan, epochs: number, testImages: number): { epoch: number; images: number }[] {
  const out: { epoch: number; images: number }[] = [];
  for (let e = 1; e <= epochs; e++) {
    if (evaluatedEpoch(e, plan.every, epochs)) out.push({ epoch: e, images: e === epochs || plan.sample === null ? testImages : plan.sample });
  }
  return out;
}
