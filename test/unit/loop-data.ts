// Tiny synthetic long-tailed data for the training-loop tests: size x size grayscale images,
// 4 classes, class k brightens quadrant k on a noisy background, so a small model learns it in a
// few epochs. The conv models use 4x4 images: TF.js's cpu Conv2DBackpropFilter is very slow.
import { Rng } from '../../src-main/core/rng';
import type { TrainData } from '../../src-main/core/train/loop';

function images(counts: number[], size: number, rng: Rng): { pixels: Uint8Array; labels: Int32Array } {
  const n = counts.reduce((a, b) => a + b, 0);
  const half = size / 2;
  const pixels = new Uint8Array(n * size * size);
  const labels = new Int32Array(n);
  let i = 0;
  counts.forEach((count, k) => {
    for (let c = 0; c < count; c++, i++) {
      labels[i] = k;
      for (let y = 0; y < size; y++) {
        for (let x = 0; x < size; x++) {
          const quadrant = (y < half ? 0 : 2) + (x < half ? 0 : 1);
          const base = quadrant === k ? 170 : 40;
          pixels[(i * size + y) * size + x] = base + rng.int(0, 80);
        }
      }
    }
  });
  return { pixels, labels };
}

/** 64 training images (28 / 18 / 12 / 6 per class) and 32 test images (8 per class) by default. */
export function syntheticData(size = 8, classCounts = [28, 18, 12, 6], seed = 0): TrainData {
  const rng = new Rng(seed);
  const train = images(classCounts, size, rng);
  const test = images([8, 8, 8, 8], size, rng);
  return {
    trainImages: train.pixels,
    trainLabels: train.labels,
    testImages: test.pixels,
    testLabels: test.labels,
    imageShape: [size, size, 1],
    numClasses: 4,
    classCounts,
    groups: { many: [0], medium: [1, 2], few: [3] },
  };
}
