// Fashion-MNIST (Xiao, Rasul & Vollgraf 2017): IDX files with the dataset's real class names,
// by default from Debian's dataset-fashion-mnist package.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { FASHION_MNIST_DEFAULT_DIR } from '../domain/import-schema';
import { UserError } from '../domain/errors';
import type { IdxFiles } from './idx-import';

export const FASHION_MNIST_CLASSES = [
  'T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot',
];

const FILES: Record<keyof IdxFiles, string> = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
};

/** The four IDX files in `dir`, each gzipped or not. */
export function findFashionMnist(dirArg: string = FASHION_MNIST_DEFAULT_DIR): IdxFiles {
  const dir = resolve(dirArg);
  const found: Partial<IdxFiles> = {};
  const missing: string[] = [];
  for (const [key, base] of Object.entries(FILES) as [keyof IdxFiles, string][]) {
    const hit = [`${base}.gz`, base].map((f) => join(dir, f)).find((p) => existsSync(p));
    if (hit) found[key] = hit;
    else missing.push(`${base}(.gz)`);
  }
  if (missing.length) {
    throw new UserError(
      `Fashion-MNIST not found: ${dir} lacks ${missing.join(', ')}; install it with \`apt-get install dataset-fashion-mnist\` or point --dir at a folder holding the four IDX files`,
      [{ path: ['dir'], message: `this folder lacks ${missing.join(', ')}; give the folder holding the four Fashion-MNIST IDX files` }],
    );
  }
  return found as IdxFiles;
}
