import { mkdirSync } from 'node:fs';
import { openDatabase, type DB } from './db';
import { sweepStaging } from './files';
import { resolveStorePaths, type StorePaths } from '../paths';

/** The database plus the data directory its blobs live in. One per process front door. */
export interface Store extends StorePaths {
  db: DB;
  close(): void;
}

export function openStore(opts: { db?: string; dataDir?: string } = {}): Store {
  const paths = resolveStorePaths(opts);
  const db = openDatabase(paths.dbPath);
  mkdirSync(paths.dataDir, { recursive: true });
  sweepStaging(paths.dataDir);
  return { ...paths, db, close: () => db.close() };
}
