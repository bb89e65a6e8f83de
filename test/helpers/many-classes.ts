// Generated many-class datasets written straight into a store (no image files to decode): an
// ImageNet-LT- or iNaturalist-shaped class count with a long-tailed training set, pixels written a
// chunk at a time so a dataset larger than memory can be made. Each class has its own mean pixel
// value per position (a seeded pattern) plus noise, so a model has something to learn.
import { Rng } from '../../src-main/core/rng';
import type { DatasetInfo } from '../../src-main/core/domain/types';
import { commitDataset } from '../../src-main/core/store/datasets';
import { RecordWriter, Staging } from '../../src-main/core/store/files';
import type { Store } from '../../src-main/core/store/store';

export interface GeneratedDataset {
  classes: number;
  /** training images of class c */
  trainCount: (c: number) => number;
  testPerClass: number;
  shape: [number, number, number];
  seed?: number;
}

/** n_c from `max` down to `min` over the classes, exponentially (the shape of ImageNet-LT's list: 1,280 to 5). */
export function longTail(classes: number, max: number, min: number): (c: number) => number {
  return (c) => Math.max(min, Math.floor(max * (min / max) ** (c / Math.max(1, classes - 1))));
}

function writePart(w: RecordWriter, labels: Int32Array, shape: [number, number, number], rng: Rng, base: (c: number) => Uint8Array): void {
  const img = shape[0] * shape[1] * shape[2];
  const chunk = Math.max(1, Math.floor((8 << 20) / img));
  const buf = new Uint8Array(chunk * img);
  for (let first = 0; first < labels.length; first += chunk) {
    const n = Math.min(chunk, labels.length - first);
    for (let k = 0; k < n; k++) {
      const b = base(labels[first + k]);
      const o = k * img;
      for (let j = 0; j < img; j++) buf[o + j] = Math.min(255, b[j] + rng.int(0, 63));
    }
    w.append(buf.subarray(0, n * img));
  }
}

/** The dataset committed to `store` under `name`; classes named class-00000, class-00001, ... */
export function addGeneratedDataset(store: Store, name: string, d: GeneratedDataset): DatasetInfo {
  const rng = new Rng(d.seed ?? 1);
  const img = d.shape[0] * d.shape[1] * d.shape[2];
  // each class's mean image, made on demand (8,142 of them at 32x32x3 would be 25 MB held at once)
  const base = (c: number) => {
    const r = new Rng(((d.seed ?? 1) * 1_000_003 + c) >>> 0);
    return new Uint8Array(img).map(() => r.int(0, 192));
  };
  const trainLabels: number[] = [];
  for (let c = 0; c < d.classes; c++) for (let k = d.trainCount(c); k > 0; k--) trainLabels.push(c);
  const testLabels = Int32Array.from({ length: d.classes * d.testPerClass }, (_, i) => Math.floor(i / d.testPerClass));
  const train = Int32Array.from(trainLabels);
  const staging = new Staging(store.dataDir);
  const part = (labels: Int32Array, file: string) => {
    const w = new RecordWriter(staging.path(file), img);
    writePart(w, labels, d.shape, rng, base);
    return { pixels: w.close(), labels };
  };
  const names = Array.from({ length: d.classes }, (_, c) => `class-${String(c).padStart(5, '0')}`);
  return commitDataset(store, name, staging, { format: 'folder', source: { generated: true }, imageShape: d.shape, classNames: names, train: part(train, 'train.u8'), test: part(testLabels, 'test.u8') });
}
