// `dive serve`: the workbench UI over HTTP on loopback. Protocol:
//   POST /api/<call>   body: JSON argument (empty body = no argument), Content-Type application/json
//                      → 200 {ok:true, result} | 400 {ok:false, error} (error: one line, never a stack)
//   GET  /api/events   server-sent events, one `data: <ApiEvent JSON>` per event, comments as keep-alive
//   GET  /api/download/<id>  a file that POST /api/prepareExport prepared (one-time id: no token; download.ts)
//   GET  /<file>       the built renderer from out/renderer
// Every /api request needs the launch token: in a header (Authorization: Bearer or x-dive-token),
// or, from the browser, in the session cookie that loading `/?token=T` sets (security.ts; a
// cookie-only POST must also carry our own Origin); never in the URL. Every request needs an
// allowed Host and, if it has one, a same-origin Origin. Bodies over MAX_BODY get 413, JSON nested
// deeper than MAX_DEPTH gets 400.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describeError, failure } from '../core/domain/describe-error';
import type { Dispatcher } from '../core/app/dispatch';
import { allowedHosts, cookieRequestAllowed, cookieToken, headerToken, hostAllowed, hostPort, isLoopback, newToken, originAllowed, SECURITY_HEADERS, sessionCookie, tokenMatches } from './security';
import { DOWNLOAD_PREFIX, serveDownload } from './download';
import { contentType, readStatic, rendererBuilt, resolveStatic } from './static';
import { isInputError, UserError } from '../core/domain/errors';
import type { WorkerHandler } from './worker-api';

export interface ServeOptions {
  dispatcher: Dispatcher;
  /** folder of the built UI (index.html and assets/) */
  rendererDir: string;
  host?: string;
  port?: number;
  allowRemote?: boolean;
  /** default: a fresh random token */
  token?: string;
  /** where internal errors are logged with their stack (default stderr) */
  log?: (line: string) => void;
  /** the worker API at /worker/v1/ on this listener (worker tokens, not the UI token; server/worker-api.ts) */
  worker?: WorkerHandler;
}

export interface RunningServer {
  url: string;
  host: string;
  port: number;
  token: string;
  server: Server;
  /** stops accepting, ends event streams; the caller closes the dispatcher */
  close(): Promise<void>;
}

const MAX_BODY = 4 * 1024 * 1024;
/** API arguments are a few levels deep; 100,000 levels would overflow the stack of JSON.parse or zod */
const MAX_DEPTH = 64;
/** an event stream whose client reads slower than this much buffered output is closed (it reconnects) */
const MAX_STREAM_BUFFER = 1024 * 1024;

function send(res: ServerResponse, status: number, body: string | Buffer, type: string, extra: Record<string, string> = {}): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': type, 'Content-Length': Buffer.byteLength(body), ...extra });
  res.end(body);
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  send(res, status, JSON.stringify(value), 'application/json; charset=utf-8', { 'Cache-Control': 'no-store' });
}

class BodyTooLarge extends UserError {}

/**
 * The body as text, or BodyTooLarge once it passes MAX_BODY (at once when Content-Length says so).
 * The rest of a too-large body is read and dropped, so the client gets its 413 rather than a reset;
 * one that goes on far past the limit is cut off.
 */
function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolveBody, reject) => {
    const tooLarge = () => new BodyTooLarge(`request body is over ${MAX_BODY / 1024 / 1024} MiB`);
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    const refuse = () => {
      refused = true;
      chunks.length = 0;
      reject(tooLarge());
    };
    if (Number(req.headers['content-length'] ?? 0) > MAX_BODY) refuse();
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (refused) {
        if (size > 16 * MAX_BODY) req.destroy();
      } else if (size > MAX_BODY) refuse();
      else chunks.push(c);
    });
    req.on('end', () => {
      if (!refused) resolveBody(Buffer.concat(chunks).toString('utf8'));
    });
    req.on('error', reject);
  });
}

