// The one entry point for dataset import. Every importer decodes pixels once into uint8 NHWC files
// in a staging folder; commitDataset moves them into place and writes the rows in one transaction.
// On any error the staging folder is removed, so the database and the data directory are exactly
// as before. Progress phases: "scan" (files found), then "train" and "test" (images written).
import { resolve } from 'node:path';
import type { DatasetInfo, ProgressFn } from '../domain/types';
import { FASHION_MNIST_DEFAULT_DIR, parseImportRequest, type ImportRequest, type ParsedImportRequest } from '../domain/import-schema';
import { assertNameFree, commitDataset, type ImportedDataset } from '../store/datasets';
import { Staging } from '../store/files';
import type { Store } from '../store/store';
import { decodeCifar, findCifar } from './cifar-import';
import { decodeDownloadable, isCached } from './download-import';
import type { DownloadEntry, DownloadId } from '../domain/downloads';
import { FASHION_MNIST_CLASSES, findFashionMnist } from './fashion-mnist';
import { decodeFolder } from './folder';
import { decodeIdx, type IdxFiles } from './idx-import';
import { decodeInat } from './inat';
import { decodeList } from './list';
import { requireFile } from './source';
import { ReadRoots } from './read-roots';
import { UserError } from '../domain/errors';

type Decoded = Omit<ImportedDataset, 'source'>;

export interface ImportOptions {
  /** where the named datasets come from (default: the published addresses and checksums); tests pass their own */
  catalog?: (id: DownloadId) => DownloadEntry;
  /** web mode: the folders an import may read below (links resolved); absent: anywhere */
  readRoots?: string[];
}

const PATH_FIELDS = new Set(['train', 'test', 'root', 'trainList', 'testList', 'classNamesFile', 'trainJson', 'testJson']);
/** every request field that names a file or folder the import reads */
const READ_FIELDS = [...PATH_FIELDS, 'trainImages', 'trainLabels', 'testImages', 'testLabels', 'dir'];

/** What the user pointed at, with absolute paths and the channel count actually used. */
function imageSource(req: ParsedImportRequest, channels: number): Record<string, unknown> {
  const s: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(req)) {
    if (k === 'format' || k === 'name') continue;
    s[k] = PATH_FIELDS.has(k) && typeof v === 'string' ? resolve(v) : v;
  }
  return { ...s, channels };
}

/** Empty classes are accepted only where the user declared the classes by name. */
function declaredEmpty(allow: boolean | undefined, named: boolean, field: string): boolean {
  if (allow && !named) throw new UserError(`allowEmptyClasses needs ${field}: only declared class names can have no training images`);
  return allow ?? false;
}

