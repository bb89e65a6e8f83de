// Batch assembly: uint8 NHWC pixels + a list of sample indices -> normalised float32 NHWC batch
// and int32 labels, written into buffers allocated once per run.
import type { Rng } from '../rng';
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
  private readonly imageSize: number;
  private readonly placement: Placement = { dy: 0, dx: 0, flip: false };

  constructor(
    private readonly images: Uint8Array,
    private readonly labels: Int32Array,
    private readonly shape: ImageShape,
    private readonly lut: Float32Array,
    maxBatch: number,
  ) {
    this.imageSize = shape[0] * shape[1] * shape[2];
    if (images.length !== labels.length * this.imageSize) {
      throw new Error(`batch assembler: ${images.length} pixel bytes for ${labels.length} images of [${shape}]`);
    }
    this.xBuf = new Float32Array(maxBatch * this.imageSize);
    this.yBuf = new Int32Array(maxBatch);
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
    for (let b = 0; b < count; b++) {
      const idx = order[start + b];
      const p = augment ? drawPlacement(augment.rng, augment.options, this.placement) : IDENTITY;
      writeImage(this.xBuf, b * this.imageSize, this.images, idx * this.imageSize, this.shape, this.lut, p);
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
