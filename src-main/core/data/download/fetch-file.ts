// One published file onto disk, the way torchvision's download_url does it plus resume: a cached
// copy whose MD5 matches is used as is; otherwise the file is fetched into NAME.part (continuing
// an earlier .part with an HTTP Range request), its MD5 checked, and only then renamed into place.
// A wrong checksum deletes the file; an interrupted transfer keeps the .part so that running the
// same command again resumes it. Proxies come from the environment (proxy.ts). No transfer grows past
// the file's catalogue size plus a margin (downloadLimit): a Content-Length over it is refused before
// a byte is written, a body that streams on past it is stopped and deleted.
import { createHash } from 'node:crypto';
import { closeSync, createReadStream, existsSync, openSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Dispatcher } from 'undici';
import type { Progress } from '../../domain/types';
import { UserError } from '../../domain/errors';
import { DOWNLOAD_TIMEOUT_SECONDS, downloadLimit, type DownloadFile } from '../../domain/downloads';
import { proxyFor } from './proxy';
import { describeTransfer, formatBytes, transferRate } from './rate';

export interface FetchOptions {
  /** an attempt ends when connecting, the headers or the next chunk take longer than this (default 30 s) */
  timeoutMs?: number;
  onProgress?: (p: Progress) => void;
  /** environment the proxy is chosen from (default process.env) */
  env?: Record<string, string | undefined>;
}

export interface FetchedFile {
  path: string;
  bytes: number;
  /** true when a verified copy was already there */
  cached: boolean;
  /** bytes an earlier interrupted attempt had already fetched */
  resumedFrom: number;
}

export const DEFAULT_TIMEOUT_MS = DOWNLOAD_TIMEOUT_SECONDS * 1000;
/** progress events at most this often, and always at the end */
const PROGRESS_EVERY_MS = 250;

/** The MD5 of a file, read in chunks. */
export async function fileMd5(path: string): Promise<string> {
  const h = createHash('md5');
  await pipeline(createReadStream(path, { highWaterMark: 1 << 20 }), async function* (src: AsyncIterable<Buffer>) {
    for await (const c of src) h.update(c);
  });
  return h.digest('hex');
}

/** A transfer that stopped part way: the .part file stays so the next attempt resumes it. */
class Interrupted extends Error {}
/** An address that gave nothing (no connection, an HTTP error status); the message names the address. */
class Refused extends Error {}
/** A body past the file's limit: what arrived is deleted (it cannot be the file), the next address is not tried. */
class Oversized extends Error {}

function describeError(e: unknown, timeoutMs: number): string {
  const code = e && typeof e === 'object' && 'code' in e ? String(e.code) : '';
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT') {
    return `no data for ${timeoutMs / 1000} s`;
  }
  const msg = e instanceof Error ? e.message.split('\n')[0] : String(e);
  return code && !msg.includes(code) ? `${msg} (${code})` : msg;
}

/** undici loads on first download, not at start-up: every `dive` command imports this module, and loading it costs a few hundred ms. */
async function dispatcherFor(url: string, timeoutMs: number, env: Record<string, string | undefined>): Promise<Dispatcher> {
  const { Agent, ProxyAgent } = await import('undici');
  const timeouts = { connectTimeout: timeoutMs, headersTimeout: timeoutMs, bodyTimeout: timeoutMs };
  const proxy = proxyFor(url, env);
  return proxy ? new ProxyAgent({ uri: proxy, ...timeouts }) : new Agent(timeouts);
}

/**
 * Appends (or writes) a response body to `path`. Each chunk is written synchronously as it arrives
 * (flowing mode), so the body never pushes back on undici's HTTP/1 parser: undici 6 crashes the
 * process with an uncatchable `assert(!this.paused)` when a body that ends with its connection (no
 * Content-Length) meets a parser paused by backpressure (nodejs/undici#5360). `onChunk` may throw
 * to stop the transfer; the body is then destroyed and the promise rejects with that error.
 */
function receive(body: Readable, path: string, append: boolean, onChunk: (bytes: number) => void): Promise<void> {
  const fd = openSync(path, append ? 'a' : 'w');
  return new Promise<void>((resolve, reject) => {
    let failed = false;
    const fail = (e: unknown) => {
      if (failed) return;
      failed = true;
      body.destroy();
      reject(e);
    };
    body.on('data', (chunk: Buffer) => {
      if (failed) return;
      try {
        onChunk(chunk.length);
        let off = 0;
        while (off < chunk.length) off += writeSync(fd, chunk, off, chunk.length - off);
      } catch (e) {
        fail(e);
      }
    });
    body.on('end', () => !failed && resolve());
    body.on('error', fail);
  }).finally(() => closeSync(fd));
}

function sizeOf(path: string): number {
  return existsSync(path) ? statSync(path).size : 0;
}

/**
 * One attempt at `url` into `part`, continuing it where it has bytes. Resolves when the body has
 * arrived whole; throws UserError for an HTTP error status (nothing written), Interrupted when
 * the connection broke or stalled after bytes were written.
 */