async function decode(staging: Staging, dataDir: string, req: ParsedImportRequest, progress: ProgressFn | undefined, opts: ImportOptions, roots?: ReadRoots): Promise<{ decoded: Decoded; source: Record<string, unknown> }> {
  switch (req.format) {
    case 'idx': {
      const files: IdxFiles = {
        trainImages: requireFile(req.trainImages, 'train images', 'trainImages'),
        trainLabels: requireFile(req.trainLabels, 'train labels', 'trainLabels'),
        testImages: requireFile(req.testImages, 'test images', 'testImages'),
        testLabels: requireFile(req.testLabels, 'test labels', 'testLabels'),
      };
      const allowEmptyClasses = declaredEmpty(req.allowEmptyClasses, req.classNames !== undefined, 'classNames');
      const d = await decodeIdx(staging, files, req.classNames, progress);
      return { decoded: { format: 'idx', ...d, allowEmptyClasses }, source: { ...files, classNames: req.classNames ?? null } };
    }
    case 'cifar10':
    case 'cifar100':
    case 'mnist':
    case 'kmnist': {
      const d = await decodeDownloadable(staging, dataDir, { id: req.format, ...req }, progress, opts.catalog, roots);
      // these formats declare their classes by name (10 or 100): a small sample of one may leave some empty
      return { decoded: { format: d.format, ...d.decoded, allowEmptyClasses: true }, source: d.source };
    }
    case 'fashion-mnist': {
      if (fashionMnistFromDownload(req, dataDir)) {
        const d = await decodeDownloadable(staging, dataDir, { id: 'fashion-mnist', ...req }, progress, opts.catalog, roots);
        return { decoded: { format: 'idx', ...d.decoded, allowEmptyClasses: true }, source: d.source };
      }
      const files = findFashionMnistOrHint(req.dir);
      for (const p of Object.values(files)) roots?.check(p, 'file');
      const d = await decodeIdx(staging, files, FASHION_MNIST_CLASSES, progress);
      return { decoded: { format: 'idx', ...d }, source: { preset: 'fashion-mnist', ...files } };
    }
    case 'cifar': {
      const f = findCifar(req.dir, roots);
      const d = await decodeCifar(staging, f, progress);
      // the format itself declares its 10 or 100 classes: a small sample of it may leave some empty
      return { decoded: { format: f.layout.format, ...d, allowEmptyClasses: true }, source: { dir: f.dir, classNamesFile: f.names ?? null } };
    }
    case 'folder': {
      const d = await decodeFolder(staging, req, progress, roots);
      return { decoded: { format: 'folder', ...d }, source: imageSource(req, d.imageShape[2]) };
    }
    case 'list': {
      const allowEmptyClasses = declaredEmpty(req.allowEmptyClasses, req.classNamesFile !== undefined, 'classNamesFile');
      const d = await decodeList(staging, req, progress, roots);
      return { decoded: { format: 'list', ...d, allowEmptyClasses }, source: imageSource(req, d.imageShape[2]) };
    }
    case 'inat': {
      const d = await decodeInat(staging, req, progress, roots);
      return { decoded: { format: 'inat', ...d }, source: imageSource(req, d.imageShape[2]) };
    }
  }
}

/** --download, or no --dir while Debian's copy is absent and an earlier download is cached. */
function fashionMnistFromDownload(req: Extract<ParsedImportRequest, { format: 'fashion-mnist' }>, dataDir: string): boolean {
  if (req.download) return true;
  if (req.dir !== undefined) return false;
  try {
    findFashionMnist();
    return false;
  } catch {
    return isCached(dataDir, 'fashion-mnist');
  }
}

function findFashionMnistOrHint(dir: string | undefined): IdxFiles {
  try {
    return findFashionMnist(dir);
  } catch (e) {
    if (dir === undefined && e instanceof UserError) {
      throw new UserError(`${e.message}, or download it with \`dive import fashion-mnist --download\``, [
        { path: [], message: `Fashion-MNIST is not installed on this machine (${FASHION_MNIST_DEFAULT_DIR}); download it, or give the folder holding its four IDX files` },
      ]);
    }
    throw e;
  }
}

/**
 * Imports a dataset described by `req` (validated here, so any front door may pass its input as is).
 * Throws UserError for bad input, leaving the store unchanged.
 */
export async function importDataset(store: Store, req: ImportRequest, progress?: ProgressFn, opts: ImportOptions = {}): Promise<DatasetInfo> {
  const r = parseImportRequest(req);
  assertNameFree(store, 'datasets', r.name);
  const roots = opts.readRoots ? new ReadRoots(opts.readRoots) : undefined;
  if (roots) {
    for (const [k, v] of Object.entries(r)) if (READ_FIELDS.includes(k) && typeof v === 'string') roots.check(v, k, k);
    if (r.format === 'fashion-mnist' && r.dir === undefined && !r.download) roots.check(FASHION_MNIST_DEFAULT_DIR, 'dir');
  }
  const staging = new Staging(store.dataDir);
  try {
    const { decoded, source } = await decode(staging, store.dataDir, r, progress, opts, roots);
    return commitDataset(store, r.name, staging, { ...decoded, source });
  } catch (e) {
    staging.abort();
    throw e;
  }
}
