import { readFileSync } from 'node:fs';
import type { Groups } from '../domain/types';
import { datasetPart, getDataset, verifyFile } from '../store/datasets';
import { getSplit, splitIndices } from '../store/splits';
import type { Store } from '../store/store';
import { gatherSplit } from './split-gather';

/** Everything a training run reads: the split's training images (compacted) and the balanced test set. */
export interface SplitData {
  imageShape: [number, number, number];
  numClasses: number;
  classNames: string[];
  trainImages: Uint8Array;
  trainLabels: Int32Array;
  testImages: Uint8Array;
  testLabels: Int32Array;
  /** the split's per-class training counts */
  classCounts: number[];
  groups: Groups;
}

/** Reads the pixel files once (checksums verified) and gathers the split's samples into one buffer. */
export async function loadSplitData(store: Store, splitRef: string | number): Promise<SplitData> {
  const split = getSplit(store, splitRef);
  const ds = getDataset(store, split.datasetId);
  const [h, w, c] = ds.imageShape;
  const img = h * w * c;
  const train = datasetPart(store, ds.id, 'train');
  const test = datasetPart(store, ds.id, 'test');
  await verifyFile(train.pixelsPath, train.sha256);
  await verifyFile(test.pixelsPath, test.sha256);
  const idx = splitIndices(store, split.id);
  const { images: trainImages, labels: trainLabels } = gatherSplit(readFileSync(train.pixelsPath), train.labels, idx, img);
  const testBuf = readFileSync(test.pixelsPath);
  return {
    imageShape: ds.imageShape,
    numClasses: ds.numClasses,
    classNames: ds.classNames,
    trainImages,
    trainLabels,
    testImages: new Uint8Array(testBuf.buffer, testBuf.byteOffset, testBuf.byteLength),
    testLabels: test.labels,
    classCounts: split.counts,
    groups: split.groups,
  };
}
