// The post-hoc baselines' sweep (tau-normalisation, logit adjustment): a run whose model is its
// stage-1 model adjusted at one t records how every t of a grid would have done, like the virtual-
// example sweep of T. The test figures are shown, not used to choose: the choice the sweep offers
// is the t with the best balanced accuracy on the stage-1 run's validation holdout, where it has one.

/**
 * The t tried: 0 to 2 in steps of 0.1, as classifier-balancing's tau_norm.py sweeps
 * (np.linspace(0, 2, 21)); used for logit adjustment's tau too (1 is Menon et al.'s default).
 */
export const POSTHOC_GRID: readonly number[] = Array.from({ length: 21 }, (_, i) => Math.round(i * 10) / 100);

export interface PosthocPoint {
  t: number;
  top1: number;
  many: number | null;
  medium: number | null;
  few: number | null;
  /** balanced accuracy on the stage-1 run's validation holdout; null when it has none */
  val: number | null;
}

export interface PosthocSweep {
  method: 'tau-norm' | 'logit-adjust';
  /** the method parameter t stands for */
  param: 'tauNorm' | 'laTau';
  /** the t of this run's model and metrics */
  chosen: number;
  /** the grid (and the chosen t), increasing */
  points: PosthocPoint[];
  /** the t with the best validation accuracy (the smallest on ties); null without a holdout */
  bestOnVal: number | null;
  /** what bestOnVal means here, or why there is none */
  note: string;
}
