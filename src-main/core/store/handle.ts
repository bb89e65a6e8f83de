import type { StorePaths } from '../paths';
import type { DB } from './db';

/**
 * The database plus the data directory its blobs live in. One per process front door. Declared
 * apart from store.ts (which opens one) so that the modules store.ts calls can name it without a cycle.
 */
export interface Store extends StorePaths {
  db: DB;
  close(): void;
}
