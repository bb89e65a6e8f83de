// The tiny long-tailed data set the backend equivalence tests train on (train-equivalence.test.ts,
// webgpu-checks.ts).
import { Rng } from '../../src-main/core/rng';
import type { TrainData } from '../../src-main/core/train/loop';

const SIZE = 8;
const CLASSES = 4;

/**
 * 8x8x3 images, 4 classes: class k brightens quadrant k (each channel with its own noise), so the
 * runs learn something and the losses move. 64 long-tailed training images, 8 test images a class.
 */
export function tinyData(seed = 0): TrainData {
  const rng = new Rng(seed);
  const make = (counts: number[]) => {
    const n = counts.reduce((a, b) => a + b, 0);
    const pixels = new Uint8Array(n * SIZE * SIZE * 3);
    const labels = new Int32Array(n);
    let i = 0;
    counts.forEach((count, k) => {
      for (let c = 0; c < count; c++, i++) {
        labels[i] = k;
        for (let y = 0; y < SIZE; y++) {
          for (let x = 0; x < SIZE; x++) {
            const quadrant = (y < SIZE / 2 ? 0 : 2) + (x < SIZE / 2 ? 0 : 1);
            for (let ch = 0; ch < 3; ch++) pixels[((i * SIZE + y) * SIZE + x) * 3 + ch] = (quadrant === k ? 150 : 40) + rng.int(0, 100);
          }
        }
      }
    });
    return { pixels, labels };
  };
  const classCounts = [28, 18, 12, 6];
  const train = make(classCounts);
  const test = make([8, 8, 8, 8]);
  return {
    trainImages: train.pixels,
    trainLabels: train.labels,
    testImages: test.pixels,
    testLabels: test.labels,
    imageShape: [SIZE, SIZE, 3],
    numClasses: CLASSES,
    classCounts,
    groups: { many: [0], medium: [1, 2], few: [3] },
  };
}
