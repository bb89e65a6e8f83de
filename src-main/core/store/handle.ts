import type { StorePaths } from '../paths';
import type { DB } from './db';

/**
 * The database plus the data directory its blobs live in. One per process front door. Declared
 * apart from store.ts (which opens one) so that the modules store.ts calls can name it without a cycle.
 */
export interface Store extends StorePaths {
  db: DB;
  close(): void;
  /** what opening it repaired after a crash (front doors may report it; `dive doctor` does) */
  recovered?: Recovery;
}

/** What opening a store repaired after a crash (recovery.ts). */
export interface Recovery {
  /** trash moved back because its rows were never deleted (a delete killed before its commit) */
  restored: string[];
  /** folders without a row (an import killed after its move), relative to the data directory */
  orphans: string[];
}
