// When a run is evaluated and how big its validation holdout is: pure rules the training loop
// follows and the Train form's time estimate counts with (declared once, here in domain/).

/** Images of class c held out: round(f * n_c), at least 1 when f > 0 and n_c >= 2, never all. */
export function holdoutCount(n: number, fraction: number): number {
  if (fraction <= 0 || n < 2) return 0;
  return Math.min(n - 1, Math.max(1, Math.round(fraction * n)));
}

/**
 * The default evaluation cadence. A test image costs about a third of a training image (a forward
 * pass only), so evaluating every K epochs costs test / (3 K train) of the training time; K =
 * ceil(4 test / (3 train)) keeps that at most a quarter. On a small split with a large test set
 * (Fashion-MNIST-LT: 1,236 training and 10,000 test images, K = 11) a short run is evaluated after
 * its last epoch only; `evalEvery` asks for more.
 */
export function autoEvalEvery(trainImages: number, testImages: number): number {
  return Math.max(1, Math.ceil((4 * testImages) / (3 * Math.max(1, trainImages))));
}

/** Whether 1-based epoch `epoch` is evaluated: every K-th, and always the last. */
export function evaluatedEpoch(epoch: number, every: number, epochs: number): boolean {
  return epoch === epochs || epoch % every === 0;
}

/** How many of a run's epochs are evaluated. */
export function evaluatedEpochs(epochs: number, every: number): number {
  let k = 0;
  for (let e = 1; e <= epochs; e++) if (evaluatedEpoch(e, every, epochs)) k++;
  return k;
}