/** Deepest nesting of arrays and objects in JSON text (strings skipped), stopping once past `limit`. */
export function jsonDepth(text: string, limit = MAX_DEPTH): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (inString) {
      if (ch === 92) i++; // backslash: skip the escaped character
      else if (ch === 34) inString = false;
    } else if (ch === 34) inString = true;
    else if (ch === 91 || ch === 123) {
      if (++depth > max && (max = depth) > limit) return max;
    } else if (ch === 93 || ch === 125) depth--;
  }
  return max;
}

/** what a call without the session or the token is told (the UI shows it on its error page) */
export const UNAUTHORISED =
  'this browser has no session with the workbench: open the address `dive serve` printed (http://…/?token=…) once in it; links opened afterwards need no token (a restarted server prints a new address; scripts send the token as Authorization: Bearer)';

const staleTokenPage =
  '<!doctype html><meta charset="utf-8"><title>DiVE Workbench: wrong token</title><p>This address carries a token this server did not issue. <code>dive serve</code> makes a new token each time it starts: open the address it printed last.</p>';

const notBuilt = (dir: string) =>
  `<!doctype html><meta charset="utf-8"><title>DiVE Workbench</title><p>The workbench UI is not built (${dir.replace(/[<&>]/g, '')} has no index.html): run <code>npm run build</code>, then reload.</p>`;

/** Refuses a non-loopback address unless the user said --allow-remote. */
export function checkBindHost(host: string, allowRemote: boolean): void {
  if (!isLoopback(host) && !allowRemote) {
    throw new UserError(`--host ${host} is not a loopback address: anyone who can reach it and learns the token controls the workbench; add --allow-remote if that is what you want`);
  }
}

