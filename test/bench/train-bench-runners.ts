// The training bench's two sides, each in processes of its own: ours (train-bench-child.ts, one
// process per measurement) and PyTorch (torch_bench.py, all thread counts in one process).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import type { BackendName } from '../../src-main/core/train/backend';
import type { ModelKind } from '../../src-main/core/domain/run-config';
import { LINE, SGD, type Ours, type TorchLine } from './train-bench-types';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const CHILD = path.join(HERE, 'train-bench-child.ts');
export const TORCH_SCRIPT = path.join(HERE, 'torch_bench.py');

/** The first Python that imports torch: $DIVE_BENCH_PYTHON, python3, /usr/bin/python3, python. */
export function findTorchPython(): string | null {
  const candidates = [process.env.DIVE_BENCH_PYTHON, 'python3', '/usr/bin/python3', 'python'].filter((p): p is string => !!p);
  for (const py of candidates) {
    const r = spawnSync(py, ['-c', 'import torch'], { stdio: 'ignore', timeout: 60_000 });
    if (r.status === 0) return py;
  }
  return null;
}

function jsonLines<T>(stdout: string, pick: (line: string) => string | null): T[] {
  return stdout
    .split('\n')
    .map(pick)
    .filter((l): l is string => l !== null)
    .map((l) => JSON.parse(l) as T);
}

export function runOurs(kind: ModelKind, shape: string, batch: number, backend: BackendName, threads: number | undefined, steps: number, warmup: number, repeat: number, timeoutSec: number): Ours | null {
  const args = ['--import', 'tsx', CHILD, '--model', kind, '--shape', shape, '--batch', String(batch), '--backend', backend, '--steps', String(steps), '--warmup', String(warmup), '--repeat', String(repeat)];
  if (threads !== undefined) args.push('--threads', String(threads));
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 24, timeout: timeoutSec * 1000 });
  const out = jsonLines<Ours>(r.stdout ?? '', (l) => (l.startsWith(LINE) ? l.slice(LINE.length) : null));
  if (r.status !== 0 || out.length !== 1) {
    const why = r.error && 'code' in r.error && r.error.code === 'ETIMEDOUT' ? `over --timeout ${timeoutSec} s` : `exit ${r.status ?? r.signal}`;
    process.stderr.write(`  ${backend}: no result (${why})\n`);
    return null;
  }
  return out[0];
}

export function runTorch(py: string, kind: ModelKind, shape: string, batch: number, threads: number[], steps: number, warmup: number, repeat: number, device = 'cpu'): TorchLine[] {
  const args = [TORCH_SCRIPT, '--model', kind, '--shape', shape, '--batch', String(batch), '--steps', String(steps), '--warmup', String(warmup), '--repeat', String(repeat), '--device', device];
  args.push('--threads', ['default', ...threads.map(String)].join(','), '--lr', String(SGD.lr), '--momentum', String(SGD.momentum), '--weight-decay', String(SGD.weightDecay));
  const r = spawnSync(py, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 24 });
  if (r.status !== 0) {
    process.stderr.write(`  torch: failed (exit ${r.status ?? r.signal})\n`);
    return [];
  }
  return jsonLines<TorchLine>(r.stdout, (l) => (l.trim().startsWith('{') ? l.trim() : null));
}
