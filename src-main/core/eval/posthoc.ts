// The post-hoc baselines as per-class affine maps of a trained model's logits z_j = f . w_j + b_j:
// - tau-normalisation (Kang et al. 2020; facebookresearch/classifier-balancing tau_norm.py):
//   w_j <- w_j / ||w_j||^t, and the reference scores with the normalised weights alone (its
//   forward() is a dot product, no bias), so z'_j = (z_j - b_j) / ||w_j||^t;
// - logit adjustment (Menon et al. 2021; google-research/logit_adjustment main.py, mode posthoc):
//   z'_j = z_j - log(pi_j^t + 1e-12), pi the training prior.
// Either is z'_j = a_j z_j + c_j, so a whole sweep of t comes from one pass of the model, and the
// chosen t folds into the classifier (w'_j = a_j w_j, b'_j = a_j b_j + c_j): the adjusted run's
// weights are an ordinary linear-head model. Pure functions, pinned to hand-computed numbers.
import type { Groups } from '../domain/types';
import type { PosthocPoint } from '../domain/posthoc';
import { UserError } from '../domain/errors';
import { EvaluationAccumulator } from './metrics';

export interface Affine {
  /** a_j */
  scale: Float64Array;
  /** c_j */
  shift: Float64Array;
}

/**
 * log(pi_j^tau + 1e-12) with pi_j = n_j / sum_k n_k: what Menon et al. add to the logits in the
 * loss and subtract after training. The 1e-12 is the reference's (a class without training images
 * gets log 1e-12, finite).
 */
export function logPriorOffsets(counts: ArrayLike<number>, tau: number): number[] {
  if (!(tau >= 0) || !Number.isFinite(tau)) throw new UserError(`logit adjustment: tau must be >= 0, got ${tau}`);
  let total = 0;
  for (let j = 0; j < counts.length; j++) {
    if (!(counts[j] >= 0)) throw new UserError(`logit adjustment: class count must be >= 0, got ${counts[j]}`);
    total += counts[j];
  }
  if (total === 0) throw new UserError('logit adjustment: every class has 0 training images');
  return Array.from(counts, (n) => Math.log((n / total) ** tau + 1e-12));
}

/** Post-hoc logit adjustment: a_j = 1, c_j = -log(pi_j^t + 1e-12). */
export function logitAdjustment(counts: ArrayLike<number>, t: number): Affine {
  const offsets = logPriorOffsets(counts, t);
  return { scale: new Float64Array(counts.length).fill(1), shift: Float64Array.from(offsets, (o) => -o) };
}

/**
 * The L2 norm of each class's weight vector: column j of a row-major [features, classes] weight
 * (our linear layer's layout; PyTorch's is its transpose, [classes, features], with rows).
 */
export function classWeightNorms(weight: ArrayLike<number>, features: number, classes: number): Float64Array {
  if (weight.length !== features * classes) throw new Error(`tau-norm: ${weight.length} weights for ${features} x ${classes}`);
  const out = new Float64Array(classes);
  for (let i = 0; i < features; i++) for (let j = 0; j < classes; j++) out[j] += weight[i * classes + j] ** 2;
  return out.map(Math.sqrt);
}

/**
 * tau-normalisation: a_j = 1 / ||w_j||^t, c_j = -b_j a_j (the bias is dropped, as the reference
 * scores without it). A class whose weight is all zero keeps a_j = 1 (its score is 0 either way).
 */
export function tauNormalisation(norms: ArrayLike<number>, bias: ArrayLike<number>, t: number): Affine {
  if (!(t >= 0) || !Number.isFinite(t)) throw new UserError(`tau-norm: t must be >= 0, got ${t}`);
  const scale = Float64Array.from(norms, (n) => (n > 0 ? 1 / n ** t : 1));
  return { scale, shift: Float64Array.from(scale, (a, j) => -bias[j] * a) };
}

/** The classifier with the map folded in: w'_ij = a_j w_ij, b'_j = a_j b_j + c_j (float32, as the model stores them). */
export function foldAffine(weight: ArrayLike<number>, bias: ArrayLike<number>, m: Affine): { weight: Float32Array; bias: Float32Array } {
  const classes = m.scale.length;
  const w = new Float32Array(weight.length);
  for (let k = 0; k < weight.length; k++) w[k] = weight[k] * m.scale[k % classes];
  return { weight: w, bias: Float32Array.from(m.scale, (a, j) => a * bias[j] + m.shift[j]) };
}

/** z' = a z + c row by row, into `out` (rows of `classes` logits). */
export function applyAffine(logits: ArrayLike<number>, m: Affine, out: Float64Array): Float64Array {
  const classes = m.scale.length;
  for (let k = 0; k < logits.length; k++) {
    const j = k % classes;
    out[k] = m.scale[j] * logits[k] + m.shift[j];
  }
  return out;
}

/**
 * The sweep: every map of the grid applied to the model's logits a batch at a time, the test set
 * evaluated in full per t, and the validation holdout's balanced accuracy where there is one.
 */
export class PosthocSweepAccumulator {
  private readonly test: EvaluationAccumulator[];
  private readonly hit: Float64Array[];
  private readonly all: Float64Array[];
  private buf = new Float64Array(0);

  constructor(private readonly grid: readonly number[], private readonly maps: readonly Affine[], testLabels: Int32Array, private readonly classes: number) {
    this.test = grid.map(() => new EvaluationAccumulator(testLabels, classes));
    this.hit = grid.map(() => new Float64Array(classes));
    this.all = grid.map(() => new Float64Array(classes));
  }

  private adjusted(logits: ArrayLike<number>, j: number): Float64Array {
    if (this.buf.length < logits.length) this.buf = new Float64Array(logits.length);
    return applyAffine(logits, this.maps[j], this.buf.subarray(0, logits.length));
  }

  addTest(logits: ArrayLike<number>, rows: number): void {
    this.grid.forEach((_, j) => this.test[j].add(this.adjusted(logits, j), rows));
  }

  addVal(logits: ArrayLike<number>, labels: ArrayLike<number>): void {
    const C = this.classes;
    this.grid.forEach((_, j) => {
      const z = this.adjusted(logits, j);
      for (let i = 0; i < labels.length; i++) {
        let best = 0;
        for (let k = 1; k < C; k++) if (z[i * C + k] > z[i * C + best]) best = k;
        this.all[j][labels[i]]++;
        if (best === labels[i]) this.hit[j][labels[i]]++;
      }
    });
  }

  points(groups: Groups, withVal: boolean): PosthocPoint[] {
    return this.grid.map((t, j) => {
      const e = this.test[j].finish(groups);
      let sum = 0;
      let n = 0;
      for (let k = 0; k < this.classes; k++) {
        if (!this.all[j][k]) continue;
        sum += this.hit[j][k] / this.all[j][k];
        n++;
      }
      return { t, top1: e.top1, many: e.many, medium: e.medium, few: e.few, val: withVal && n ? sum / n : null };
    });
  }
}

/** The grid's t with the best validation accuracy, the smallest on ties; null without validation figures. */
export function bestOnValidation(points: readonly PosthocPoint[]): number | null {
  let best: PosthocPoint | null = null;
  for (const p of points) if (p.val !== null && (best === null || p.val > (best.val ?? -1))) best = p;
  return best ? best.t : null;
}
