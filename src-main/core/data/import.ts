// The one entry point for dataset import. Every importer decodes pixels once into uint8 NHWC files
// in a staging folder; commitDataset moves them into place and writes the rows in one transaction.
// On any error the staging folder is removed, so the database and the data directory are exactly
// as before. Progress phases: "scan" (files found), then "train" and "test" (images written).
import { resolve } from 'node:path';
import type { DatasetInfo, ProgressFn } from '../domain/types';
import { parseImportRequest, type ImportRequest, type ParsedImportRequest } from '../domain/import-schema';
import { assertNameFree, commitDataset, type ImportedDataset } from '../store/datasets';
import { Staging } from '../store/files';
import type { Store } from '../store/store';
import { decodeCifar, findCifar } from './cifar-import';
import { FASHION_MNIST_CLASSES, findFashionMnist } from './fashion-mnist';
import { decodeFolder } from './folder';
import { decodeIdx, type IdxFiles } from './idx-import';
import { decodeInat } from './inat';
import { decodeList } from './list';
import { requireFile } from './source';

type Decoded = Omit<ImportedDataset, 'source'>;

const PATH_FIELDS = new Set(['train', 'test', 'root', 'trainList', 'testList', 'classNamesFile', 'trainJson', 'testJson']);

/** What the user pointed at, with absolute paths and the channel count actually used. */
function imageSource(req: ParsedImportRequest, channels: number): Record<string, unknown> {
  const s: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(req)) {
    if (k === 'format' || k === 'name') continue;
    s[k] = PATH_FIELDS.has(k) && typeof v === 'string' ? resolve(v) : v;
  }
  return { ...s, channels };
}

async function decode(staging: Staging, req: ParsedImportRequest, progress?: ProgressFn): Promise<{ decoded: Decoded; source: Record<string, unknown> }> {
  switch (req.format) {
    case 'idx': {
      const files: IdxFiles = {
        trainImages: requireFile(req.trainImages, 'train images'),
        trainLabels: requireFile(req.trainLabels, 'train labels'),
        testImages: requireFile(req.testImages, 'test images'),
        testLabels: requireFile(req.testLabels, 'test labels'),
      };
      const d = await decodeIdx(staging, files, req.classNames, progress);
      return { decoded: { format: 'idx', ...d }, source: { ...files, classNames: req.classNames ?? null } };
    }
    case 'fashion-mnist': {
      const files = findFashionMnist(req.dir);
      const d = await decodeIdx(staging, files, FASHION_MNIST_CLASSES, progress);
      return { decoded: { format: 'idx', ...d }, source: { preset: 'fashion-mnist', ...files } };
    }
    case 'cifar': {
      const f = findCifar(req.dir);
      const d = await decodeCifar(staging, f, progress);
      return { decoded: { format: f.layout.format, ...d }, source: { dir: f.dir, classNamesFile: f.names ?? null } };
    }
    case 'folder': {
      const d = await decodeFolder(staging, req, progress);
      return { decoded: { format: 'folder', ...d }, source: imageSource(req, d.imageShape[2]) };
    }
    case 'list': {
      const d = await decodeList(staging, req, progress);
      return { decoded: { format: 'list', ...d }, source: imageSource(req, d.imageShape[2]) };
    }
    case 'inat': {
      const d = await decodeInat(staging, req, progress);
      return { decoded: { format: 'inat', ...d }, source: imageSource(req, d.imageShape[2]) };
    }
  }
}

/**
 * Imports a dataset described by `req` (validated here, so any front door may pass its input as is).
 * Throws UserError for bad input, leaving the store unchanged.
 */
export async function importDataset(store: Store, req: ImportRequest, progress?: ProgressFn): Promise<DatasetInfo> {
  const r = parseImportRequest(req);
  assertNameFree(store, 'datasets', r.name);
  const staging = new Staging(store.dataDir);
  try {
    const { decoded, source } = await decode(staging, r, progress);
    return commitDataset(store, r.name, staging, { ...decoded, source });
  } catch (e) {
    staging.abort();
    throw e;
  }
}
