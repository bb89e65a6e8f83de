// Where a run's images come from, behind one small interface: n images of `imageBytes` uint8 each,
// read by index into the caller's buffer. Training reads each batch from the dataset's pixel file
// (through the split's indices, in the epoch's shuffled order) and evaluation reads the test set
// the same way, so a run's memory is its batches and its labels, not its pixels: ImageNet-LT at
// 64x64 is 1.4 GB of pixels, iNaturalist 2018 at 32x32 1.3 GB. The OS page cache keeps what fits
// warm; nothing is gathered into one buffer.
//
// The interface takes arrays and paths only (no store, no split record), so the loader that maps a
// stored split to a source (train/data.ts today, the app/store layer tomorrow) is the only code
// that knows where the file came from.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { UserError } from '../domain/errors';

export interface PixelSource {
  /** images available, addressed 0..count-1 */
  readonly count: number;
  /** bytes of one image (H * W * C) */
  readonly imageBytes: number;
  /** Copies images indices[start], ..., indices[start + n - 1] into dst, one after another from byte 0. */
  read(indices: ArrayLike<number>, start: number, n: number, dst: Uint8Array): void;
  /** releases a file handle (a no-op for memory) */
  close(): void;
}

function checkRange(count: number, indices: ArrayLike<number>, start: number, n: number): void {
  if (start < 0 || start + n > indices.length) throw new Error(`pixel source: positions ${start}..${start + n - 1} outside 0..${indices.length - 1}`);
  for (let b = start; b < start + n; b++) {
    const i = indices[b];
    if (!(i >= 0 && i < count)) throw new Error(`pixel source: image ${i} outside 0..${count - 1}`);
  }
}

/** Images already in memory (tests, benches, a remote worker's small cached split). */
export function pixelsInMemory(pixels: Uint8Array, imageBytes: number): PixelSource {
  if (imageBytes < 1 || pixels.length % imageBytes !== 0) throw new Error(`pixel source: ${pixels.length} bytes are not whole images of ${imageBytes} bytes`);
  const count = pixels.length / imageBytes;
  return {
    count,
    imageBytes,
    read(indices, start, n, dst) {
      checkRange(count, indices, start, n);
      for (let b = 0; b < n; b++) {
        const i = indices[start + b];
        dst.set(pixels.subarray(i * imageBytes, (i + 1) * imageBytes), b * imageBytes);
      }
    },
    close() {},
  };
}

/**
 * The images of a uint8 pixel file (a dataset part as the store writes it: images back to back,
 * no header), read with positioned reads. Images that follow each other in the file and in the
 * request are read in one call, so a sequential pass (evaluation, normalisation statistics, a
 * natural split's ascending indices) reads large runs and a shuffled batch one image per call.
 */
export function pixelsFile(path: string, imageBytes: number): PixelSource {
  let fd: number | null = openSync(path, 'r');
  const bytes = fstatSync(fd).size;
  if (imageBytes < 1 || bytes % imageBytes !== 0) {
    closeSync(fd);
    throw new UserError(`data file ${path} has ${bytes} bytes, not whole images of ${imageBytes} bytes; re-import the dataset`);
  }
  const count = bytes / imageBytes;
  return {
    count,
    imageBytes,
    read(indices, start, n, dst) {
      if (fd === null) throw new Error(`pixel source: ${path} is closed`);
      checkRange(count, indices, start, n);
      let b = 0;
      while (b < n) {
        const first = indices[start + b];
        let run = 1;
        while (b + run < n && indices[start + b + run] === first + run) run++;
        const want = run * imageBytes;
        let got = 0;
        while (got < want) {
          const r = readSync(fd, dst, b * imageBytes + got, want - got, first * imageBytes + got);
          if (r === 0) throw new UserError(`data file ${path} is truncated at image ${first}; re-import the dataset`);
          got += r;
        }
        b += run;
      }
    },
    close() {
      if (fd !== null) closeSync(fd);
      fd = null;
    },
  };
}

/** Image i of the view is image idx[i] of `source`: a split of a dataset part, a holdout of a split. */
export function pixelsSubset(source: PixelSource, idx: Int32Array): PixelSource {
  for (let i = 0; i < idx.length; i++) if (!(idx[i] >= 0 && idx[i] < source.count)) throw new Error(`pixel source: subset index ${idx[i]} outside 0..${source.count - 1}`);
  // the mapped indices of one read, reused (a batch is small; a long sequential read grows it once)
  let mapped = new Int32Array(0);
  return {
    count: idx.length,
    imageBytes: source.imageBytes,
    read(indices, start, n, dst) {
      checkRange(idx.length, indices, start, n);
      if (mapped.length < n) mapped = new Int32Array(n);
      for (let b = 0; b < n; b++) mapped[b] = idx[indices[start + b]];
      source.read(mapped, 0, n, dst);
    },
    close: () => source.close(),
  };
}

/** A source as is, or in-memory pixels wrapped as one. */
export function asPixelSource(images: Uint8Array | PixelSource, imageBytes: number): PixelSource {
  return images instanceof Uint8Array ? pixelsInMemory(images, imageBytes) : images;
}

/** Images a sequential pass reads at a time: a few MB whatever the image size. */
export function chunkImages(imageBytes: number): number {
  return Math.max(1, Math.floor((4 << 20) / imageBytes));
}

/**
 * Every image in order, `chunk` at a time, through one reused buffer: `fn(bytes, first, n)` sees
 * images first..first+n-1 back to back. Memory: one chunk.
 */
export function forEachChunk(source: PixelSource, fn: (bytes: Uint8Array, first: number, n: number) => void, chunk = chunkImages(source.imageBytes)): void {
  const buf = new Uint8Array(Math.min(chunk, Math.max(1, source.count)) * source.imageBytes);
  const order = new Int32Array(Math.min(chunk, Math.max(1, source.count)));
  for (let first = 0; first < source.count; first += chunk) {
    const n = Math.min(chunk, source.count - first);
    for (let k = 0; k < n; k++) order[k] = first + k;
    source.read(order, 0, n, buf);
    fn(buf.subarray(0, n * source.imageBytes), first, n);
  }
}
