// Batch assembly: uint8 NHWC pixels + a list of sample indices -> normalised float32 NHWC batch
// and int32 labels, written into buffers allocated once per run. The pixels come from a
// PixelSource (a pixel file read batch by batch, or memory): the batch's raw bytes are read into a
// staging buffer in batch order, then normalised and augmented exactly as from one big array.
import type { Rng } from '../rng';
import { asPixelSource, type PixelSource } from './pixel-source';
import { drawPlacement, IDENTITY, writeImage, type AugmentOptions, type Placement } from './augment';
import type { ImageShape } from '../domain/run-config';

/** The sample order of one epoch: a seeded Fisher-Yates shuffle of 0..n-1. */
export function epochOrder(n: number, rng: Rng): Int32Array {
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  return rng.shuffle(order);
}

/** Number of batches of an epoch; the last one may be short (PyTorch's drop_last=False). */
export function batchCount(n: number, batchSize: number): number {
  return Math.ceil(n / batchSize);
}

export interface Batch {
  /** [count, H, W, C] values; a view into the assembler's buffer */
  x: Float32Array;
  /** [count] labels; a view into the assembler's buffer */
  y: Int32Array;
  count: number;
}

/**
 * Fills reusable buffers with batches. The returned views are overwritten by the next fill: make
 * the tensors, use them and dispose them before filling again (on the cpu backend a tensor made
 * from a Float32Array shares its memory).
 */
export class BatchAssembler {
  private readonly xBuf: Float32Array;
  private readonly yBuf: Int32Array;
  /** the batch's raw pixels, read from the source in batch order */
  private readonly raw: Uint8Array;
  private readonly imageSize: number;
  private readonly source: PixelSource;
  private readonly placement: Placement = { dy: 0, dx: 0, flip: false };

  constructor(
    images: Uint8Array | PixelSource,
    private readonly labels: Int32Array,
    private readonly shape: ImageShape,
    private readonly lut: Float32Array,
    maxBatch: number,
  ) {
    this.imageSize = shape[0] * shape[1] * shape[2];
    this.source = asPixelSource(images, this.imageSize);
    if (this.source.imageBytes !== this.imageSize || this.source.count !== labels.length) {
      throw new Error(`batch assembler: ${this.source.count} images of ${this.source.imageBytes} bytes for ${labels.length} labels of [${shape}]`);
    }
    this.xBuf = new Float32Array(maxBatch * this.imageSize);
    this.yBuf = new Int32Array(maxBatch);
    this.raw = new Uint8Array(maxBatch * this.imageSize);
  }

  get size(): number {
    return this.labels.length;
  }

  /**
   * The batch of samples order[start .. start + count). With `augment` and `rng`, each image gets
   * its own crop/flip drawn in batch order; without them the images are only normalised.
   */
  fill(order: ArrayLike<number>, start: number, count: number, augment?: { rng: Rng; options: AugmentOptions }): Batch {
    if (count * this.imageSize > this.xBuf.length) throw new Error(`batch of ${count} exceeds the assembler's capacity`);
    this.source.read(order, start, count, this.raw);
    for (let b = 0; b < count; b++) {
      const idx = order[start + b];
      const p = augment ? drawPlacement(augment.rng, augment.options, this.placement) : IDENTITY;
      writeImage(this.xBuf, b * this.imageSize, this.raw, b * this.imageSize, this.shape, this.lut, p);
      this.yBuf[b] = this.labels[idx];
    }
    return { x: this.xBuf.subarray(0, count * this.imageSize), y: this.yBuf.subarray(0, count), count };
  }
}

/** The identity order 0..n-1 (evaluation). */
export function sequentialOrder(n: number): Int32Array {
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  return order;
}
