// Image-folder import (torchvision ImageFolder / Create ML layout): one sub-folder per class,
// images anywhere below it. Class names are the sub-folder names in code-point order.
import { readdirSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import type { ProgressFn } from '../domain/types';
import type { FolderImport } from '../domain/import-schema';
import { UserError } from '../domain/errors';
import type { Staging } from '../store/files';
import { stratifiedHoldout } from './holdout';
import { decodeImageParts, type ImageEntry } from './image-import';
import type { ReadRoots } from './read-roots';
import { requireDir } from './source';

export const IMAGE_EXTENSIONS = ['.jpg', '.jpeg', '.png', '.webp'];

const visible = (name: string) => !name.startsWith('.');
const byCodePoint = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function isDir(path: string): boolean {
  return statSync(path).isDirectory();
}

/** Image files below `dir`, recursively, in code-point order of their paths. */
export function imagesBelow(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).filter(visible).sort(byCodePoint)) {
    const p = join(dir, name);
    if (isDir(p)) out.push(...imagesBelow(p));
    else if (IMAGE_EXTENSIONS.includes(extname(name).toLowerCase())) out.push(p);
  }
  return out;
}

/** The class folders of `root` and their images; an empty class folder is an error. */
export function scanClassFolders(root: string): { classNames: string[]; images: string[][] } {
  const classNames = readdirSync(root).filter(visible).filter((n) => isDir(join(root, n))).sort(byCodePoint);
  if (classNames.length === 0) throw new UserError(`${root}: no class sub-folders; expected one sub-folder of images per class`);
  const images = classNames.map((c) => {
    const files = imagesBelow(join(root, c));
    if (files.length === 0) throw new UserError(`${join(root, c)}: class folder has no images (${IMAGE_EXTENSIONS.join(', ')})`);
    return files;
  });
  return { classNames, images };
}

function entriesOf(images: string[][], labelOf: (classIdx: number) => number): ImageEntry[] {
  return images.flatMap((files, c) => files.map((path) => ({ path, label: labelOf(c) })));
}

export async function decodeFolder(staging: Staging, req: FolderImport, progress?: ProgressFn, roots?: ReadRoots) {
  const trainRoot = requireDir(req.train, 'train', 'train');
  const train = scanClassFolders(trainRoot);
  let parts: { train: ImageEntry[]; test: ImageEntry[] };
  if (req.test !== undefined) {
    const testRoot = requireDir(req.test, 'test', 'test');
    const test = scanClassFolders(testRoot);
    const labelOf = test.classNames.map((n) => {
      const i = train.classNames.indexOf(n);
      if (i < 0) throw new UserError(`${join(testRoot, n)}: class "${n}" has no folder in ${trainRoot}`);
      return i;
    });
    parts = { train: entriesOf(train.images, (c) => c), test: entriesOf(test.images, (c) => labelOf[c]) };
  } else {
    const all = entriesOf(train.images, (c) => c);
    const split = stratifiedHoldout(all.map((e) => e.label), train.classNames.length, req.testFraction, req.seed);
    parts = { train: split.train.map((i) => all[i]), test: split.test.map((i) => all[i]) };
  }
  progress?.({ phase: 'scan', done: parts.train.length + parts.test.length, total: parts.train.length + parts.test.length });
  const decoded = await decodeImageParts(staging, parts, req.size, req.channels, progress, roots);
  // the training images' paths below the train folder, as ImageFolder would list them ("cat/1.jpg")
  const trainPaths = { root: trainRoot, paths: parts.train.map((e) => relative(trainRoot, e.path).split(sep).join('/')) };
  return { ...decoded, classNames: train.classNames, trainPaths };
}
