import { createHash, randomBytes } from 'node:crypto';
import { closeSync, createReadStream, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { processAlive } from '../process';

/** A file's SHA-256 (hex), read as a stream: the checksum blobs and exports record. */
export async function sha256OfFile(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}

export const STAGING_PREFIX = '.staging-';

/**
 * A private folder in the data directory where an import or a run writes its files.
 * Nothing in it is visible to the store until `commit` renames it into place, so a failed
 * import leaves the data directory as it was (`abort`), and a crash leaves only a staging
 * folder that `sweepStaging` removes at the next open.
 */
export class Staging {
  readonly dir: string;
  private done = false;

  constructor(readonly dataDir: string) {
    mkdirSync(dataDir, { recursive: true });
    this.dir = join(dataDir, `${STAGING_PREFIX}${process.pid}-${randomBytes(6).toString('hex')}`);
    mkdirSync(this.dir);
  }

  path(name: string): string {
    return join(this.dir, name);
  }

  /** Moves the folder to `relDir` (relative to the data directory) and returns that path. */
  commit(relDir: string): string {
    const target = join(this.dataDir, relDir);
    if (existsSync(target)) throw new Error(`refusing to overwrite ${target}`);
    mkdirSync(join(target, '..'), { recursive: true });
    renameSync(this.dir, target);
    this.done = true;
    return target;
  }

  abort(): void {
    if (!this.done) rmSync(this.dir, { recursive: true, force: true });
    this.done = true;
  }
}


/** Removes staging folders whose process is gone (another front door may be importing right now). */
export function sweepStaging(dataDir: string): void {
  if (!existsSync(dataDir)) return;
  for (const f of readdirSync(dataDir)) {
    if (!f.startsWith(STAGING_PREFIX)) continue;
    const pid = Number(f.slice(STAGING_PREFIX.length).split('-')[0]);
    if (!Number.isInteger(pid) || pid <= 0 || !processAlive(pid)) rmSync(join(dataDir, f), { recursive: true, force: true });
  }
}

export interface WrittenFile {
  path: string;
  bytes: number;
  sha256: string;
}

/** Appends fixed-size records to a file through a buffer, hashing as it goes (one pass, no re-read). */
export class RecordWriter {
  private fd: number;
  private buf: Buffer;
  private used = 0;
  private hash = createHash('sha256');
  private bytes = 0;
  count = 0;

  constructor(readonly path: string, readonly recordBytes: number, bufferBytes = 1 << 22) {
    this.fd = openSync(path, 'w');
    this.buf = Buffer.allocUnsafe(Math.max(bufferBytes, recordBytes));
  }

  /** Appends one or more whole records. */
  append(data: Uint8Array): void {
    if (data.length % this.recordBytes !== 0) {
      throw new Error(`record writer for ${this.path}: ${data.length} bytes is not a whole number of ${this.recordBytes}-byte records`);
    }
    let off = 0;
    while (off < data.length) {
      const n = Math.min(this.buf.length - this.used, data.length - off);
      this.buf.set(data.subarray(off, off + n), this.used);
      this.used += n;
      off += n;
      if (this.used === this.buf.length) this.flush();
    }
    this.count += data.length / this.recordBytes;
  }

  private flush(): void {
    if (this.used === 0) return;
    const chunk = this.buf.subarray(0, this.used);
    this.hash.update(chunk);
    let off = 0;
    while (off < chunk.length) off += writeSync(this.fd, chunk, off, chunk.length - off);
    this.bytes += this.used;
    this.used = 0;
  }

  close(): WrittenFile {
    this.flush();
    // on disk before the rows that point to it are committed (a power cut must not leave a row without its bytes)
    fsyncSync(this.fd);
    closeSync(this.fd);
    return { path: this.path, bytes: this.bytes, sha256: this.hash.digest('hex') };
  }
}

