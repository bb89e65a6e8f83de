import { Rng } from '../rng';

/**
 * A seeded stratified hold-out: in each class, round(n * fraction) images go to the test part,
 * never all of them (a class with one image keeps it for training). Both index lists come back
 * ascending, so the pixel files keep the source order.
 */
export function stratifiedHoldout(labels: ArrayLike<number>, numClasses: number, fraction: number, seed: number): { train: number[]; test: number[] } {
  const byClass: number[][] = Array.from({ length: numClasses }, () => []);
  for (let i = 0; i < labels.length; i++) byClass[labels[i]].push(i);
  const rng = new Rng(seed);
  const isTest = new Uint8Array(labels.length);
  for (const idx of byClass) {
    // one fork per class keeps a class's draw independent of the sizes of the classes before it
    const r = rng.fork();
    const k = Math.min(Math.round(idx.length * fraction), Math.max(0, idx.length - 1));
    r.shuffle(idx);
    for (let j = 0; j < k; j++) isTest[idx[j]] = 1;
  }
  const train: number[] = [];
  const test: number[] = [];
  for (let i = 0; i < labels.length; i++) (isTest[i] ? test : train).push(i);
  return { train, test };
}
