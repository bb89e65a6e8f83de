// Serves the built renderer on app://dive/ (registered as a standard, secure scheme), with the CSP
// and the same path rules as the web server: nothing outside out/renderer is reachable.
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import type { PreparedFile } from '../core/app/model-export';
import { DOWNLOAD_PREFIX, downloadHeaders } from '../server/download';
import { contentType, readStatic, rendererBuilt, resolveStatic } from '../server/static';
import { SECURITY_HEADERS } from '../server/security';
import { isAppUrl } from './security';

export interface AppResponse {
  status: number;
  body: Buffer;
  headers: Record<string, string>;
}

export function appResponse(rendererDir: string, url: string): AppResponse {
  const text = (status: number, s: string, type = 'text/plain; charset=utf-8'): AppResponse => ({
    status,
    body: Buffer.from(s),
    headers: { ...SECURITY_HEADERS, 'Content-Type': type },
  });
  if (!isAppUrl(url)) return text(404, 'Not found');
  if (!rendererBuilt(rendererDir)) {
    return text(503, '<!doctype html><meta charset="utf-8"><title>DiVE Workbench</title><p>The workbench UI is not built: run <code>npm run build</code>, then restart the app.</p>', 'text/html; charset=utf-8');
  }
  const file = resolveStatic(rendererDir, new URL(url).pathname);
  if (!file) return text(404, 'Not found');
  return { status: 200, body: readStatic(file), headers: { ...SECURITY_HEADERS, 'Content-Type': contentType(file) } };
}

/** An address of a prepared download in the app (app://dive/api/download/ID). */
export function isAppDownloadUrl(url: string): boolean {
  return isAppUrl(url) && new URL(url).pathname.startsWith(DOWNLOAD_PREFIX);
}

/**
 * app://dive/api/download/ID: the file of a prepareExport ticket, as an attachment, so Chromium
 * hands it to Electron's download manager, which asks where to save it (the native save dialog,
 * the file name proposed). null for any other address. The file is removed once streamed.
 */
export function downloadResponse(url: string, take: (id: string) => PreparedFile | null): Response | null {
  if (!isAppDownloadUrl(url)) return null;
  const path = new URL(url).pathname;
  let file: PreparedFile | null = null;
  try {
    file = take(decodeURIComponent(path.slice(DOWNLOAD_PREFIX.length)));
  } catch {
    file = null;
  }
  if (!file) return new Response('This download has expired or was saved already: press Export again.', { status: 404, headers: { ...SECURITY_HEADERS, 'Content-Type': 'text/plain; charset=utf-8' } });
  const f = file;
  const stream = createReadStream(f.path);
  stream.once('close', () => f.dispose());
  return new Response(Readable.toWeb(stream), { status: 200, headers: downloadHeaders(f) });
}
