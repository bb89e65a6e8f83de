// GET /api/download/ID: streams a file prepared by the prepareExport call. The one-time id, which
// only a token-guarded call hands out, is the credential, so a plain link can fetch it and the
// token never sits in an address, a history entry or a log. The file is removed once the response
// ends, whether it was sent in full, failed or the client went away.
import { createReadStream } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import type { PreparedFile } from '../core/app/model-export';
import { SECURITY_HEADERS } from './security';

export const DOWNLOAD_PREFIX = '/api/download/';

/** `attachment` with the name as is (prepared names are plain ASCII) and RFC 6266's UTF-8 form. */
export function contentDisposition(filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}

export function downloadHeaders(file: PreparedFile): Record<string, string> {
  return {
    ...SECURITY_HEADERS,
    'Content-Type': file.contentType,
    'Content-Length': String(file.bytes),
    'Content-Disposition': contentDisposition(file.filename),
    'Cache-Control': 'no-store',
    'X-Content-SHA256': file.sha256,
  };
}

const GONE = 'this download has expired or was fetched already (each export link works once, for a minute): press Export again';

export async function serveDownload(req: IncomingMessage, res: ServerResponse, url: URL, take: (id: string) => PreparedFile | null): Promise<void> {
  const json = (status: number, error: string, extra: Record<string, string> = {}) => {
    const body = JSON.stringify({ ok: false, error });
    res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': String(Buffer.byteLength(body)), 'Cache-Control': 'no-store', ...extra });
    res.end(body);
  };
  // a HEAD would use up the one fetch without delivering the file
  if (req.method !== 'GET') return json(405, `use GET for ${DOWNLOAD_PREFIX}ID`, { Allow: 'GET' });
  let id: string;
  try {
    id = decodeURIComponent(url.pathname.slice(DOWNLOAD_PREFIX.length));
  } catch {
    return json(404, GONE);
  }
  const file = take(id);
  if (!file) return json(404, GONE);
  try {
    res.writeHead(200, downloadHeaders(file));
    await pipeline(createReadStream(file.path), res);
  } catch {
    // the client went away or the file could not be read: the response is cut short, nothing is kept
    res.destroy();
  } finally {
    file.dispose();
  }
}
