// Class-aware sampling, as facebookresearch/classifier-balancing's ClassAwareSampler (Shen et al.
// 2016) draws the batches of cRT and LWS: classes are visited in cycles, each cycle a fresh shuffle
// of the classes that have training images; a visited class gives `perClass` (4 in the reference)
// consecutive images from its own cycle over its images, reshuffled whenever it wraps. Every class
// is drawn equally often whatever its size, so the re-trained classifier sees a balanced stream.
//
// One difference, for resumable runs: the reference keeps its cycles running across epochs; here
// each epoch starts fresh cycles drawn from the run's data stream, so an epoch's order is a
// function of the stream's state at its start (what a checkpoint stores), as epochOrder's is.
import type { Rng } from '../rng';

/** RandomCycleIter: next() walks the items and reshuffles them each time it starts over (also the first time). */
class Cycle {
  private i: number;
  constructor(private readonly items: number[], private readonly rng: Rng) {
    this.i = items.length - 1;
  }
  next(): number {
    this.i++;
    if (this.i === this.items.length) {
      this.i = 0;
      this.rng.shuffle(this.items);
    }
    return this.items[this.i];
  }
}

/** `n` sample indices (into `labels`) of one epoch of class-aware sampling. */
export function classAwareOrder(labels: ArrayLike<number>, numClasses: number, n: number, rng: Rng, perClass = 4): Int32Array {
  const byClass: number[][] = Array.from({ length: numClasses }, () => []);
  for (let i = 0; i < labels.length; i++) byClass[labels[i]].push(i);
  const present = byClass.flatMap((idx, c) => (idx.length ? [c] : []));
  if (!present.length) throw new Error('class-aware sampling: no class has an image');
  const classes = new Cycle(present, rng);
  const within = byClass.map((idx) => new Cycle(idx, rng));
  const out = new Int32Array(n);
  for (let i = 0; i < n; ) {
    const c = classes.next();
    for (let k = 0; k < perClass && i < n; k++) out[i++] = within[c].next();
  }
  return out;
}
