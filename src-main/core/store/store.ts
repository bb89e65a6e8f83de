import { mkdirSync } from 'node:fs';
import { asUserError, openDatabase } from './db';
import { sweepStaging } from './files';
import { markInterrupted } from './runs';
import { recoverFiles } from './recovery';
import { busyNotice, isBusy } from './busy';
import { resolveStorePaths, type StorePaths } from '../paths';
import type { Store } from './handle';

export type { Store };

export function openStore(opts: { db?: string; dataDir?: string } = {}): Store {
  const paths = resolveStorePaths(opts);
  const db = openDatabase(paths.dbPath);
  mkdirSync(paths.dataDir, { recursive: true });
  sweepStaging(paths.dataDir);
  const store: Store = { ...paths, db, close: () => db.close() };
  try {
    // files and rows agree again after any crash: trash restored or emptied, orphan folders removed.
    // Chores, not needs: when another process holds the write lock past the busy timeout they wait
    // for the next open (or `dive doctor`), and a command that only reads goes on (WAL readers are
    // never blocked by a writer)
    store.recovered = recoverFiles(store);
    markInterrupted(store);
  } catch (e) {
    if (isBusy(e)) busyNotice();
    else {
      db.close();
      throw asUserError(e, paths.dbPath);
    }
  }
  return store;
}

/** A second connection for a process that works beside a front door (a training worker): no sweeping, no start-up chores. */
export function attachStore(paths: StorePaths): Store {
  const db = openDatabase(paths.dbPath);
  return { ...paths, db, close: () => db.close() };
}
