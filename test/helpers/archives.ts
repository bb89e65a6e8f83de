// Dataset archives in their published layouts, built by the tests: CIFAR's binary and python
// tarballs (cifar-10-batches-bin/, cifar-100-binary/, cifar-10-batches-py/) and the gzipped IDX
// files of MNIST, Fashion-MNIST and KMNIST.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { c } from 'tar';
import { cifarRecords, idxImages, idxLabels, tempDir, writeCifar10, writeCifar100 } from './fixtures';

/** A .tar.gz of `top`/ holding `files` (name -> bytes), as `tar czf` would make it. */
export async function tarball(top: string, files: Record<string, Buffer | string>): Promise<Buffer> {
  const dir = tempDir('dive-tar-');
  try {
    mkdirSync(join(dir, top), { recursive: true });
    for (const [name, body] of Object.entries(files)) writeFileSync(join(dir, top, name), body);
    const out = join(dir, 'out.tar.gz');
    await c({ gzip: true, file: out, cwd: dir, portable: true }, [top]);
    return readFileSync(out);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function folderFiles(write: (dir: string) => void): Record<string, Buffer> {
  const dir = tempDir('dive-cifar-');
  try {
    write(dir);
    const out: Record<string, Buffer> = {};
    for (const f of ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin', 'test_batch.bin', 'batches.meta.txt', 'train.bin', 'test.bin', 'fine_label_names.txt']) {
      try {
        out[f] = readFileSync(join(dir, f));
      } catch {
        // not part of this layout
      }
    }
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const CIFAR10_NAMES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];

/** cifar-10-binary.tar.gz: five train batches of 2 records each (labels 0..9) and a test batch of 3. */
export function cifar10BinaryTarball(): Promise<Buffer> {
  const files = folderFiles((d) => writeCifar10(d, { batches: [[0, 1], [2, 3], [4, 5], [6, 7], [8, 9]], test: [1, 2, 3], names: CIFAR10_NAMES }));
  return tarball('cifar-10-batches-bin', { ...files, 'readme.html': '<p>CIFAR-10</p>' });
}

/** cifar-100-binary.tar.gz: 4 train records and 2 test records with fine labels, and the names file. */
export function cifar100BinaryTarball(): Promise<Buffer> {
  const names = Array.from({ length: 100 }, (_, i) => `class${i}`);
  const files = folderFiles((d) => writeCifar100(d, { train: [0, 42, 99, 42], test: [99, 0], names }));
  return tarball('cifar-100-binary', { ...files, 'coarse_label_names.txt': Array.from({ length: 20 }, (_, i) => `super${i}`).join('\n') });
}

/** cifar-10-python.tar.gz's layout (what torchvision downloads); the batches here are placeholders, never parsed. */
export function cifar10PythonTarball(): Promise<Buffer> {
  const files: Record<string, Buffer> = { 'batches.meta': Buffer.from('meta'), test_batch: cifarRecords([0]) };
  for (let i = 1; i <= 5; i++) files[`data_batch_${i}`] = cifarRecords([i]);
  return tarball('cifar-10-batches-py', files);
}

/** The four gzipped IDX files of an MNIST-style dataset: 28x28 images, train labels 0..9 twice, test 0..9. */
export function idxGzips(): Record<string, Buffer> {
  const train = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0];
  const test = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  return {
    'train-images-idx3-ubyte.gz': gzipSync(idxImages(train.length, 28, 28)),
    'train-labels-idx1-ubyte.gz': gzipSync(idxLabels(train)),
    't10k-images-idx3-ubyte.gz': gzipSync(idxImages(test.length, 28, 28, 100)),
    't10k-labels-idx1-ubyte.gz': gzipSync(idxLabels(test)),
  };
}
