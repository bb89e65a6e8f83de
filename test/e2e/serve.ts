// Starts `dive serve --port 0 --json` on a fresh database for the browser tests and stops it.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface Served {
  url: string;
  origin: string;
  token: string;
  dir: string;
  stderr: () => string;
  stop(): Promise<void>;
}

/** `env` is added to the server's environment (e.g. DIVE_DATASET_MIRROR for the download tests). */
export async function serve(env: NodeJS.ProcessEnv = {}): Promise<Served> {
  const dir = mkdtempSync(join(tmpdir(), 'dive-e2e-'));
  const child: ChildProcess = spawn(process.execPath, [join(ROOT, 'src-main/cli/dive.mjs'), 'serve', '--db', join(dir, 'dive.db'), '--port', '0', '--json'], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  const first = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`dive serve printed nothing in 30 s; stderr: ${err}`)), 30_000);
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const nl = out.indexOf('\n');
      if (nl >= 0) {
        clearTimeout(timer);
        resolve(out.slice(0, nl));
      }
    });
    child.once('exit', (code) => reject(new Error(`dive serve exited with ${code}: ${err}`)));
  });
  const { url, token } = JSON.parse(first) as { url: string; token: string };
  return {
    url,
    origin: new URL(url).origin,
    token,
    dir,
    stderr: () => err,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 20_000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A call straight to the HTTP API (what the UI shows is checked against it). */
export async function api<T>(s: Served, name: string, args: unknown, token: string | null = s.token): Promise<{ status: number; body: { ok: boolean; result?: T; error?: string } }> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (token !== null) headers.Authorization = `Bearer ${token}`;
  const res = await fetch(`${s.origin}/api/${name}`, { method: 'POST', headers, body: JSON.stringify(args ?? {}) });
  return { status: res.status, body: (await res.json()) as { ok: boolean; result?: T; error?: string } };
}

/** A call that must succeed: its result (the test fails with the core's line otherwise). */
export async function ok<T>(s: Served, name: string, args: unknown): Promise<T> {
  const r = await api<T>(s, name, args);
  if (r.status !== 200 || !r.body.ok) throw new Error(`${name}: ${r.body.error ?? r.status}`);
  return r.body.result!;
}
