// IDX import from files: labels are read whole (one byte each), images are streamed (gunzipped
// on the fly) straight into the pixel file, so memory stays at a chunk whatever the dataset's size.
import type { ProgressFn } from '../domain/types';
import { UserError } from '../domain/errors';
import type { DecodedPart } from '../store/datasets';
import type { Staging } from '../store/files';
import type { RecordWriter } from '../store/files';
import { IDX_IMAGES_MAGIC, IDX_LABELS_MAGIC, idxHeaderBytes, parseIdxHeader, type IdxHeader } from './idx';
import { checkLabelRange, classCountOf, maxLabel } from './labels';
import { phaseReporter } from './progress';
import { defaultClassNames, fileChunks } from './source';
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
/**
 * Streams an IDX labels file (gunzipped on the fly) after checking its header against the
 * `count` images of `imagesPath`: a file whose header disagrees is refused after its first bytes,
 * and reading stops at the first byte past the promised labels, so a small gzip claiming millions
 * of labels is never unpacked.
 */
export async function readIdxLabelsFile(path: string, count: number, imagesPath: string): Promise<Int32Array> {
  let head = Buffer.alloc(0);
  let labels: Int32Array | null = null;
  let filled = 0;
  for await (let chunk of fileChunks(path)) {
    if (!labels) {
      head = Buffer.concat([head, chunk]);
      if (head.length < idxHeaderBytes(head)) continue;
      const h = parseIdxHeader(head, IDX_LABELS_MAGIC, path);
      if (h.dims.length !== 1) throw new UserError(`${path}: an IDX labels file has 1 dimension, this one ${h.dims.length}`);
      if (h.dims[0] !== count) throw new UserError(`${imagesPath} has ${count} images but ${path} has ${h.dims[0]} labels`);
      labels = new Int32Array(count);
      chunk = head.subarray(h.headerBytes);
    }
    if (filled + chunk.length > count) throw new UserError(`${path}: more data than the ${count} labels its header promises`);
    labels.set(chunk, filled);
    filled += chunk.length;
  }
  if (!labels) throw new UserError(`${path}: truncated: ${head.length} bytes is too short for an IDX labels header`);
  if (filled < count) throw new UserError(`${path}: truncated: the header promises ${count} labels, the file holds ${filled}`);
  return labels;
}

/**
 * Decodes an IDX dataset (absolute paths) into the staging folder. `classNames` fixes the class
 * count; without it, classes are 0..max label. Headers are compared before any body is read.
 */
export async function decodeIdx(staging: Staging, f: IdxFiles, classNames: string[] | undefined, progress?: ProgressFn): Promise<IdxDecoded> {
  const trainHead = await readIdxImagesHeader(f.trainImages);
  const testHead = await readIdxImagesHeader(f.testImages);
  const [, h, w] = trainHead.dims;
  for (const [head, images] of [[trainHead, f.trainImages], [testHead, f.testImages]] as const) {
    if (head.dims.length !== 3) throw new UserError(`${images}: IDX images have 3 dimensions (count, rows, columns), this file ${head.dims.length}`);
    if (head.dims[1] !== h || head.dims[2] !== w) {
      throw new UserError(`${images} has ${head.dims[1]}x${head.dims[2]} images but ${f.trainImages} has ${h}x${w}`);
    }
  }
  if (h === 0 || w === 0) throw new UserError(`${f.trainImages}: images of ${h}x${w} pixels; expected at least 1x1`);
  const trainLabels = await readIdxLabelsFile(f.trainLabels, trainHead.dims[0], f.trainImages);
  const testLabels = await readIdxLabelsFile(f.testLabels, testHead.dims[0], f.testImages);
  const names = classNames ?? defaultClassNames(classCountOf(maxLabel(trainLabels, testLabels), f.trainLabels));
  const why = classNames ? ` (${names.length} class names given)` : '';
  checkLabelRange(trainLabels, names.length, f.trainLabels, why);
  checkLabelRange(testLabels, names.length, f.testLabels, why);

  const pixels = async (part: 'train' | 'test', path: string, count: number) =>
    writePixelFile(staging, part, h * w, (wr) => streamIdxImages(path, count, wr, phaseReporter(progress, part, count)));
  const train = { pixels: await pixels('train', f.trainImages, trainLabels.length), labels: trainLabels };
  const test = { pixels: await pixels('test', f.testImages, testLabels.length), labels: testLabels };
  return { imageShape: [h, w, 1], classNames: names, train, test };
}
