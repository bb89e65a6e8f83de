import { SingleBar } from 'cli-progress';
import type { Progress, ProgressFn } from '../core/domain/types';

export interface GlobalOpts {
  db?: string;
  json?: boolean;
}

/** With --json: exactly one JSON document on stdout. Otherwise the human form. */
export function emit(opts: GlobalOpts, value: unknown, human: () => string): void {
  if (opts.json) process.stdout.write(JSON.stringify(value, null, 2) + '\n');
  else process.stdout.write(human() + '\n');
}

export function table(rows: (string | number)[][], header: string[]): string {
  const all = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, i) => Math.max(...all.map((r) => String(r[i] ?? '').length)));
  const line = (r: (string | number)[]) => r.map((c, i) => String(c).padEnd(widths[i])).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...all.slice(1).map(line)].join('\n');
}

export const pct = (x: number | null | undefined): string => (x == null || Number.isNaN(x) ? '-' : (100 * x).toFixed(2));
export const fmt = (x: number | null | undefined, digits = 3): string => (x == null || Number.isNaN(x) ? '-' : x.toFixed(digits));

/**
 * Progress on stderr: a live bar on a terminal, otherwise one line per phase and every ~10%
 * (so logs of CI and of `--json` runs stay readable).
 */
export function stderrProgress(): ProgressFn & { stop(): void } {
  let bar: SingleBar | null = null;
  let phase = '';
  let lastDecile = -1;
  const tty = Boolean(process.stderr.isTTY);
  const fn = (p: Progress) => {
    if (p.phase !== phase) {
      bar?.stop();
      bar = null;
      phase = p.phase;
      lastDecile = -1;
      if (tty) {
        // downloads carry their own line (bytes, rate, time left); counts of images use the bar's
        const counts = p.detail === undefined ? '{value}/{total} {percentage}% | ETA {eta_formatted}' : '{percentage}% | {detail}';
        bar = new SingleBar({ stream: process.stderr, format: `${p.phase.padEnd(12)} [{bar}] ${counts}`, hideCursor: true });
        bar.start(p.total, p.done, { detail: p.detail ?? '' });
      }
    }
    if (bar) {
      bar.setTotal(p.total);
      bar.update(p.done, { detail: p.detail ?? '' });
    } else {
      const decile = p.total > 0 ? Math.floor((10 * p.done) / p.total) : 10;
      if (decile !== lastDecile) {
        lastDecile = decile;
        process.stderr.write(`${p.phase}: ${p.detail ?? `${p.done}/${p.total}`}\n`);
      }
    }
  };
  return Object.assign(fn, { stop: () => bar?.stop() });
}
