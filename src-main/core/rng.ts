import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus, xoroshiro128plusFromState } from 'pure-rand/generator/xoroshiro128plus';
import type { JumpableRandomGenerator } from 'pure-rand/types/JumpableRandomGenerator';

/**
 * The one seeded random source of the project (split sampling, weight init, batch order,
 * augmentation). pure-rand's xoroshiro128+ is integer-only arithmetic, so the same seed gives
 * the same stream on every machine and platform, unlike Math.random or TF.js's initializer seeds.
 * The state can be saved in a checkpoint and restored exactly.
 */
export class Rng {
  private g: JumpableRandomGenerator;

  constructor(seed: number | readonly number[]) {
    this.g = typeof seed === 'number' ? xoroshiro128plus(seed | 0) : xoroshiro128plusFromState(seed);
  }

  /** Integer in [from, to], both included. */
  int(from: number, to: number): number {
    return uniformInt(this.g, from, to);
  }

  /** Float in [0, 1). */
  float(): number {
    return uniformFloat64(this.g);
  }

  /** Standard normal (Box-Muller; the second value is discarded so the stream stays simple to reason about). */
  normal(): number {
    let u = 0;
    while (u === 0) u = this.float();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.float());
  }

  /** In-place Fisher-Yates shuffle. */
  shuffle<T extends { length: number; [i: number]: unknown }>(a: T): T {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(0, i);
      const t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
    return a;
  }

  /** An independent child stream derived from this one (e.g. one per class, one per epoch). */
  fork(): Rng {
    return new Rng([this.int(-0x80000000, 0x7fffffff), this.int(-0x80000000, 0x7fffffff), this.int(-0x80000000, 0x7fffffff), this.int(-0x80000000, 0x7fffffff)]);
  }

  state(): number[] {
    return [...this.g.getState()];
  }
}