async function attempt(file: DownloadFile, url: string, part: string, opts: Required<Pick<FetchOptions, 'timeoutMs'>> & FetchOptions): Promise<void> {
  const env = opts.env ?? process.env;
  const dispatcher = await dispatcherFor(url, opts.timeoutMs, env);
  const { request } = await import('undici');
  const offset = sizeOf(part);
  try {
    const res = await request(url, {
      dispatcher,
      method: 'GET',
      maxRedirections: 5,
      headers: offset > 0 ? { range: `bytes=${offset}-` } : {},
    }).catch((e: unknown) => {
      throw new Refused(`${url}: ${describeError(e, opts.timeoutMs)}`);
    });
    const contentRange = String(res.headers['content-range'] ?? '');
    const resumed = res.statusCode === 206 && offset > 0 && contentRange.startsWith(`bytes ${offset}-`);
    if (offset > 0 && (res.statusCode === 416 || (res.statusCode === 206 && !resumed))) {
      // the server cannot continue this .part (changed file, odd range): start it over
      await res.body.dump();
      rmSync(part, { force: true });
      return attempt(file, url, part, opts);
    }
    if (res.statusCode !== 200 && !resumed) {
      await res.body.dump();
      throw new Refused(`${url} answered HTTP ${res.statusCode}`);
    }
    const start = resumed ? offset : 0;
    const length = Number(res.headers['content-length']);
    const total = Number.isFinite(length) && length > 0 ? start + length : 0;
    const limit = downloadLimit(file);
    if (total > limit) {
      // undici reports its own abort as an 'error': expected here
      res.body.on('error', () => undefined).destroy();
      throw new Oversized(`download of ${file.name} failed: ${url} announces ${formatBytes(total)}, but the file is ${formatBytes(file.bytes)}; nothing was kept`);
    }
    let done = start;
    const t0 = Date.now();
    let lastEvent = 0;
    const phase = `download ${file.name}`;
    const report = (force: boolean) => {
      const now = Date.now();
      if (!opts.onProgress || (!force && now - lastEvent < PROGRESS_EVERY_MS)) return;
      lastEvent = now;
      const { bytesPerSecond, etaSeconds } = transferRate(done, start, now - t0, total);
      opts.onProgress({ phase, done, total: total || done, bytesPerSecond, etaSeconds, detail: describeTransfer(done, total, bytesPerSecond, etaSeconds) });
    };
    report(true);
    await receive(res.body, part, resumed, (n) => {
      done += n;
      if (done > limit) throw new Oversized(`download of ${file.name} from ${url} sent more than ${formatBytes(limit)}, but the file is ${formatBytes(file.bytes)}; what arrived was deleted`);
      report(false);
    }).catch((e: unknown) => {
      if (e instanceof Oversized) throw e;
      throw new Interrupted(describeError(e, opts.timeoutMs));
    });
    if (total > 0 && done !== total) throw new Interrupted(`the connection closed at ${formatBytes(done)} of ${formatBytes(total)}`);
    report(true);
  } finally {
    await dispatcher.close().catch(() => undefined);
  }
}

/**
 * `file` at `dest` with its published MD5, downloading it (or the rest of it) when needed.
 * On a checksum mismatch nothing is left behind; after an interruption only `dest`.part is.
 */
export async function fetchFile(file: DownloadFile, dest: string, options: FetchOptions = {}): Promise<FetchedFile> {
  const opts = { ...options, timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS };
  if (existsSync(dest)) {
    opts.onProgress?.({ phase: `verify ${file.name}`, done: 0, total: 1 });
    const ok = (await fileMd5(dest)) === file.md5;
    opts.onProgress?.({ phase: `verify ${file.name}`, done: 1, total: 1 });
    if (ok) return { path: dest, bytes: statSync(dest).size, cached: true, resumedFrom: 0 };
    rmSync(dest, { force: true }); // a stale or damaged copy: fetch it again, as torchvision does
  }
  const part = `${dest}.part`;
  // a part past the limit (left by an earlier version) cannot be continued into the file
  if (sizeOf(part) > downloadLimit(file)) rmSync(part, { force: true });
  const resumedFrom = sizeOf(part);
  const refusals: string[] = [];
  let done = false;
  for (const url of file.urls) {
    try {
      await attempt(file, url, part, opts);
      done = true;
      break;
    } catch (e) {
      if (e instanceof Oversized) {
        rmSync(part, { force: true });
        throw new UserError(e.message, [{ path: [], message: `the server sent more than ${file.name} can be (${formatBytes(file.bytes)}); what arrived was deleted` }]);
      }
      if (!(e instanceof Refused || e instanceof Interrupted)) throw e;
      const kept = sizeOf(part);
      if (kept === 0) rmSync(part, { force: true });
      if (e instanceof Interrupted && kept > 0) {
        throw new UserError(`download of ${file.name} from ${url} stopped after ${formatBytes(kept)} (${e.message}); the partial file ${part} is kept: run the same command again to resume`, [
          { path: [], message: `the download of ${file.name} stopped after ${formatBytes(kept)} (${e.message}); what arrived is kept: download again to resume` },
        ]);
      }
      refusals.push(e instanceof Interrupted ? `${url}: ${e.message}` : e.message);
    }
  }
  if (!done) throw new UserError(`download of ${file.name} failed: ${refusals.join('; ')}`);
  const got = await fileMd5(part);
  if (got !== file.md5) {
    rmSync(part, { force: true });
    throw new UserError(`${file.name}: checksum mismatch (MD5 ${got}, expected ${file.md5}); the download was deleted, try again or check --mirror / DIVE_DATASET_MIRROR`, [
      { path: [], message: `${file.name} arrived damaged (checksum MD5 ${got}, expected ${file.md5}) and was deleted; try again, or check the mirror the server uses` },
    ]);
  }
  renameSync(part, dest);
  return { path: dest, bytes: statSync(dest).size, cached: false, resumedFrom };
}
