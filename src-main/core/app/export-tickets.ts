// Files prepared for a download, each behind a one-time, short-lived id: the web page (or the
// desktop window) asks for an export with a token-guarded call, gets an id, and fetches
// /api/download/ID by a plain link, so the token never appears in an address. An id is good for
// one fetch within TICKET_TTL_MS; the file is removed when that fetch ends, when it expires, or at close.
import { randomBytes } from 'node:crypto';
import type { ExportTicket } from '../domain/contract';
import type { PreparedFile } from './model-export';

export const TICKET_TTL_MS = 60_000;

export interface ExportTickets {
  /** registers a prepared file; the answer is what the caller may see (never the path) */
  add(file: PreparedFile): ExportTicket;
  /** the file for `id`, once: later calls, unknown and expired ids get null. The taker disposes it. */
  take(id: string): PreparedFile | null;
  /** removes every file not yet taken */
  clear(): void;
  readonly size: number;
}

export function exportTickets(ttlMs = TICKET_TTL_MS): ExportTickets {
  const open = new Map<string, { file: PreparedFile; timer: NodeJS.Timeout }>();
  return {
    add(file) {
      const id = randomBytes(24).toString('base64url');
      const timer = setTimeout(() => {
        open.delete(id);
        file.dispose();
      }, ttlMs);
      // an unfetched download must not keep a CLI process alive
      timer.unref();
      open.set(id, { file, timer });
      return { id, filename: file.filename, contentType: file.contentType, bytes: file.bytes, sha256: file.sha256, expiresInSeconds: Math.round(ttlMs / 1000) };
    },
    take(id) {
      const t = open.get(id);
      if (!t) return null;
      open.delete(id);
      clearTimeout(t.timer);
      return t.file;
    },
    clear() {
      for (const { file, timer } of open.values()) {
        clearTimeout(timer);
        file.dispose();
      }
      open.clear();
    },
    get size() {
      return open.size;
    },
  };
}
