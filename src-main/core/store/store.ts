import { mkdirSync } from 'node:fs';
import { openDatabase } from './db';
import { sweepStaging } from './files';
import { markInterrupted } from './runs';
import { resolveStorePaths, type StorePaths } from '../paths';
import type { Store } from './handle';

export type { Store };

export function openStore(opts: { db?: string; dataDir?: string } = {}): Store {
  const paths = resolveStorePaths(opts);
  const db = openDatabase(paths.dbPath);
  mkdirSync(paths.dataDir, { recursive: true });
  sweepStaging(paths.dataDir);
  const store: Store = { ...paths, db, close: () => db.close() };
  markInterrupted(store);
  return store;
}

/** A second connection for a process that works beside a front door (a training worker): no sweeping, no start-up chores. */
export function attachStore(paths: StorePaths): Store {
  const db = openDatabase(paths.dbPath);
  return { ...paths, db, close: () => db.close() };
}
