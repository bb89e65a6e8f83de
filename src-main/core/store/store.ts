import { mkdirSync } from 'node:fs';
import { asUserError, openDatabase, type DB } from './db';
import { sweepStaging } from './files';
import { markInterrupted } from './runs';
import { recoverFiles, type Recovery } from './recovery';
import { resolveStorePaths, type StorePaths } from '../paths';

/** The database plus the data directory its blobs live in. One per process front door. */
export interface Store extends StorePaths {
  db: DB;
  close(): void;
  /** what opening it repaired after a crash (front doors may report it; `dive doctor` does) */
  recovered?: Recovery;
}

export function openStore(opts: { db?: string; dataDir?: string } = {}): Store {
  const paths = resolveStorePaths(opts);
  const db = openDatabase(paths.dbPath);
  mkdirSync(paths.dataDir, { recursive: true });
  sweepStaging(paths.dataDir);
  const store: Store = { ...paths, db, close: () => db.close() };
  try {
    // files and rows agree again after any crash: trash restored or emptied, orphan folders removed
    store.recovered = recoverFiles(store);
    markInterrupted(store);
  } catch (e) {
    db.close();
    throw asUserError(e, paths.dbPath);
  }
  return store;
}

/** A second connection for a process that works beside a front door (a training worker): no sweeping, no start-up chores. */
export function attachStore(paths: StorePaths): Store {
  const db = openDatabase(paths.dbPath);
  return { ...paths, db, close: () => db.close() };
}
