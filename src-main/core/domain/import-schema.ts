// The import request: one contract for the CLI, the HTTP API and Electron IPC.
// Paths are taken as given (resolved against the process's working directory by the importer).
// Objects are strict so a misspelt field ("trainimages") is an error instead of being ignored.
import { z } from 'zod';
import { parseWith } from './errors';
import { NewName as name } from './fields';
const path = z.string().min(1, 'must not be empty');

/** Image formats decode to size x size pixels: the short side is resized to `size`, then centre-cropped. */
const size = z.number().int().min(4).max(1024).default(32);
/** 1 (grayscale) or 3 (RGB); left out, 1 if every sampled image is grayscale, else 3. */
const channels = z.union([z.literal(1), z.literal(3)]).optional();

export const IdxImportSchema = z.strictObject({
  format: z.literal('idx'),
  name,
  trainImages: path,
  trainLabels: path,
  testImages: path,
  testLabels: path,
  /** left out: numClasses = largest label + 1, names "0".."C-1" */
  classNames: z.array(z.string().trim().min(1)).min(2).optional(),
  /** with classNames: accept classes that have no training images */
  allowEmptyClasses: z.boolean().optional(),
});

export const CifarImportSchema = z.strictObject({
  format: z.literal('cifar'),
  name,
  /** the folder holding the .bin files, or the folder above cifar-10-batches-bin/ or cifar-100-binary/ */
  dir: path,
});

export const FolderImportSchema = z.strictObject({
  format: z.literal('folder'),
  name,
  /** one sub-folder per class */
  train: path,
  /** same layout; left out, a seeded stratified share of `train` is held out */
  test: path.optional(),
  size,
  channels,
  testFraction: z.number().gt(0).lt(1).default(0.2),
  seed: z.number().int().default(0),
});

export const ListImportSchema = z.strictObject({
  format: z.literal('list'),
  name,
  /** image paths in the lists are relative to this folder */
  root: path,
  /** "relative/path label" per line (ImageNet-LT, Places-LT) */
  trainList: path,
  testList: path,
  /** one class name per line, line i naming label i; left out, names "0".."C-1" */
  classNamesFile: path.optional(),
  /** with classNamesFile: accept classes that have no training images */
  allowEmptyClasses: z.boolean().optional(),
  size,
  channels,
});

export const InatImportSchema = z.strictObject({
  format: z.literal('inat'),
  name,
  /** `file_name`s in the JSON files are relative to this folder */
  root: path,
  trainJson: path,
  testJson: path,
  size,
  channels,
});

export const FASHION_MNIST_DEFAULT_DIR = '/usr/share/datasets/fashion-mnist';

/** Downloads (downloads.ts): fetch into `dir` (default: data/downloads/<id>/) with the published checksums. */
const downloadFields = {
  download: z.boolean().default(false),
  /** replaces the official addresses: files are fetched from MIRROR/<id>/<file name> */
  mirror: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// address' }).optional(),
  /** an attempt stops when no data arrives for this long */
  timeoutSeconds: z.number().gt(0).max(3600).optional(),
};

export const FashionMnistImportSchema = z.strictObject({
  format: z.literal('fashion-mnist'),
  name: name.default('fashion-mnist'),
  /** default: where Debian's dataset-fashion-mnist package installs it, else the download cache */
  dir: path.optional(),
  ...downloadFields,
});

/** CIFAR-10/100 (binary tarball or unpacked folder), MNIST, KMNIST: `dir` holds the published files. */
const knownDataset = <F extends 'cifar10' | 'cifar100' | 'mnist' | 'kmnist'>(format: F) =>
  z.strictObject({ format: z.literal(format), name: name.default(format), dir: path.optional(), ...downloadFields });

export const Cifar10ImportSchema = knownDataset('cifar10');
export const Cifar100ImportSchema = knownDataset('cifar100');
export const MnistImportSchema = knownDataset('mnist');
export const KmnistImportSchema = knownDataset('kmnist');

export const ImportRequestSchema = z.discriminatedUnion('format', [
  IdxImportSchema,
  CifarImportSchema,
  FolderImportSchema,
  ListImportSchema,
  InatImportSchema,
  FashionMnistImportSchema,
  Cifar10ImportSchema,
  Cifar100ImportSchema,
  MnistImportSchema,
  KmnistImportSchema,
]);

/** What a caller sends (defaults may be left out). */
export type ImportRequest = z.input<typeof ImportRequestSchema>;
/** After validation: defaults filled in. */
export type ParsedImportRequest = z.output<typeof ImportRequestSchema>;
export type ImportFormat = ParsedImportRequest['format'];

export type CifarImport = z.output<typeof CifarImportSchema>;
export type FolderImport = z.output<typeof FolderImportSchema>;
export type ListImport = z.output<typeof ListImportSchema>;
export type InatImport = z.output<typeof InatImportSchema>;
export type FashionMnistImport = z.output<typeof FashionMnistImportSchema>;

/** Validates a request from any front door; the problems become one UserError line naming each field. */
export function parseImportRequest(input: unknown): ParsedImportRequest {
  return parseWith(ImportRequestSchema, input, 'import request');
}
