// The imbalance-ratio slider: a linear range input mapped onto rho in [1, max] on a log scale,
// snapped to values people type so 10, 50, 100, 200 are reachable: tenths below 10, whole numbers
// up to 100, multiples of 5 above (one slider step is about 0.6% of rho, so every such value is hit).

export const SLIDER_STEPS = 1000;

export function snapRatio(r: number): number {
  if (r >= 100) return Math.round(r / 5) * 5;
  if (r >= 10) return Math.round(r);
  return Math.round(r * 10) / 10;
}

export function sliderToRatio(pos: number, max = 500): number {
  const t = Math.min(SLIDER_STEPS, Math.max(0, pos)) / SLIDER_STEPS;
  return snapRatio(Math.exp(t * Math.log(max)));
}

export function ratioToSlider(ratio: number, max = 500): number {
  if (!(ratio > 1)) return 0;
  return Math.min(SLIDER_STEPS, Math.round((SLIDER_STEPS * Math.log(ratio)) / Math.log(max)));
}

/** the ratios the slider's scale names */
export const RATIO_TICKS = [1, 10, 100, 500] as const;

/** Where ratio `r` sits along the slider's travel, in [0, 1]: its log position (10 of 500 at 37%, not a third). */
export function tickFraction(r: number, max = 500): number {
  return r <= 1 ? 0 : Math.min(1, Math.log(r) / Math.log(max));
}
