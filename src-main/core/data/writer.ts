import type { Staging, WrittenFile } from '../store/files';
import { RecordWriter } from '../store/files';

export const PIXEL_FILES = { train: 'train-pixels.u8', test: 'test-pixels.u8' } as const;

/**
 * Fills one uint8 NHWC pixel file in the staging folder. The file is closed even when `fill`
 * throws, so the caller's `staging.abort()` can remove the folder on every platform.
 */
export async function writePixelFile(
  staging: Staging,
  part: 'train' | 'test',
  recordBytes: number,
  fill: (w: RecordWriter) => Promise<void>,
): Promise<WrittenFile> {
  const w = new RecordWriter(staging.path(PIXEL_FILES[part]), recordBytes);
  try {
    await fill(w);
  } catch (e) {
    try {
      w.close();
    } catch {
      // the fill error is the one worth reporting
    }
    throw e;
  }
  return w.close();
}
