#!/usr/bin/env node
// `npm run icons`: the desktop app's icons, rendered from the UI's favicon (src-renderer/public/
// favicon.svg, the long-tailed histogram) so the window, the installers and the browser tab show the
// same mark. Writes src-main/shell/resources/icon.png (1024 px: electron-builder makes macOS's .icns
// and Windows' .ico from it) and icons/NxN.png (the Linux sizes), with the margin desktop icons keep.
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const FAVICON = join(ROOT, 'src-renderer', 'public', 'favicon.svg');
export const RESOURCES = join(ROOT, 'src-main', 'shell', 'resources');
export const LINUX_SIZES = [16, 32, 48, 64, 128, 256, 512];

/** The icon at `size` px as PNG bytes: the favicon over 7/8 of the square, centred. */
export async function renderIcon(size) {
  const inner = Math.round((size * 7) / 8);
  const mark = await sharp(FAVICON, { density: (72 * inner) / 32 }).resize(inner, inner).png().toBuffer();
  const pad = Math.floor((size - inner) / 2);
  return sharp({ create: { width: size, height: size, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } })
    .composite([{ input: mark, left: pad, top: pad }])
    .png({ compressionLevel: 9, palette: true })
    .toBuffer();
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  mkdirSync(join(RESOURCES, 'icons'), { recursive: true });
  await sharp(await renderIcon(1024)).toFile(join(RESOURCES, 'icon.png'));
  for (const s of LINUX_SIZES) await sharp(await renderIcon(s)).toFile(join(RESOURCES, 'icons', `${s}x${s}.png`));
  process.stdout.write(`wrote ${RESOURCES}/icon.png and icons/{${LINUX_SIZES.map((s) => `${s}x${s}`).join(',')}}.png\n`);
}
