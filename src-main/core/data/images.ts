// Decoding one image file with sharp (libvips) into size x size x channels uint8 pixels.
//
// Choices, matching what PyTorch users get from torchvision's usual pipeline:
// - Resize: the short side to `size`, then a centre crop (fit 'cover', like Resize + CenterCrop),
//   so objects keep their aspect ratio instead of being stretched.
// - Alpha is dropped, not composited (like PIL's convert('RGB')).
// - EXIF orientation is not applied (PIL does not apply it either).
// - Decoding fails only on errors, not warnings: real datasets (ImageNet among them) hold JPEGs
//   with harmless libjpeg warnings, and one of them must not fail a 100k-image import.
import { UserError } from '../domain/errors';
import { firstLine } from './source';

export type Channels = 1 | 3;

/** sharp (libvips) loads on first use: every `dive` command imports this module, few decode images, and loading it costs a few hundred ms of start-up. */
const loadSharp = async () => (await import('sharp')).default;

function decodeError(path: string, where: string | undefined, e: unknown): UserError {
  const msg = e instanceof Error ? firstLine(e.message) : String(e);
  // sharp refuses images over 268 megapixels (a decompression bomb guard)
  const why = /exceeds pixel limit/i.test(msg) ? 'the image is too large (over 268 megapixels); shrink it or leave it out' : msg;
  return new UserError(`cannot decode image ${path}${where ? ` (${where})` : ''}: ${why}`);
}

export async function decodeImage(path: string, size: number, channels: Channels, where?: string): Promise<Buffer> {
  return decodeImageInput(path, path, size, channels, where);
}

/** decodeImage of a file's path or of its bytes (`dive predict`, the run page's "Try it"); `name` names it in messages. */
export async function decodeImageInput(input: string | Buffer, name: string, size: number, channels: Channels, where?: string): Promise<Buffer> {
  const sharp = await loadSharp();
  const path = name;
  try {
    let img = sharp(input, { failOn: 'error' }).resize(size, size, { fit: 'cover', position: 'centre' }).removeAlpha();
    img = channels === 1 ? img.toColourspace('b-w') : img.toColourspace('srgb');
    const { data, info } = await img.raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
    if (info.width !== size || info.height !== size || info.channels !== channels) {
      throw new Error(`decoded to ${info.width}x${info.height}x${info.channels}, expected ${size}x${size}x${channels}`);
    }
    return data;
  } catch (e) {
    throw decodeError(path, where, e);
  }
}

/** Grayscale by the file's colour type (read from the header only, cheap). */
export async function isGrayscale(path: string, where?: string): Promise<boolean> {
  const sharp = await loadSharp();
  try {
    const m = await sharp(path).metadata();
    return (m.channels ?? 3) - (m.hasAlpha ? 1 : 0) === 1;
  } catch (e) {
    throw decodeError(path, where, e);
  }
}

/**
 * Default channel count: 1 if every sampled image is grayscale, else 3. Up to `sample` images,
 * evenly spaced over the list (so every class folder tends to be seen), decide it; a colour image
 * outside the sample is converted to gray, a gray one to RGB (R = G = B).
 */
export async function chooseChannels(items: { path: string; where?: string }[], sample = 32): Promise<Channels> {
  const n = Math.min(sample, items.length);
  for (let k = 0; k < n; k++) {
    const it = items[Math.floor((k * items.length) / n)];
    if (!(await isGrayscale(it.path, it.where))) return 3;
  }
  return n > 0 ? 1 : 3;
}
