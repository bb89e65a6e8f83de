import { InvalidArgumentError, type Command } from 'commander';
import { openStore, type Store } from '../core/store/store';
import { createService, type Service } from '../core/app/service';
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

export function globals(cmd: Command): GlobalOpts {
  return cmd.optsWithGlobals<GlobalOpts>();
}

/** Opens the store named by --db / DIVE_DB, runs `fn` on the service, and always closes it. */
export async function withService<T>(cmd: Command, fn: (svc: Service, store: Store) => Promise<T> | T): Promise<T> {
  const store = openStore({ db: globals(cmd).db });
  try {
    return await fn(createService(store), store);
  } finally {
    store.close();
  }
}
