// Pixel normalisation and the two CIFAR augmentations, on uint8 NHWC images.
// torchvision order, as in the reference training script: RandomCrop(size, padding) on the raw
// image (the padding is black, pixel value 0), then RandomHorizontalFlip, then
// Normalize(mean, std) per channel on pixel / 255. So padded pixels become (0 - mean) / std.
import type { Rng } from '../rng';
import type { ImageShape } from '../domain/run-config';
import { forEachChunk, type PixelSource } from './pixel-source';

export interface ChannelStats {
  mean: number[];
  std: number[];
}

/**
 * Per-channel mean and (population) standard deviation of pixel / 255 over the given images,
 * e.g. a split's training images. A constant channel gets std 1 so normalising stays finite.
 */
export function channelStats(images: Uint8Array, shape: ImageShape): ChannelStats {
  const hist = new Float64Array(256 * shape[2]);
  addToHistogram(hist, images, shape[2]);
  return statsFromHistogram(hist, images.length / shape[2]);
}

/**
 * The same over images read `chunk` at a time (a split streamed from its pixel file): the
 * histogram is exact integer counts whatever the chunking, so the result equals channelStats of
 * the images gathered into one buffer, to the last bit.
 */
export function channelStatsOf(source: PixelSource, shape: ImageShape): ChannelStats {
  const c = shape[2];
  const hist = new Float64Array(256 * c);
  // chunks hold whole images, and an image is whole pixels, so byte k of a chunk is channel k % c
  forEachChunk(source, (bytes) => addToHistogram(hist, bytes, c));
  return statsFromHistogram(hist, (source.count * source.imageBytes) / c);
}

// Integer histograms keep the sums exact and the loop cheap.
function addToHistogram(hist: Float64Array, images: Uint8Array, c: number): void {
  for (let i = 0; i < images.length; i++) hist[(i % c) * 256 + images[i]]++;
}

function statsFromHistogram(hist: Float64Array, perChannel: number): ChannelStats {
  const c = hist.length / 256;
  const sum = new Float64Array(c);
  const sq = new Float64Array(c);
  const mean: number[] = [];
  const std: number[] = [];
  for (let ch = 0; ch < c; ch++) {
    for (let v = 0; v < 256; v++) {
      const n = hist[ch * 256 + v];
      sum[ch] += n * v;
      sq[ch] += n * v * v;
    }
    const m = perChannel ? sum[ch] / perChannel : 0;
    const variance = perChannel ? Math.max(sq[ch] / perChannel - m * m, 0) : 0;
    mean.push(m / 255);
    std.push(variance > 0 ? Math.sqrt(variance) / 255 : 1);
  }
  return { mean, std };
}

/** lut[ch * 256 + v] = (v / 255 - mean[ch]) / std[ch], computed once per run. */
export function normalizationTable(stats: ChannelStats): Float32Array {
  const c = stats.mean.length;
  const lut = new Float32Array(256 * c);
  for (let ch = 0; ch < c; ch++) {
    for (let v = 0; v < 256; v++) lut[ch * 256 + v] = (v / 255 - stats.mean[ch]) / stats.std[ch];
  }
  return lut;
}

export interface AugmentOptions {
  crop: boolean;
  flip: boolean;
  /** zero padding around the image before cropping back to its size */
  padding: number;
}

/** Where one image's crop window starts in the padded image, and whether it is mirrored. */
export interface Placement {
  dy: number;
  dx: number;
  flip: boolean;
}

export const IDENTITY: Placement = { dy: 0, dx: 0, flip: false };

/**
 * Draws one image's augmentation: crop offsets uniform in [0, 2 * padding] (crop on), then a
 * fair coin for the flip (flip on). Offsets are relative to the unpadded image: -padding..padding.
 * Only enabled augmentations consume random numbers.
 */
export function drawPlacement(rng: Rng, o: AugmentOptions, out: Placement = { dy: 0, dx: 0, flip: false }): Placement {
  out.dy = 0;
  out.dx = 0;
  out.flip = false;
  if (o.crop && o.padding > 0) {
    out.dy = rng.int(0, 2 * o.padding) - o.padding;
    out.dx = rng.int(0, 2 * o.padding) - o.padding;
  }
  if (o.flip) out.flip = rng.float() < 0.5;
  return out;
}

/**
 * Writes one normalised image into dst at dstOff: output pixel (i, j) is the source pixel
 * (i + dy, j' + dx) with j' = W - 1 - j when flipped, or the padding value when that lies outside.
 */
export function writeImage(
  dst: Float32Array,
  dstOff: number,
  src: Uint8Array,
  srcOff: number,
  shape: ImageShape,
  lut: Float32Array,
  p: Placement,
): void {
  const [h, w, c] = shape;
  let o = dstOff;
  for (let i = 0; i < h; i++) {
    const si = i + p.dy;
    const rowInside = si >= 0 && si < h;
    for (let j = 0; j < w; j++) {
      const sj = (p.flip ? w - 1 - j : j) + p.dx;
      if (rowInside && sj >= 0 && sj < w) {
        const s = srcOff + (si * w + sj) * c;
        for (let ch = 0; ch < c; ch++) dst[o++] = lut[ch * 256 + src[s + ch]];
      } else {
        for (let ch = 0; ch < c; ch++) dst[o++] = lut[ch * 256];
      }
    }
  }
}
