// A busy database is a wait, not a failure. SQLite's guidance for several processes writing one
// database (https://www.sqlite.org/wal.html, https://www.sqlite.org/c3ref/busy_timeout.html): a
// busy timeout on every connection (db.ts), write transactions that take the write lock up front
// with BEGIN IMMEDIATE (so the busy handler applies; a deferred read-then-write transaction fails at
// once with SQLITE_BUSY_SNAPSHOT instead), and a retry with back-off where SQLITE_BUSY still comes
// through because another process held the lock longer than the timeout: the queue poll, a
// worker's epoch writes, a command's calls. Each process says so on stderr once.
import { describeError } from '../domain/describe-error';

export const BUSY_NOTICE = 'waiting for the database, held by another process';

/** How long a connection's busy handler waits for another's write lock before SQLITE_BUSY comes through. */
export const BUSY_TIMEOUT_MS = 5000;

/** SQLITE_BUSY (another connection holds the lock past the timeout) or SQLITE_LOCKED, any extended code. */
export function isBusy(e: unknown): boolean {
  const code = typeof e === 'object' && e !== null && 'code' in e ? e.code : undefined;
  return typeof code === 'string' && /^SQLITE_(BUSY|LOCKED)/.test(code);
}

let say: (line: string) => void = (line) => void process.stderr.write(`${line}\n`);
let told = false;

/** Prints BUSY_NOTICE, once per process. */
export function busyNotice(): void {
  if (told) return;
  told = true;
  say(BUSY_NOTICE);
}

/** Where the notice goes (a training worker stays quiet: its parent polls the same database and says it). */
export function setBusyNotice(fn: (line: string) => void): void {
  say = fn;
}

/** Back-off between attempts: 100 ms doubling to 2 s (each attempt itself waits the busy timeout). */
export const busyBackoffMs = (attempt: number): number => Math.min(2000, 100 * 2 ** attempt);

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Runs `fn` until it does not fail with SQLITE_BUSY, blocking between attempts (start-up, migrations). */
export function retryBusySync<T>(fn: () => T): T {
  for (let attempt = 0; ; attempt++) {
    try {
      return fn();
    } catch (e) {
      if (!isBusy(e)) throw e;
      busyNotice();
      sleepSync(busyBackoffMs(attempt));
    }
  }
}

/** Runs `fn` until it does not fail with SQLITE_BUSY, yielding to the event loop between attempts. */
export async function retryBusy<T>(fn: () => T | Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      if (!isBusy(e)) throw e;
      busyNotice();
      await new Promise((r) => setTimeout(r, busyBackoffMs(attempt)));
    }
  }
}

/**
 * For work a timer repeats (the queue poll, the lease expiry): busy is a skipped round (the notice
 * once), any other failure one line on stderr (each distinct line once) instead of an uncaught
 * exception that would end the process.
 */
export function guardRound(what: string, seen = new Set<string>()): (fn: () => void) => 'ok' | 'busy' | 'failed' {
  return (fn) => {
    try {
      fn();
      return 'ok';
    } catch (e) {
      if (isBusy(e)) {
        busyNotice();
        return 'busy';
      }
      const line = `${what}: ${describeError(e)}`;
      if (!seen.has(line)) {
        seen.add(line);
        process.stderr.write(`${line}\n`);
      }
      return 'failed';
    }
  };
}
