// The shared back half of the folder, list and iNaturalist importers: decode a list of image files
// with a few decodes in flight and append them, in list order, to the pixel file. At most
// IN_FLIGHT decoded images are held at once, so memory does not grow with the dataset.
import type { ProgressFn } from '../domain/types';
import type { DecodedPart } from '../store/datasets';
import type { Staging } from '../store/files';
import { chooseChannels, decodeImage, type Channels } from './images';
import { phaseReporter } from './progress';
import { writePixelFile } from './writer';
import type { ReadRoots } from './read-roots';

export interface ImageEntry {
  /** absolute path */
  path: string;
  label: number;
  /** where the entry came from, for messages ("train.txt line 12") */
  where?: string;
}

/** libvips runs each decode on its own threads; a handful in flight keeps them busy without piling up buffers. */
export const IN_FLIGHT = 6;

async function decodePart(
  staging: Staging,
  part: 'train' | 'test',
  entries: ImageEntry[],
  size: number,
  channels: Channels,
  progress?: ProgressFn,
): Promise<DecodedPart> {
  const tick = phaseReporter(progress, part, entries.length);
  const labels = Int32Array.from(entries, (e) => e.label);
  const pixels = await writePixelFile(staging, part, size * size * channels, async (w) => {
    const window: Promise<Buffer>[] = [];
    let next = 0;
    const launch = () => {
      const e = entries[next++];
      const p = decodeImage(e.path, size, channels, e.where);
      // a later decode may fail while an earlier one is awaited; it is rethrown when its turn comes
      p.catch(() => {});
      window.push(p);
    };
    try {
      for (let i = 0; i < entries.length; i++) {
        while (next < entries.length && window.length < IN_FLIGHT) launch();
        w.append(await window.shift()!);
        tick(i + 1);
      }
    } finally {
      // let decodes still running finish before the caller cleans up, so nothing outlives the import
      await Promise.allSettled(window);
    }
  });
  tick(entries.length);
  return { pixels, labels };
}

export async function decodeImageParts(
  staging: Staging,
  parts: { train: ImageEntry[]; test: ImageEntry[] },
  size: number,
  channels: Channels | undefined,
  progress?: ProgressFn,
  roots?: ReadRoots,
): Promise<{ imageShape: [number, number, number]; train: DecodedPart; test: DecodedPart }> {
  // every image, links resolved, before any is read (web mode: only below --data-root)
  if (roots) for (const e of [...parts.train, ...parts.test]) roots.check(e.path, e.where ? `image (${e.where})` : 'image');
  const c = channels ?? (await chooseChannels([...parts.train, ...parts.test]));
  const train = await decodePart(staging, 'train', parts.train, size, c, progress);
  const test = await decodePart(staging, 'test', parts.test, size, c, progress);
  return { imageShape: [size, size, c], train, test };
}
