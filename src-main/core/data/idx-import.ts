// IDX import from files: labels are read whole (one byte each), images are streamed (gunzipped
// on the fly) straight into the pixel file, so memory stays at a chunk whatever the dataset's size.
import type { ProgressFn } from '../domain/types';
import { UserError } from '../domain/errors';
import type { DecodedPart } from '../store/datasets';
import type { Staging } from '../store/files';
import type { RecordWriter } from '../store/files';
import { IDX_IMAGES_MAGIC, idxHeaderBytes, parseIdxHeader, parseIdxLabels, type IdxHeader } from './idx';
import { checkLabelRange, maxLabel } from './labels';
import { phaseReporter } from './progress';
import { defaultClassNames, fileChunks, readWholeFile } from './source';
import { writePixelFile } from './writer';

export interface IdxFiles {
  trainImages: string;
  trainLabels: string;
  testImages: string;
  testLabels: string;
}

export interface IdxDecoded {
  imageShape: [number, number, number];
  classNames: string[];
  train: DecodedPart;
  test: DecodedPart;
}

/** Reads only as much of a (possibly gzipped) IDX images file as its header needs. */
export async function readIdxImagesHeader(path: string): Promise<IdxHeader> {
  let head = Buffer.alloc(0);
  for await (const chunk of fileChunks(path)) {
    head = Buffer.concat([head, chunk]);
    if (head.length >= idxHeaderBytes(head)) break;
  }
  return parseIdxHeader(head, IDX_IMAGES_MAGIC, path);
}

/** Streams the images of `path` into `w`, checking the file holds exactly `count` records. */
async function streamIdxImages(path: string, count: number, w: RecordWriter, tick: (done: number) => void): Promise<void> {
  const rec = w.recordBytes;
  const carry = Buffer.alloc(rec);
  let carried = 0;
  let records = 0;
  let skip = -1; // header bytes still to skip; -1 until the header is parsed
  let head = Buffer.alloc(0);
  const push = (data: Uint8Array) => {
    const n = data.length / rec;
    if (records + n > count) throw new UserError(`${path}: more image data than the ${count} images its header promises`);
    w.append(data);
    records += n;
    tick(records);
  };
  for await (let chunk of fileChunks(path)) {
    if (skip < 0) {
      head = Buffer.concat([head, chunk]);
      if (head.length < idxHeaderBytes(head)) continue;
      chunk = head.subarray(parseIdxHeader(head, IDX_IMAGES_MAGIC, path).headerBytes);
      skip = 0;
    }
    let off = 0;
    if (carried > 0) {
      const n = Math.min(rec - carried, chunk.length);
      chunk.copy(carry, carried, 0, n);
      carried += n;
      off = n;
      if (carried === rec) {
        push(carry);
        carried = 0;
      }
    }
    const whole = Math.floor((chunk.length - off) / rec) * rec;
    if (whole > 0) push(chunk.subarray(off, off + whole));
    off += whole;
    if (off < chunk.length) {
      chunk.copy(carry, 0, off);
      carried = chunk.length - off;
    }
  }
  if (records < count) {
    const partial = carried > 0 ? ` and ${carried} bytes of the next` : '';
    throw new UserError(`${path}: truncated: the header promises ${count} images, the file holds ${records}${partial}`);
  }
  if (carried > 0) throw new UserError(`${path}: ${carried} bytes after the ${count} images its header promises`);
}

/**
 * Decodes an IDX dataset (absolute paths) into the staging folder. `classNames` fixes the class
 * count; without it, classes are 0..max label.
 */
export async function decodeIdx(staging: Staging, f: IdxFiles, classNames: string[] | undefined, progress?: ProgressFn): Promise<IdxDecoded> {
  const trainLabels = parseIdxLabels(await readWholeFile(f.trainLabels), f.trainLabels);
  const testLabels = parseIdxLabels(await readWholeFile(f.testLabels), f.testLabels);
  const names = classNames ?? defaultClassNames(maxLabel(trainLabels, testLabels) + 1);
  const why = classNames ? ` (${names.length} class names given)` : '';
  checkLabelRange(trainLabels, names.length, f.trainLabels, why);
  checkLabelRange(testLabels, names.length, f.testLabels, why);

  const trainHead = await readIdxImagesHeader(f.trainImages);
  const testHead = await readIdxImagesHeader(f.testImages);
  const [, h, w] = trainHead.dims;
  for (const [head, images, labels, file] of [
    [trainHead, f.trainImages, trainLabels, f.trainLabels],
    [testHead, f.testImages, testLabels, f.testLabels],
  ] as const) {
    if (head.dims[0] !== labels.length) {
      throw new UserError(`${images} has ${head.dims[0]} images but ${file} has ${labels.length} labels`);
    }
    if (head.dims[1] !== h || head.dims[2] !== w) {
      throw new UserError(`${images} has ${head.dims[1]}x${head.dims[2]} images but ${f.trainImages} has ${h}x${w}`);
    }
  }

  const pixels = async (part: 'train' | 'test', path: string, count: number) =>
    writePixelFile(staging, part, h * w, (wr) => streamIdxImages(path, count, wr, phaseReporter(progress, part, count)));
  const train = { pixels: await pixels('train', f.trainImages, trainLabels.length), labels: trainLabels };
  const test = { pixels: await pixels('test', f.testImages, testLabels.length), labels: testLabels };
  return { imageShape: [h, w, 1], classNames: names, train, test };
}
