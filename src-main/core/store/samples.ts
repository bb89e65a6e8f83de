// Thumbnails: a few training images per class, read straight from the dataset's pixel file.
import { closeSync, existsSync, openSync, readSync } from 'node:fs';
import { SAMPLE_CLASSES_DEFAULT, type DatasetSamples } from '../domain/contract';
import { UserError } from '../domain/errors';
import type { DatasetInfo } from '../domain/types';
import { datasetPart, getDataset } from './datasets';
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
  if (!existsSync(part.pixelsPath)) throw new UserError(`data file ${part.pixelsPath} is missing; re-import the dataset`);
  const fd = openSync(part.pixelsPath, 'r');
  try {
    const buf = Buffer.alloc(size);
    const classes = wanted.map((k) => ({
      index: k,
      name: d.classNames[k],
      images: picked[k]!.map((i) => {
        const got = readSync(fd, buf, 0, size, i * size);
        if (got !== size) throw new UserError(`data file ${part.pixelsPath} is truncated at image ${i}; re-import the dataset`);
        return Array.from(buf);
      }),
    }));
    return { imageShape: d.imageShape, numClasses: d.numClasses, classes };
  } finally {
    closeSync(fd);
  }
}
