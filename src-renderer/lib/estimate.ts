// Before Start: which backend a run will use and why (from a probe made now, not the last run's
// report), and how long its training will take at the speed the probe measured.
import type { BackendsProbe } from '../../src-main/core/domain/types';

export interface BackendPlan {
  /** the backend the run will train on; null when none is available */
  backend: string | null;
  /** one line: asked for, or the best available, and why the better ones are not used */
  why: string;
  /** images per second the probe measured on it; null when not timed */
  imagesPerSec: number | null;
}

/** `wanted` is the form's choice ('' = best available). */
export function backendPlan(probe: BackendsProbe, wanted: string): BackendPlan {
  const name = wanted || probe.chosen;
  const rung = probe.rungs.find((r) => r.name === name);
  if (!name || !rung) return { backend: null, why: 'no backend is available on this machine', imagesPerSec: null };
  const ips = rung.imagesPerSec ?? null;
  if (wanted) {
    return { backend: name, why: rung.available ? `asked for in the form (${rung.device?.toUpperCase() ?? ''}${rung.threads ? `, ${rung.threads} threads` : ''})` : `asked for, but not available here: ${rung.reason ?? 'unknown reason'}`, imagesPerSec: rung.available ? ips : null };
  }
  const better = probe.rungs.slice(0, probe.rungs.indexOf(rung)).filter((r) => !r.available);
  const reasons = better.map((r) => `${r.name}: ${r.reason ?? 'not available'}`);
  return { backend: name, why: `the best available${reasons.length ? `; not used: ${reasons.join('; ')}` : ''}`, imagesPerSec: ips };
}

/** Training seconds for `epochs` over `images` at `imagesPerSec` (evaluation not included); null when any is unknown. */
export function trainingSeconds(epochs: number, images: number, imagesPerSec: number | null): number | null {
  if (!imagesPerSec || imagesPerSec <= 0 || !(epochs > 0) || !(images > 0)) return null;
  return (epochs * images) / imagesPerSec;
}
