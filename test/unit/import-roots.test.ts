// Web mode's --data-root for the download formats (issue 23, item 4): an import named by format
// (cifar10, cifar100, mnist, kmnist, and the CIFAR folder import) reads files it finds in `dir`
// itself. Each is resolved (links followed) and checked against the roots before it is opened or
// even measured: a batches.meta.txt linked to /etc/passwd must not become class names (nor its line
// count an error message), and IDX files linked from outside the root must not be imported.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readdirSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, it } from 'node:test';
import { importDataset } from '../../src-main/core/data/import';
import { downloadCacheDir } from '../../src-main/core/data/download-import';
import { UserError } from '../../src-main/core/domain/errors';
import { listDatasets } from '../../src-main/core/store/datasets';
import { tempDir, tempStore, writeCifar10, writeIdxDataset, type TempStore } from '../helpers/fixtures';

let t: TempStore;
let root: string;
let outside: string;
beforeEach(() => {
  t = tempStore();
  const base = tempDir('dive-roots-');
  root = join(base, 'allowed');
  outside = join(base, 'outside');
  mkdirSync(root);
  mkdirSync(outside);
});
afterEach(() => t.cleanup());

async function refused(p: Promise<unknown>, pattern: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof UserError, String(e));
    assert.match(e.message, pattern);
    return true;
  });
  assert.deepEqual(listDatasets(t.store), [], 'nothing imported');
  assert.deepEqual(readdirSync(t.store.dataDir).filter((f) => f !== 'downloads'), [], 'no staging folder left');
}

const LABELS = { batches: [[0, 1], [1, 0], [0, 1], [1, 0], [0, 1]], test: [0, 1] };

it('cifar10: a batches.meta.txt linked outside the root is refused before it is read', async () => {
  const secret = join(outside, 'passwd');
  writeFileSync(secret, 'root:x:0:0\nsecret line\n');
  const dir = writeCifar10(join(root, 'cifar-10-batches-bin'), LABELS);
  symlinkSync(secret, join(dir, 'batches.meta.txt'));
  await refused(importDataset(t.store, { format: 'cifar10', name: 'c', dir }, undefined, { readRoots: [root] }), /file \S+batches\.meta\.txt is outside the folders this server may read/);
  // the same folder through the CIFAR folder import
  await refused(importDataset(t.store, { format: 'cifar', name: 'c', dir }, undefined, { readRoots: [root] }), /file \S+batches\.meta\.txt is outside the folders this server may read/);
});

it('cifar: a batch linked to a file outside the root is refused without saying its size', async () => {
  const dir = writeCifar10(join(root, 'c10'), LABELS);
  const secret = join(outside, 'passwd');
  writeFileSync(secret, 'root:x:0:0\n');
  const batch = join(dir, 'data_batch_3.bin');
  copyFileSync(batch, join(outside, 'batch'));
  rmAndLink(batch, secret);
  for (const format of ['cifar', 'cifar10'] as const) {
    const p = importDataset(t.store, { format, name: 'c', dir }, undefined, { readRoots: [root] });
    await refused(p, /file \S+data_batch_3\.bin is outside the folders this server may read/);
  }
});

it('mnist and kmnist: IDX files linked from outside the root are not imported', async () => {
  const f = writeIdxDataset(outside, { trainLabels: [0, 1, 1, 0], testLabels: [0, 1], gzip: true });
  const dir = join(root, 'mnist');
  mkdirSync(dir);
  for (const p of Object.values(f)) symlinkSync(p, join(dir, p.split('/').at(-1)!));
  for (const format of ['mnist', 'kmnist', 'fashion-mnist'] as const) {
    await refused(importDataset(t.store, { format, name: 'm', dir }, undefined, { readRoots: [root] }), /file \S+train-images-idx3-ubyte\.gz is outside the folders this server may read/);
  }
});

it('the same files inside the root, and the server\'s own download cache, import as before', async () => {
  const dir = writeCifar10(join(root, 'cifar-10-batches-bin'), { ...LABELS, names: ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'] });
  const c = await importDataset(t.store, { format: 'cifar10', name: 'c', dir }, undefined, { readRoots: [root] });
  assert.equal(c.classNames[1], 'b');
  // a cached download lives in the data folder, outside the user's roots: the server's own files
  const cache = downloadCacheDir(t.store.dataDir, 'mnist');
  writeIdxDataset(cache, { trainLabels: [0, 1, 1, 0], testLabels: [0, 1], gzip: true });
  const m = await importDataset(t.store, { format: 'mnist', name: 'm' }, undefined, { readRoots: [root] });
  assert.equal(m.train.total, 4);
});

function rmAndLink(path: string, target: string): void {
  unlinkSync(path);
  symlinkSync(target, path);
}
