import type { Groups } from '../domain/types';
import { datasetPart, getDataset, verifyFile } from '../store/datasets';
import { getSplit, splitIndices } from '../store/splits';
import type { Store } from '../store/store';
import { pixelsFile, pixelsSubset, type PixelSource } from './pixel-source';
import { gatherLabels } from './holdout';

/**
 * Everything a training run reads: the split's training images and the balanced test set, as
 * sources that read the dataset's pixel files batch by batch (nothing is gathered into memory but
 * the labels). Close it when done: it holds two file handles.
 */
export interface SplitData {
  imageShape: [number, number, number];
  numClasses: number;
  classNames: string[];
  /** the split's images: image i is image indices[i] of the dataset's training part */
  trainImages: PixelSource;
  trainLabels: Int32Array;
  testImages: PixelSource;
  testLabels: Int32Array;
  /** the split's per-class training counts */
  classCounts: number[];
  groups: Groups;
  close(): void;
}

/** Checks the pixel files against their checksums (streamed) and opens them as the split's sources. */
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
  const trainImages = pixelsSubset(pixelsFile(train.pixelsPath, img), idx);
  const testImages = pixelsFile(test.pixelsPath, img);
  return {
    imageShape: ds.imageShape,
    numClasses: ds.numClasses,
    classNames: ds.classNames,
    trainImages,
    trainLabels: gatherLabels(train.labels, idx),
    testImages,
    testLabels: test.labels,
    classCounts: split.counts,
    groups: split.groups,
    close() {
      trainImages.close();
      testImages.close();
    },
  };
}
