// A listener that serves the worker API only: what `dive serve --allow-remote --worker-host` and
// `dive study run --executor slurm` open for workers on other hosts, while the UI stays on loopback.
// TLS with a given certificate and key (workers trust it through NODE_EXTRA_CA_CERTS when it is
// self-signed); without one, run it inside the cluster network or through an SSH tunnel.
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { UserError } from '../core/domain/errors';
import { checkBindHost } from './server';
import { hostPort } from './security';
import type { WorkerHandler } from './worker-api';

export interface WorkerServerOptions {
  handler: WorkerHandler;
  host: string;
  port?: number;
  allowRemote: boolean;
  tls?: { cert: string; key: string };
  /** the address workers are told to use (default: this machine's name, or the loopback address) */
  publicUrl?: string;
}

export interface RunningWorkerServer {
  /** what `dive worker --server` takes */
  url: string;
  port: number;
  server: Server;
  close(): Promise<void>;
}

function readPem(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch {
    throw new UserError(`${what} ${path} cannot be read; give a PEM file`);
  }
}

export async function startWorkerServer(o: WorkerServerOptions): Promise<RunningWorkerServer> {
  checkBindHost(o.host, o.allowRemote);
  const handle = (req: Parameters<WorkerHandler>[0], res: Parameters<WorkerHandler>[1]) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (!url.pathname.startsWith('/worker/v1/')) {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('this address serves the worker API only');
      return;
    }
    o.handler(req, res, url).catch(() => res.destroy());
  };
  const server: Server = o.tls
    ? createHttpsServer({ cert: readPem(o.tls.cert, '--tls-cert'), key: readPem(o.tls.key, '--tls-key') }, handle)
    : createHttpServer(handle);
  // uploads of large checkpoints over a slow link: no request timeout beyond the body limit
  server.requestTimeout = 0;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EADDRINUSE') reject(new UserError(`worker port ${o.port} is in use; choose another (0 picks a free one)`));
      else if (e.code === 'EADDRNOTAVAIL' || e.code === 'ENOTFOUND') reject(new UserError(`worker host ${o.host} is not an address of this machine`));
      else reject(e);
    });
    server.listen(o.port ?? 0, o.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const shown = o.host === '0.0.0.0' || o.host === '::' ? hostname() : o.host;
  return {
    url: o.publicUrl ?? `${o.tls ? 'https' : 'http'}://${hostPort(shown, port)}`,
    port,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
