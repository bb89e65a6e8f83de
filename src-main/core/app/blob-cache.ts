// A remote worker's cache of the store's files, addressed by SHA-256:
// $DIVE_CACHE (default ~/.cache/dive-workbench)/sha256/ab/abcdef... A file is fetched once per node
// (or once per shared scratch folder), verified against its SHA-256 before it is renamed into place,
// and re-verified when read, so a truncated or altered cache entry is fetched again, never trained on.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { UserError } from '../domain/errors';
import type { FileRef } from '../domain/worker-wire';

export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.DIVE_CACHE) return env.DIVE_CACHE;
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'dive-workbench');
}

export const cachePath = (dir: string, sha256: string) => join(dir, 'sha256', sha256.slice(0, 2), sha256);

async function hashFile(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}

/** Where `ref` lies in the cache once verified; `download` streams its bytes when it is missing or bad. */
export async function cached(dir: string, ref: FileRef, download: () => Promise<ReadableStream<Uint8Array>>): Promise<{ path: string; fetched: boolean }> {
  const path = cachePath(dir, ref.sha256);
  if (existsSync(path) && (await hashFile(path)) === ref.sha256) return { path, fetched: false };
  mkdirSync(dirname(path), { recursive: true });
  // a private temporary name: several array tasks may fetch the same file into a shared cache at once
  const tmp = `${path}.part-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    const body = await download();
    const h = createHash('sha256');
    let bytes = 0;
    const source = Readable.fromWeb(body as WebReadableStream<Uint8Array>);
    source.on('data', (c: Buffer) => {
      h.update(c);
      bytes += c.length;
    });
    await pipeline(source, createWriteStream(tmp, { mode: 0o600 }));
    const got = h.digest('hex');
    if (got !== ref.sha256 || bytes !== ref.bytes) {
      throw new UserError(`file ${ref.sha256.slice(0, 12)}… arrived with ${bytes} bytes and SHA-256 ${got.slice(0, 12)}…; the server or the network corrupted it (try again)`);
    }
    renameSync(tmp, path);
    return { path, fetched: true };
  } finally {
    rmSync(tmp, { force: true });
  }
}
