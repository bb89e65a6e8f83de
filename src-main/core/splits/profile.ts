import type { ClassOrder, Profile } from '../domain/types';
import { exactPow } from './exact-pow';
import { derivedRng, STREAM_CLASS_ORDER } from './seeds';

/** Within this relative distance of an integer, the truncation depends on the power's last bit. */
const NEAR_INTEGER = 2 ** -46;

/**
 * int(n_max * imb_factor ** (rank / (C - 1.0))) with imb_factor = 1 / rho, as LDAM-DRW's
 * `get_img_num_per_cls` computes it in double precision, so counts agree with the papers' splits
 * (CIFAR-10, n_max 5000, rho 100: 12,406 images). The power is rounded correctly where it
 * matters (see exact-pow.ts) rather than trusting Math.pow's last bit.
 */
export function expCount(nMax: number, ratio: number, rank: number, numClasses: number): number {
  const factor = 1 / ratio;
  const exponent = rank / (numClasses - 1);
  let x = nMax * Math.pow(factor, exponent);
  if (Math.abs(x - Math.round(x)) <= x * NEAR_INTEGER) x = nMax * exactPow(factor, exponent);
  return Math.trunc(x);
}

/**
 * LDAM-DRW's step profile: the first floor(C/2) ranks keep n_max, the rest get
 * int(n_max * imb_factor). That is floor(n_max / rho) except where 1/rho rounds down
 * (n_max 49, rho 49 gives 0, as the reference does).
 */
export function stepCount(nMax: number, ratio: number, rank: number, numClasses: number): number {
  return rank < Math.floor(numClasses / 2) ? nMax : Math.trunc(nMax * (1 / ratio));
}

/** Image count at each rank 0..C-1 of the profile (rank 0 is the head). */
export function profileCounts(profile: Profile, numClasses: number, nMax: number, ratio: number): number[] {
  const f = profile === 'exp' ? expCount : stepCount;
  const out = new Array<number>(numClasses);
  for (let r = 0; r < numClasses; r++) out[r] = f(nMax, ratio, r, numClasses);
  return out;
}

/**
 * Class index at each rank: label order, or a shuffle seeded by the split's seed alone, so the
 * order does not change when the ratio or n_max does.
 */
export function classOrder(order: ClassOrder, numClasses: number, seed: number): number[] {
  const ranks = Array.from({ length: numClasses }, (_, i) => i);
  return order === 'label' ? ranks : derivedRng(seed, STREAM_CLASS_ORDER, 0).shuffle(ranks);
}

/** Per-class counts (indexed by class) from per-rank counts and the rank order. */
export function countsByClass(rankCounts: readonly number[], order: readonly number[]): number[] {
  const out = new Array<number>(order.length);
  for (let r = 0; r < order.length; r++) out[order[r]] = rankCounts[r];
  return out;
}
