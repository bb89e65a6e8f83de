import { Rng } from '../rng';

/** Independent random streams of one split seed; never reuse a number for another purpose. */
export const STREAM_CLASS_ORDER = 1;
export const STREAM_CLASS_SAMPLE = 2;

/** lowbias32 (C. Wellons): a bijective 32-bit mixer, so distinct inputs give distinct words. */
function mix32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x | 0;
}

/**
 * An Rng that is a pure function of (seed, stream, index): class 7's sample stream does not
 * depend on how many other classes there are or the order they are drawn in. Seed, stream and
 * index each fill their own state word (the mixer is a bijection), so no two triples share a
 * state; the fourth word mixes all three so no word pattern is degenerate for xoroshiro.
 */
export function derivedRng(seed: number, stream: number, index: number): Rng {
  const a = mix32(seed ^ 0x5851f42d);
  const b = mix32(stream ^ 0x14057b7e);
  const c = mix32(index ^ 0x2545f491);
  const d = mix32(a ^ mix32(b + 0x9e3779b9) ^ mix32(c + 0x3c6ef372));
  const rng = new Rng([a, b, c, d]);
  // xoroshiro128+ mixes a fresh state within a few steps; drop them.
  for (let i = 0; i < 8; i++) rng.int(0, 1);
  return rng;
}