export async function startServer(o: ServeOptions): Promise<RunningServer> {
  const host = o.host ?? '127.0.0.1';
  checkBindHost(host, o.allowRemote ?? false);
  const token = o.token ?? newToken();
  const log = o.log ?? ((l: string) => process.stderr.write(l + '\n'));
  const streams = new Set<ServerResponse>();
  let allowed: Set<string> | null = null;

  const api = async (req: IncomingMessage, res: ServerResponse, url: URL) => {
    const name = url.pathname.slice('/api/'.length);
    const fromHeader = headerToken(req);
    const authorised = fromHeader !== undefined ? tokenMatches(fromHeader, token) : tokenMatches(cookieToken(req, port), token) && cookieRequestAllowed(req);
    if (!authorised) return sendJson(res, 401, { ok: false, error: UNAUTHORISED });
    if (name === 'events') {
      if (req.method !== 'GET') return sendJson(res, 405, { ok: false, error: 'use GET for /api/events' });
      return events(req, res);
    }
    if (req.method !== 'POST') return sendJson(res, 405, { ok: false, error: `use POST for /api/${name}` });
    // a JSON content type cannot be sent cross-site without a CORS preflight, which we never answer
    if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) return sendJson(res, 415, { ok: false, error: 'Content-Type must be application/json' });
    try {
      const text = await readBody(req);
      if (jsonDepth(text) > MAX_DEPTH) throw new UserError(`request body is nested deeper than ${MAX_DEPTH} levels`);
      let args: unknown;
      try {
        args = text.trim() === '' ? undefined : JSON.parse(text);
      } catch {
        throw new UserError('request body is not valid JSON');
      }
      const result = await o.dispatcher.callRaw(name, args);
      sendJson(res, 200, { ok: true, result });
    } catch (e) {
      const known = isInputError(e);
      if (!known) log(`dive serve: /api/${name}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      // after a 413 the connection closes: the rest of the body is not worth reading
      const extra: Record<string, string> = e instanceof BodyTooLarge ? { Connection: 'close' } : {};
      const status = e instanceof BodyTooLarge ? 413 : known ? 400 : 500;
      send(res, status, JSON.stringify(failure(e)), 'application/json; charset=utf-8', { 'Cache-Control': 'no-store', ...extra });
    }
  };

  const events = (req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store', Connection: 'keep-alive' });
    res.write(': connected\n\n');
    streams.add(res);
    // back-pressure: while the socket's buffer is full, progress ticks (superseded by the next) are
    // dropped; a client that falls a megabyte behind is disconnected and reconnects
    let congested = false;
    res.on('drain', () => (congested = false));
    const write = (text: string) => {
      if (res.writableLength > MAX_STREAM_BUFFER) {
        stop();
        res.destroy();
      } else if (!res.write(text)) congested = true;
    };
    const unsubscribe = o.dispatcher.subscribe((e) => {
      if (congested && (e.type === 'batch' || e.type === 'progress')) return;
      write(`data: ${JSON.stringify(e)}\n\n`);
    });
    const keepAlive = setInterval(() => write(': keep-alive\n\n'), 15_000);
    const stop = () => {
      clearInterval(keepAlive);
      unsubscribe();
      streams.delete(res);
    };
    req.on('close', stop);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    if (!hostAllowed(req, allowed)) return send(res, 403, 'Host not allowed', 'text/plain; charset=utf-8');
    if (!originAllowed(req)) return send(res, 403, 'Origin not allowed', 'text/plain; charset=utf-8');
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname.startsWith(DOWNLOAD_PREFIX)) return serveDownload(req, res, url, (id) => o.dispatcher.takeExport(id));
    if (url.pathname.startsWith('/api/')) return api(req, res, url);
    if (o.worker && url.pathname.startsWith('/worker/v1/')) return o.worker(req, res, url);
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'Method not allowed', 'text/plain; charset=utf-8');
    // the first load of the printed address: the token becomes the session cookie and leaves the address
    const given = url.searchParams.get('token');
    if (given !== null) {
      if (!tokenMatches(given, token)) return send(res, 401, staleTokenPage, 'text/html; charset=utf-8', { 'Cache-Control': 'no-store' });
      url.searchParams.delete('token');
      // a relative Location keeps the address's #fragment (the screen it names) in every browser
      // (and never "//host": that would leave this server)
      const path = url.pathname.startsWith('//') ? '/' : url.pathname;
      return send(res, 303, '', 'text/plain; charset=utf-8', { Location: path + url.search, 'Set-Cookie': sessionCookie(port, token), 'Cache-Control': 'no-store' });
    }
    if (!rendererBuilt(o.rendererDir)) return send(res, 503, notBuilt(o.rendererDir), 'text/html; charset=utf-8');
    const file = resolveStatic(o.rendererDir, url.pathname);
    if (!file) return send(res, 404, 'Not found', 'text/plain; charset=utf-8');
    const body = readStatic(file);
    // hashed assets never change; index.html must be re-read to pick up a new build
    const cache = url.pathname.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache';
    send(res, 200, req.method === 'HEAD' ? Buffer.alloc(0) : body, contentType(file), { 'Cache-Control': cache, 'Content-Length': String(body.length) });
  };

  let port = 0;
  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      log(`dive serve: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      if (!res.headersSent) sendJson(res, 500, { ok: false, error: describeError(e) });
      else res.end();
    });
  });
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EADDRINUSE') reject(new UserError(`port ${o.port} is in use; choose another --port (0 picks a free one)`));
      else if (e.code === 'EACCES') reject(new UserError(`port ${o.port} needs privileges; choose a port above 1023 (0 picks a free one)`));
      else if (e.code === 'EADDRNOTAVAIL' || e.code === 'ENOTFOUND') reject(new UserError(`--host ${host} is not an address of this machine`));
      else reject(e);
    });
    server.listen(o.port ?? 0, host, () => resolveListen());
  });
  port = (server.address() as AddressInfo).port;
  allowed = allowedHosts(host, port);
  const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return {
    url: `http://${hostPort(shown, port)}/?token=${token}`,
    host,
    port,
    token,
    server,
    close: () =>
      new Promise<void>((resolveClose) => {
        for (const s of streams) s.end();
        server.close(() => resolveClose());
        server.closeAllConnections();
      }),
  };
}
