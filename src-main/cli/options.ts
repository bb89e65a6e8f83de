import { InvalidArgumentError, type Command } from 'commander';
import { openStore, type Store } from '../core/store/store';
import { createDispatcher, type Dispatcher, type DispatcherOptions } from '../core/app/dispatch';
import type { GlobalOpts } from './output';

export function number(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new InvalidArgumentError(`"${value}" is not a number`);
  return n;
}

export function integer(value: string): number {
  const n = number(value);
  if (!Number.isInteger(n)) throw new InvalidArgumentError(`"${value}" is not a whole number`);
  return n;
}

export function numberList(value: string): number[] {
  return value.split(',').map((s) => number(s.trim()));
}

/**
 * `--seeds`: a count N (seeds 1..N) or a comma list of seeds, each in decimal digits only. Number()
 * alone would take "1e9", "0x10" or "1.5e3" as seeds; a typo must be refused, not trained.
 */
export function seedsFlag(value: string): number | number[] {
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v);
  const parts = v.split(',').map((s) => s.trim());
  if (v === '' || !parts.every((s) => /^\d+$/.test(s))) {
    throw new InvalidArgumentError(`"${value}" is neither a count of seeds nor a comma list of whole numbers (e.g. 3, or 1,5,9)`);
  }
  return parts.map(Number);
}

export function globals(cmd: Command): GlobalOpts {
  return cmd.optsWithGlobals<GlobalOpts>();
}

/**
 * Opens the store named by --db / DIVE_DB, runs `fn` against the same dispatcher (call table) the
 * window and the web API use, and always closes both. Imports and virtual examples run in this
 * process: the CLI has no event loop to keep free.
 */
export async function withDispatcher<T>(cmd: Command, fn: (d: Dispatcher, store: Store) => Promise<T> | T, opts: Pick<DispatcherOptions, 'queue' | 'slots'> = {}): Promise<T> {
  const store = openStore({ db: globals(cmd).db });
  // a command trains only what it queued itself (`dive worker` asks for the whole queue)
  const d = createDispatcher(store, { frontDoor: 'cli', tasks: 'in-process', queue: 'own', ...opts });
  try {
    return await fn(d, store);
  } finally {
    await d.close();
    store.close();
  }
}
