// Reading the user's files: every failure becomes a UserError that names the file.
import { createReadStream, existsSync, openSync, readSync, closeSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { createGunzip } from 'node:zlib';
import { fieldError, UserError } from '../domain/errors';

export function firstLine(message: string): string {
  return message.split('\n')[0].trim();
}

/**
 * The absolute path of an existing regular file; `what` says which input it is ("train labels"),
 * `field` the request's field that named it (the form shows the problem under it).
 */
export function requireFile(path: string, what: string, field?: string): string {
  const abs = resolve(path);
  const at = (message: string, ui: string) => (field ? fieldError(message, [field], ui) : new UserError(message));
  if (!existsSync(abs)) throw at(`${what} file not found: ${abs}`, 'no file at this path');
  if (!statSync(abs).isFile()) throw at(`${what}: ${abs} is not a file`, 'this is a folder; give a file');
  return abs;
}

export function requireDir(path: string, what: string, field?: string): string {
  const abs = resolve(path);
  const at = (message: string, ui: string) => (field ? fieldError(message, [field], ui) : new UserError(message));
  if (!existsSync(abs)) throw at(`${what} folder not found: ${abs}`, 'no folder at this path');
  if (!statSync(abs).isDirectory()) throw at(`${what}: ${abs} is not a folder`, 'this is a file; give a folder');
  return abs;
}

export function isGzipFile(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(2);
    return readSync(fd, head, 0, 2, 0) === 2 && head[0] === 0x1f && head[1] === 0x8b;
  } finally {
    closeSync(fd);
  }
}

/**
 * The bytes of a file in chunks, gunzipped when it starts with the gzip magic (1f 8b), so memory
 * stays at one chunk whatever the file's size. Corrupt gzip data becomes a UserError naming the file.
 */
export async function* fileChunks(path: string): AsyncGenerator<Buffer> {
  const gz = isGzipFile(path);
  const raw = createReadStream(path, { highWaterMark: 1 << 20 });
  if (!gz) {
    yield* raw as AsyncIterable<Buffer>;
    return;
  }
  const gunzip = createGunzip({ chunkSize: 1 << 20 });
  raw.on('error', (e) => gunzip.destroy(e));
  raw.pipe(gunzip);
  try {
    for await (const chunk of gunzip as AsyncIterable<Buffer>) yield chunk;
  } catch (e) {
    if (e instanceof Error && 'errno' in e && (e as NodeJS.ErrnoException).code?.startsWith('Z_')) {
      throw new UserError(`${path}: gzip data is corrupt or truncated (${firstLine(e.message)})`);
    }
    throw e;
  } finally {
    raw.destroy();
  }
}

export function readText(path: string): string {
  return readFileSync(path, 'utf8');
}

/** Non-empty, trimmed lines (class-name files; trailing blank lines are common, e.g. CIFAR's batches.meta.txt). */
export function readNameLines(path: string): string[] {
  return readText(path)
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
}

export function defaultClassNames(n: number): string[] {
  return Array.from({ length: n }, (_, i) => String(i));
}
