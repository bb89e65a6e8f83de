// A remote worker's HTTP client of the worker API (server/worker-api.ts): bearer worker token,
// retries with back-off while the server is unreachable or busy (an epoch counts only once the
// server has committed it), and one clear line for everything else.
import { UserError } from '../domain/errors';

export class LeaseLostError extends UserError {}

export interface WorkerClient {
  json<T>(path: string, body: unknown, parse: (v: unknown) => T): Promise<T>;
  upload(path: string, chunks: readonly Uint8Array[]): Promise<void>;
  download(path: string): Promise<ReadableStream<Uint8Array>>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function workerClient(server: string, token: string, o: { retryForMs?: number; log?: (l: string) => void } = {}): WorkerClient {
  let base: URL;
  try {
    base = new URL(server.endsWith('/') ? server : server + '/');
  } catch {
    throw new UserError(`--server ${server}: not a URL; give e.g. http://login1:7070`);
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:') throw new UserError(`--server ${server}: use an http:// or https:// address`);
  const retryForMs = o.retryForMs ?? 10 * 60_000;

  async function request(path: string, init: RequestInit): Promise<Response> {
    const url = new URL(`worker/v1/${path}`, base);
    const started = Date.now();
    for (let attempt = 0; ; attempt++) {
      let res: Response | null = null;
      let why = '';
      try {
        res = await fetch(url, { ...init, headers: { ...init.headers, Authorization: `Bearer ${token}` } });
      } catch (e) {
        why = e instanceof Error && e.cause instanceof Error ? e.cause.message : String(e);
      }
      if (res && res.status < 500 && res.status !== 429) {
        if (res.ok) return res;
        const text = await res.text();
        let error = text.slice(0, 300);
        try {
          const v: unknown = JSON.parse(text);
          if (v && typeof v === 'object' && 'error' in v && typeof v.error === 'string') error = v.error;
        } catch {
          // not JSON: the first bytes of the body say enough
        }
        if (res.status === 409) throw new LeaseLostError(error);
        throw new UserError(`${server}: ${error}`);
      }
      if (res) why = `HTTP ${res.status}`;
      if (Date.now() - started > retryForMs) throw new UserError(`${server} did not answer /worker/v1/${path} for ${Math.round(retryForMs / 1000)} s (${why}); is \`dive serve\` running and reachable from this node?`);
      const wait = Math.min(30_000, 500 * 2 ** Math.min(attempt, 6));
      o.log?.(`worker: ${path}: ${why}; retrying in ${Math.round(wait / 1000)} s`);
      await sleep(wait);
    }
  }

  return {
    async json(path, body, parse) {
      const res = await request(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
      return parse(await res.json());
    },
    async upload(path, chunks) {
      const body = Buffer.concat(chunks);
      await request(path, { method: 'POST', headers: { 'Content-Type': 'application/octet-stream' }, body });
    },
    async download(path) {
      const res = await request(path, { method: 'GET' });
      if (!res.body) throw new UserError(`${server}: /worker/v1/${path} answered without a body`);
      return res.body;
    },
  };
}
