// Making the data directory agree with the database after a crash. Store folders are created and
// removed only inside write transactions (an import renames its staging folder into `datasets/`
// before its COMMIT; a delete renames folders into `trash/` before its COMMIT), so this sweep,
// holding the write lock, sees each folder either committed with its row or not at all.
import { existsSync, readdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import type { Recovery, Store } from './handle';
import { removeTrashFolders, moveToTrash, originOf, TRASH_DIR } from './trash';

/** The top-level folders of the data directory that hold one store folder per row. */
export const STORE_FOLDERS = ['datasets', 'runs'] as const;

export type { Recovery };

/** Folders (relative to the data directory) that some row names. */
export function referencedDirs(store: Store): Set<string> {
  const rows = store.db.prepare('SELECT dir FROM datasets UNION ALL SELECT dir FROM runs WHERE dir IS NOT NULL').pluck().all() as string[];
  return new Set(rows.map((d) => d.replace(/\\/g, '/')));
}

/** Store folders on disk, relative to the data directory, with forward slashes. */
export function storeFolders(dataDir: string): string[] {
  return STORE_FOLDERS.flatMap((top) => {
    const dir = join(dataDir, top);
    return existsSync(dir) ? readdirSync(dir).map((n) => `${top}/${n}`) : [];
  });
}

/**
 * Restores trash whose rows still exist, then moves folders that no row names into the trash,
 * all under the write lock; `removeOrphans: false` only reports them (for `dive doctor`).
 */
export function recoverFiles(store: Store, removeOrphans = true): Recovery {
  const out: Recovery = { restored: [], orphans: [] };
  store.db
    .transaction(() => {
      const referenced = referencedDirs(store);
      const trash = join(store.dataDir, TRASH_DIR);
      if (existsSync(trash)) {
        for (const name of readdirSync(trash)) {
          const origin = originOf(name);
          if (referenced.has(origin) && !existsSync(join(store.dataDir, origin))) {
            if (tryTo(() => renameSync(join(trash, name), join(store.dataDir, origin)))) out.restored.push(origin);
          }
        }
      }
      for (const rel of storeFolders(store.dataDir)) {
        if (referenced.has(rel)) continue;
        out.orphans.push(rel);
        // a read-only data folder keeps its orphans; `dive doctor` reports them
        if (removeOrphans) tryTo(() => moveToTrash(store.dataDir, rel));
      }
    })
    .immediate();
  if (removeOrphans) removeTrashFolders(store.dataDir);
  return out;
}

function tryTo(fn: () => unknown): boolean {
  try {
    fn();
    return true;
  } catch {
    return false;
  }
}
