// The worker API over HTTP: what remote workers (`dive worker --server URL`) call on the `dive serve`
// (or `dive study run --executor slurm`) that owns the store. Separate from the UI's /api: its own
// tokens (worker tokens, stored hashed), its own paths, and limits sized for file uploads.
//   POST /worker/v1/claim                 JSON ClaimRequest → ClaimAnswer
//   POST /worker/v1/runs/:id/started      JSON {leaseId, backend}
//   POST /worker/v1/runs/:id/heartbeat    JSON {leaseId, warnings?} → {cancel}
//   POST /worker/v1/runs/:id/epoch        framed: JSON {leaseId, record, checkpoint} + checkpoint bytes
//   POST /worker/v1/runs/:id/finish       framed: JSON {leaseId, metrics, ..., weights} + weights bytes
//   POST /worker/v1/runs/:id/release      JSON {leaseId, status, error?}
//   GET  /worker/v1/blobs/:sha256         a stored file by its SHA-256 (dataset pixels, teacher weights, checkpoints)
// Answers: 200 JSON, or {ok:false, error} with 400 (bad input), 401 (token), 409 (lease lost),
// 413 (too large), 429 (too many requests; Retry-After).
import { createReadStream, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';
import { describeError } from '../core/domain/describe-error';
import { isInputError, UserError } from '../core/domain/errors';
import { ClaimRequest, EpochBody, FinishBody, HeartbeatBody, ReleaseBody, StartedBody } from '../core/domain/worker-wire';
import { LeaseLost, StoreBusy, type RemoteWork } from '../core/app/remote-service';
import { RateLimiter } from './rate-limit';

export interface WorkerApiOptions {
  /** largest JSON body (default 1 MiB) */
  maxJson?: number;
  /** largest upload: a checkpoint or weights file with its JSON part (default 1 GiB) */
  maxUpload?: number;
  /** requests a second per token, with a burst of 20x (default 20) */
  ratePerSecond?: number;
  log?: (line: string) => void;
}

export type WorkerHandler = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void>;

class TooLarge extends UserError {}

function reply(res: ServerResponse, status: number, value: unknown, extra: Record<string, string> = {}): void {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff', ...extra });
  res.end(body);
}

/** The whole body, refused past `limit` (at once when Content-Length says so; the connection is then closed). */
function readAll(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const tooLarge = () => new TooLarge(`request body is over ${Math.round(limit / 1024 / 1024)} MiB`);
    if (Number(req.headers['content-length'] ?? 0) > limit) return reject(tooLarge());
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on('data', (c: Buffer) => {
      if (done) return;
      size += c.length;
      if (size > limit) {
        done = true;
        reject(tooLarge());
      } else chunks.push(c);
    });
    req.on('end', () => !done && resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function parseJson<S extends z.ZodTypeAny>(schema: S, text: string, what: string): z.infer<S> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new UserError(`${what}: the body is not valid JSON`);
  }
  const r = schema.safeParse(value);
  if (!r.success) {
    const i = r.error.issues[0];
    throw new UserError(`${what}: ${i.path.join('.') || 'body'}: ${i.message}`);
  }
  return r.data;
}

/** Splits a framed upload: 4-byte little-endian JSON length, the JSON, the file. */
function unframe<S extends z.ZodTypeAny>(schema: S, buf: Buffer, what: string): { json: z.infer<S>; file: Uint8Array } {
  if (buf.length < 4) throw new UserError(`${what}: the upload is empty`);
  const len = buf.readUInt32LE(0);
  if (4 + len > buf.length || len > 1024 * 1024) throw new UserError(`${what}: the upload's JSON part is cut off or too large`);
  return { json: parseJson(schema, buf.toString('utf8', 4, 4 + len), what), file: buf.subarray(4 + len) };
}

const bearer = (req: IncomingMessage) => {
  const a = req.headers.authorization;
  return a?.startsWith('Bearer ') ? a.slice(7).trim() : undefined;
};

export function workerHandler(work: RemoteWork, o: WorkerApiOptions = {}): WorkerHandler {
  const maxJson = o.maxJson ?? 1024 * 1024;
  const maxUpload = o.maxUpload ?? 1024 * 1024 * 1024;
  const rate = o.ratePerSecond ?? 20;
  const perToken = new RateLimiter(rate, rate * 20);
  // wrong tokens: a handful a minute per address, so a token cannot be guessed by trying
  const badAuth = new RateLimiter(10 / 60, 10);
  const log = o.log ?? ((l: string) => process.stderr.write(l + '\n'));

  return async (req, res, url) => {
    const path = url.pathname.replace(/^\/worker\/v1\//, '');
    const addr = req.socket.remoteAddress ?? '?';
    // a browser page has no business here: refuse anything that carries an Origin
    if (req.headers.origin !== undefined) return reply(res, 403, { ok: false, error: 'the worker API does not answer browsers' });
    const token = bearer(req);
    const name = token === undefined ? null : work.authenticate(token);
    if (name === null) {
      if (!badAuth.take(addr)) return reply(res, 429, { ok: false, error: 'too many wrong tokens; wait a minute' }, { 'Retry-After': '60' });
      return reply(res, 401, { ok: false, error: 'missing, wrong or revoked worker token (create one with `dive worker-token create NAME` on the machine that owns the store)' });
    }
    if (!perToken.take(name)) return reply(res, 429, { ok: false, error: `worker token ${name}: over ${rate} requests a second` }, { 'Retry-After': '1' });

    try {
      const blob = /^blobs\/([0-9a-f]{64})$/.exec(path);
      if (blob) {
        if (req.method !== 'GET') return reply(res, 405, { ok: false, error: 'use GET for blobs' });
        const file = work.blob(blob[1]);
        if (file === null) return reply(res, 404, { ok: false, error: `no stored file has SHA-256 ${blob[1]}` });
        const size = statSync(file).size;
        res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': size, 'Cache-Control': 'no-store' });
        createReadStream(file).on('error', () => res.destroy()).pipe(res);
        return;
      }
      if (req.method !== 'POST') return reply(res, 405, { ok: false, error: `use POST for /worker/v1/${path}` });
      if (path === 'claim') {
        const body = parseJson(ClaimRequest, (await readAll(req, maxJson)).toString('utf8'), 'claim');
        return reply(res, 200, work.claim(body));
      }
      const m = /^runs\/(\d{1,12})\/(started|heartbeat|epoch|finish|release)$/.exec(path);
      if (!m) return reply(res, 404, { ok: false, error: `no worker call /worker/v1/${path}` });
      const runId = Number(m[1]);
      const what = `run ${runId} ${m[2]}`;
      switch (m[2]) {
        case 'started':
          work.started(runId, parseJson(StartedBody, (await readAll(req, maxJson)).toString('utf8'), what), name);
          return reply(res, 200, { ok: true });
        case 'heartbeat':
          return reply(res, 200, work.heartbeat(runId, parseJson(HeartbeatBody, (await readAll(req, maxJson)).toString('utf8'), what)));
        case 'release':
          work.release(runId, parseJson(ReleaseBody, (await readAll(req, maxJson)).toString('utf8'), what));
          return reply(res, 200, { ok: true });
        case 'epoch': {
          const u = unframe(EpochBody, await readAll(req, maxUpload), what);
          work.epoch(runId, u.json, u.file);
          return reply(res, 200, { ok: true });
        }
        default: {
          const u = unframe(FinishBody, await readAll(req, maxUpload), what);
          work.finish(runId, u.json, u.file);
          return reply(res, 200, { ok: true });
        }
      }
    } catch (e) {
      if (e instanceof LeaseLost) return reply(res, 409, { ok: false, error: e.message });
      if (e instanceof TooLarge) return reply(res, 413, { ok: false, error: e.message }, { Connection: 'close' });
      // another process holds the store's write lock past the busy timeout: nothing was written, the worker posts again
      if (e instanceof StoreBusy) return reply(res, 503, { ok: false, error: e.message }, { 'Retry-After': '2' });
      const known = isInputError(e);
      if (!known) log(`worker API /worker/v1/${path}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      return reply(res, known ? 400 : 500, { ok: false, error: describeError(e) });
    }
  };
}
