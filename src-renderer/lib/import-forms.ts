// The import dialog's forms, one per store format, as data: the screen renders the fields and
// `importRequest` turns what was typed into the core's ImportRequest (or its problems by field) (paths typed in, since the
// web mode has no file dialog). Blank optional fields are left out so the core's defaults apply.

import { issueProblems, type Problem } from '../../src-main/core/domain/errors';
import { ImportRequestSchema, type ImportFormat, type ImportRequest } from '../../src-main/core/domain/import-schema';

export type { ImportFormat };

export interface ImportField {
  key: string;
  label: string;
  kind: 'path' | 'text' | 'number';
  required: boolean;
  hint?: string;
  placeholder?: string;
}

const imageOptions: ImportField[] = [
  { key: 'size', label: 'Image size (px)', kind: 'number', required: false, placeholder: '32', hint: 'short side resized, then centre-cropped' },
  { key: 'channels', label: 'Channels', kind: 'number', required: false, placeholder: 'auto', hint: '1 grayscale, 3 RGB; blank: detect' },
];

export const IMPORT_FORMATS: { id: ImportFormat; label: string; blurb: string; fields: ImportField[] }[] = [
  {
    id: 'fashion-mnist', label: 'Fashion-MNIST', blurb: "Debian's dataset-fashion-mnist package (or the download, where it is absent): 60,000 + 10,000 grayscale 28×28 images, 10 classes.",
    fields: [{ key: 'dir', label: 'Folder', kind: 'path', required: false, placeholder: '/usr/share/datasets/fashion-mnist' }],
  },
  {
    id: 'idx', label: 'IDX (MNIST-style)', blurb: 'Four IDX files (gzip or raw): train and test images and labels.',
    fields: [
      { key: 'trainImages', label: 'Train images', kind: 'path', required: true, placeholder: '…/train-images-idx3-ubyte.gz' },
      { key: 'trainLabels', label: 'Train labels', kind: 'path', required: true, placeholder: '…/train-labels-idx1-ubyte.gz' },
      { key: 'testImages', label: 'Test images', kind: 'path', required: true, placeholder: '…/t10k-images-idx3-ubyte.gz' },
      { key: 'testLabels', label: 'Test labels', kind: 'path', required: true, placeholder: '…/t10k-labels-idx1-ubyte.gz' },
      { key: 'classNames', label: 'Class names', kind: 'text', required: false, placeholder: 'comma separated; blank: 0…C-1' },
    ],
  },
  {
    id: 'cifar', label: 'CIFAR-10 / 100', blurb: 'The binary version: the folder holding the .bin files (or the folder above cifar-10-batches-bin/).',
    fields: [{ key: 'dir', label: 'Folder', kind: 'path', required: true, placeholder: '…/cifar-10-batches-bin' }],
  },
  {
    id: 'folder', label: 'Image folder', blurb: 'One sub-folder per class (ImageFolder, Create ML). Without a test folder a stratified share is held out.',
    fields: [
      { key: 'train', label: 'Train folder', kind: 'path', required: true, placeholder: '…/train' },
      { key: 'test', label: 'Test folder', kind: 'path', required: false, placeholder: 'optional' },
      { key: 'testFraction', label: 'Held-out fraction', kind: 'number', required: false, placeholder: '0.2' },
      ...imageOptions,
    ],
  },
  {
    id: 'list', label: 'List files (ImageNet-LT)', blurb: '"relative/path label" per line, paths relative to the root folder.',
    fields: [
      { key: 'root', label: 'Image root', kind: 'path', required: true },
      { key: 'trainList', label: 'Train list', kind: 'path', required: true, placeholder: '…/ImageNet_LT_train.txt' },
      { key: 'testList', label: 'Test list', kind: 'path', required: true, placeholder: '…/ImageNet_LT_test.txt' },
      { key: 'classNamesFile', label: 'Class names file', kind: 'path', required: false, placeholder: 'optional, one per line' },
      ...imageOptions,
    ],
  },
  {
    id: 'inat', label: 'iNaturalist JSON', blurb: 'COCO-style train and validation JSON, file names relative to the root folder.',
    fields: [
      { key: 'root', label: 'Image root', kind: 'path', required: true },
      { key: 'trainJson', label: 'Train JSON', kind: 'path', required: true, placeholder: '…/train2018.json' },
      { key: 'testJson', label: 'Test JSON', kind: 'path', required: true, placeholder: '…/val2018.json' },
      ...imageOptions,
    ],
  },
];

/**
 * The request for `importDataset`, or every missing or malformed field's problem, by its path in
 * the call's argument (`request.train`), in the form's words.
 */
export function importRequest(format: ImportFormat, name: string, values: Record<string, string>): ImportRequest | Problem[] {
  const spec = IMPORT_FORMATS.find((f) => f.id === format);
  if (!spec) return [{ path: ['request', 'format'], message: `unknown format ${format}` }];
  const problems: Problem[] = [];
  const req: Record<string, unknown> = { format };
  const n = name.trim();
  if (n) req.name = n;
  else if (format !== 'fashion-mnist') problems.push({ path: ['request', 'name'], message: 'give the dataset a name' });
  for (const f of spec.fields) {
    const raw = (values[f.key] ?? '').trim();
    if (!raw) {
      if (f.required) problems.push({ path: ['request', f.key], message: 'required' });
      continue;
    }
    if (f.kind === 'number') {
      const v = Number(raw);
      if (!Number.isFinite(v)) problems.push({ path: ['request', f.key], message: `not a number (${raw})` });
      else req[f.key] = v;
    } else if (f.key === 'classNames') {
      req[f.key] = raw.split(',').map((s) => s.trim()).filter(Boolean);
    } else {
      req[f.key] = raw;
    }
  }
  if (problems.length) return problems;
  // the core's schema has the last word (ranges, allowed values), in the form's words
  const parsed = ImportRequestSchema.safeParse(req);
  return parsed.success ? parsed.data : issueProblems(parsed.error.issues).map((p) => ({ path: ['request', ...p.path], message: p.message }));
}
