// CIFAR-10 / CIFAR-100 binary import: find the files, check their sizes before decoding anything,
// then read each file in chunks of whole records into the pixel file.
import { existsSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import type { ProgressFn } from '../domain/types';
import { UserError } from '../domain/errors';
import type { DecodedPart } from '../store/datasets';
import type { Staging } from '../store/files';
import { CIFAR10, CIFAR100, parseCifarRecords, type CifarLayout } from './cifar';
import { phaseReporter } from './progress';
import { defaultClassNames, readNameLines, requireDir } from './source';
import { writePixelFile } from './writer';
import type { ReadRoots } from './read-roots';

export interface CifarFiles {
  layout: CifarLayout;
  dir: string;
  train: string[];
  test: string[];
  /** class names file, if the folder has one */
  names?: string;
}

const CIFAR10_TRAIN = [1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`);
const SUBDIRS = ['cifar-10-batches-bin', 'cifar-100-binary'];

function filesIn(dir: string): CifarFiles | null {
  const has = (f: string) => existsSync(join(dir, f));
  if (has('data_batch_1.bin') || has('test_batch.bin')) {
    const missing = [...CIFAR10_TRAIN, 'test_batch.bin'].filter((f) => !has(f));
    if (missing.length) throw new UserError(`${dir} looks like CIFAR-10 but lacks ${missing.join(', ')}`);
    const names = has('batches.meta.txt') ? join(dir, 'batches.meta.txt') : undefined;
    return { layout: CIFAR10, dir, train: CIFAR10_TRAIN.map((f) => join(dir, f)), test: [join(dir, 'test_batch.bin')], names };
  }
  if (has('train.bin') || has('test.bin')) {
    const missing = ['train.bin', 'test.bin'].filter((f) => !has(f));
    if (missing.length) throw new UserError(`${dir} looks like CIFAR-100 but lacks ${missing.join(', ')}`);
    const names = has('fine_label_names.txt') ? join(dir, 'fine_label_names.txt') : undefined;
    return { layout: CIFAR100, dir, train: [join(dir, 'train.bin')], test: [join(dir, 'test.bin')], names };
  }
  return null;
}

/**
 * CIFAR-10 or CIFAR-100 files in `dir`, or in its cifar-10-batches-bin/ or cifar-100-binary/
 * sub-folder. With `roots` (web mode), every file found is checked against them, links resolved,
 * before it is measured or read.
 */
export function findCifar(dirArg: string, roots?: ReadRoots): CifarFiles {
  const dir = requireDir(dirArg, 'CIFAR', 'dir');
  const found = filesIn(dir) ?? SUBDIRS.map((s) => join(dir, s)).filter((d) => existsSync(d)).map(filesIn).find((f) => f);
  if (!found) {
    throw new UserError(
      `no CIFAR files in ${dir}: expected data_batch_1..5.bin + test_batch.bin (CIFAR-10) or train.bin + test.bin (CIFAR-100), here or in ${SUBDIRS.join('/ or ')}/`,
    );
  }
  for (const f of [...found.train, ...found.test, ...(found.names ? [found.names] : [])]) roots?.check(f, 'file');
  for (const f of [...found.train, ...found.test]) {
    const bytes = statSync(f).size;
    const rb = found.layout.recordBytes;
    if (bytes === 0 || bytes % rb !== 0) {
      throw new UserError(`${f}: ${bytes} bytes is not a whole number of ${rb}-byte ${found.layout.title} records`);
    }
  }
  return found;
}

export function cifarClassNames(f: CifarFiles): string[] {
  if (!f.names) return defaultClassNames(f.layout.numClasses);
  const names = readNameLines(f.names);
  if (names.length !== f.layout.numClasses) {
    throw new UserError(`${f.names}: ${names.length} class names, expected ${f.layout.numClasses}`);
  }
  return names;
}

const CHUNK_RECORDS = 1000;

async function decodePart(staging: Staging, part: 'train' | 'test', f: CifarFiles, progress?: ProgressFn): Promise<DecodedPart> {
  const { layout } = f;
  const files = f[part];
  const total = files.reduce((s, p) => s + statSync(p).size / layout.recordBytes, 0);
  const tick = phaseReporter(progress, part, total);
  const labels = new Int32Array(total);
  let done = 0;
  const pixels = await writePixelFile(staging, part, layout.height * layout.width * layout.channels, async (w) => {
    const buf = Buffer.allocUnsafe(CHUNK_RECORDS * layout.recordBytes);
    for (const path of files) {
      const fh = await open(path, 'r');
      try {
        for (let rec = 0; ; ) {
          const { bytesRead } = await fh.read(buf, 0, buf.length, rec * layout.recordBytes);
          if (bytesRead === 0) break;
          // a file that changed size since it was checked still fails cleanly here
          const r = parseCifarRecords(buf.subarray(0, bytesRead), layout, path, rec);
          w.append(r.pixels);
          labels.set(r.labels, done);
          rec += r.labels.length;
          done += r.labels.length;
          tick(done);
        }
      } finally {
        await fh.close();
      }
    }
  });
  return { pixels, labels };
}

export async function decodeCifar(staging: Staging, f: CifarFiles, progress?: ProgressFn) {
  const classNames = cifarClassNames(f);
  const train = await decodePart(staging, 'train', f, progress);
  const test = await decodePart(staging, 'test', f, progress);
  const { height: h, width: w, channels: c } = f.layout;
  return { imageShape: [h, w, c] as [number, number, number], classNames, train, test };
}
