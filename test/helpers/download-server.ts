// A loopback HTTP server that plays the datasets' hosts for the download tests: it serves files
// the test built, honours Range requests, and can misbehave on purpose (cut a transfer short,
// stall, ignore Range, answer 404). Plus a CONNECT proxy that counts what went through it.
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect, createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';

export type Behaviour =
  /** the whole file, or the asked-for range */
  | { kind: 'ok' }
  /** the first `times` requests announce the full length but close the connection after `after` bytes */
  | { kind: 'cut'; after: number; times: number }
  /** headers and `after` bytes, then silence */
  | { kind: 'stall'; after: number }
  /** always the whole file with 200, whatever Range asks */
  | { kind: 'no-range' }
  /** no Content-Length: the body in chunks (Transfer-Encoding: chunked), `repeat` times over */
  | { kind: 'chunked'; repeat: number }
  /** announces `length` in Content-Length, whatever the body holds */
  | { kind: 'claims'; length: number };

export interface ServedRequest {
  path: string;
  range: string | undefined;
  status: number;
}

export interface DownloadServer {
  url: string;
  requests: ServedRequest[];
  serve(path: string, body: Buffer, behaviour?: Behaviour): void;
  close(): Promise<void>;
}

export const md5 = (b: Buffer): string => createHash('md5').update(b).digest('hex');

function listen(server: Server): Promise<string> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));
}

export async function startDownloadServer(): Promise<DownloadServer> {
  const files = new Map<string, { body: Buffer; behaviour: Behaviour; served: number }>();
  const requests: ServedRequest[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const f = files.get(path);
    const range = req.headers.range;
    const log = (status: number) => requests.push({ path, range, status });
    if (!f) {
      log(404);
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    f.served++;
    let start = 0;
    const m = /^bytes=(\d+)-$/.exec(range ?? '');
    if (m && f.behaviour.kind !== 'no-range') start = Number(m[1]);
    if (start >= f.body.length && start > 0) {
      log(416);
      res.writeHead(416, { 'content-range': `bytes */${f.body.length}` }).end();
      return;
    }
    const part = f.body.subarray(start);
    const status = start > 0 ? 206 : 200;
    log(status);
    const headers: Record<string, string | number> = { 'content-type': 'application/octet-stream', 'content-length': part.length, 'accept-ranges': 'bytes' };
    if (status === 206) headers['content-range'] = `bytes ${start}-${f.body.length - 1}/${f.body.length}`;
    const b = f.behaviour;
    if (b.kind === 'chunked') delete headers['content-length'];
    if (b.kind === 'claims') headers['content-length'] = b.length;
    res.writeHead(status, headers);
    if (b.kind === 'chunked') {
      let left = b.repeat;
      const pump = () => {
        while (left > 0) {
          left--;
          if (!res.write(part)) return void res.once('drain', pump);
        }
        res.end();
      };
      res.on('error', () => undefined);
      pump();
    } else if (b.kind === 'claims') {
      res.write(part.subarray(0, 1024), () => res.socket?.destroy());
    } else if (b.kind === 'cut' && f.served <= b.times) {
      // the connection drops a moment after the bytes, once the client has taken them in
      res.write(part.subarray(0, b.after), () => setTimeout(() => res.socket?.destroy(), 300));
    } else if (b.kind === 'stall') {
      res.write(part.subarray(0, b.after)); // and nothing more until the client gives up
    } else {
      res.end(part);
    }
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  const url = await listen(server);
  return {
    url,
    requests,
    serve: (path, body, behaviour = { kind: 'ok' }) => files.set(path, { body, behaviour, served: 0 }),
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/**
 * A server of HTTP/1.0 answers whose body ends when the connection closes (no Content-Length, not
 * chunked): `bytes` zero bytes for every path, written as fast as the client takes them. Such a body
 * crashed undici 6 with an uncatchable `assert(!this.paused)` when its end met a paused parser.
 */
export async function startCloseDelimitedServer(bytes: number): Promise<{ url: string; paths: string[]; close(): Promise<void> }> {
  const paths: string[] = [];
  const sockets = new Set<Socket>();
  const server = createNetServer((sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    sock.on('error', () => undefined);
    sock.once('data', (head: Buffer) => {
      paths.push(head.toString('latin1').split(' ')[1] ?? '');
      sock.write('HTTP/1.0 200 OK\r\nContent-Type: application/octet-stream\r\n\r\n');
      const chunk = Buffer.alloc(1 << 16);
      let sent = 0;
      const pump = () => {
        while (sent < bytes) {
          const n = Math.min(chunk.length, bytes - sent);
          sent += n;
          if (!sock.write(chunk.subarray(0, n))) return void sock.once('drain', pump);
        }
        sock.end();
      };
      pump();
    });
  });
  const url = await new Promise<string>((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));
  return {
    url,
    paths,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** An HTTP CONNECT proxy (what undici's ProxyAgent speaks) that records each tunnel's target. */
export async function startConnectProxy(): Promise<{ url: string; tunnels: string[]; close(): Promise<void> }> {
  const tunnels: string[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((_req, res) => res.writeHead(405).end());
  server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    const target = req.url ?? '';
    tunnels.push(target);
    const [host, port] = target.split(':');
    const upstream = connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => sockets.delete(s));
    }
  });
  const url = await listen(server);
  return {
    url,
    tunnels,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
