// Thumbnails read straight from the dataset's pixel files: a few training images per class, or test images by index.
import { closeSync, existsSync, openSync, readSync } from 'node:fs';
import { SAMPLE_CLASSES_DEFAULT, type DatasetSamples } from '../domain/contract';
import { UserError } from '../domain/errors';
import type { DatasetInfo } from '../domain/types';
import { datasetPart, getDataset, type PartData } from './datasets';
import type { Store } from './store';

/**
 * The first `perClass` training images of each class asked for (default: the first
 * SAMPLE_CLASSES_DEFAULT classes), read straight from the dataset's pixel file.
 */
export function datasetSamples(store: Store, name: string, perClass: number, only?: number[]): DatasetSamples {
  const d: DatasetInfo = getDataset(store, name);
  const bad = only?.find((k) => k >= d.numClasses);
  if (bad !== undefined) throw new UserError(`classes: ${bad} is not a class of "${d.name}" (0..${d.numClasses - 1})`);
  const wanted = [...new Set(only ?? d.classNames.slice(0, SAMPLE_CLASSES_DEFAULT).map((_, k) => k))];
  const part = datasetPart(store, d.id, 'train');
  const [h, w, c] = d.imageShape;
  const size = h * w * c;
  const picked: (number[] | null)[] = d.classNames.map(() => null);
  for (const k of wanted) picked[k] = [];
  for (let i = 0; i < part.labels.length; i++) {
    const list = picked[part.labels[i]];
    if (list && list.length < perClass) list.push(i);
  }
  const images = readImages(part.pixelsPath, size, wanted.flatMap((k) => picked[k]!));
  let at = 0;
  const classes = wanted.map((k) => ({ index: k, name: d.classNames[k], images: picked[k]!.map(() => images[at++]) }));
  return { imageShape: d.imageShape, numClasses: d.numClasses, classes };
}

/** Images of an already loaded dataset part by index (uint8 HWC as plain number arrays), for the run page's confusion-matrix cells. */
export function partImages(part: PartData, imageShape: DatasetInfo['imageShape'], indices: number[]): number[][] {
  const [h, w, c] = imageShape;
  return readImages(part.pixelsPath, h * w * c, indices);
}

function readImages(path: string, size: number, indices: number[]): number[][] {
  if (!existsSync(path)) throw new UserError(`data file ${path} is missing; re-import the dataset`);
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(size);
    return indices.map((i) => {
      const got = readSync(fd, buf, 0, size, i * size);
      if (got !== size) throw new UserError(`data file ${path} is truncated at image ${i}; re-import the dataset`);
      return Array.from(buf);
    });
  } finally {
    closeSync(fd);
  }
}
