import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const DIVE = join(import.meta.dirname, '..', '..', 'src-main', 'cli', 'dive.mjs');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  json: () => unknown;
}

/** Runs the real `dive` entry in a child process against `db`, like a user would. */
export function dive(db: string, args: string[], env: NodeJS.ProcessEnv = {}): CliResult {
  const r = spawnSync(process.execPath, [DIVE, '--db', db, ...args], {
    encoding: 'utf8',
    env: { ...process.env, DIVE_DATA_DIR: undefined, DIVE_DB: undefined, ...env },
    timeout: 600_000,
  });
  return {
    code: r.status ?? -1,
    stdout: r.stdout,
    stderr: r.stderr,
    json: () => JSON.parse(r.stdout),
  };
}

export function tempDir(prefix = 'dive-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
