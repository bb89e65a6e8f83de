import Database from 'better-sqlite3';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError } from '../domain/errors';
import { describeFsError, describeSqliteError } from '../domain/fs-errors';
import { BUSY_TIMEOUT_MS, retryBusySync } from './busy';

export type DB = Database.Database;

export const MIGRATIONS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'db');

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** `db/NNN_name.sql`, in numeric order; a gap or a duplicate number is a packaging bug. */
export function loadMigrations(dir = MIGRATIONS_DIR): Migration[] {
  const files = readdirSync(dir).filter((f) => /^\d{3}_[\w-]+\.sql$/.test(f)).sort();
  return files.map((f, i) => {
    const version = Number(f.slice(0, 3));
    if (version !== i + 1) throw new Error(`migration ${f} is out of sequence: expected ${String(i + 1).padStart(3, '0')}_*.sql`);
    return { version, name: f, sql: readFileSync(join(dir, f), 'utf8') };
  });
}

/**
 * A migration whose first line is this marker rebuilds a table that others reference (SQLite's
 * "12-step" procedure, the only way to change a CHECK constraint): it runs with foreign keys off,
 * since with them on, dropping the old table would cascade into every row that references it.
 * The references are checked (PRAGMA foreign_key_check) before the transaction commits.
 */
export const FOREIGN_KEYS_OFF = '-- dive: foreign keys off';

/** Applies the migrations newer than `PRAGMA user_version`, each in its own transaction. */
export function migrate(db: DB, migrations = loadMigrations()): number {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > migrations.length) {
    throw new Error(`database schema version ${current} is newer than this build knows (${migrations.length}); update DiVE Workbench`);
  }
  for (const m of migrations.slice(current)) {
    const rebuild = m.sql.startsWith(FOREIGN_KEYS_OFF);
    const keys = db.pragma('foreign_keys', { simple: true }) as number;
    const broken = () => db.pragma('foreign_key_check') as { table: string; parent: string }[];
    // the pragma is a no-op inside a transaction: it is switched around it
    if (rebuild) db.pragma('foreign_keys = OFF');
    try {
      db.transaction(() => {
        // another process may have applied it while this one waited for the lock
        if ((db.pragma('user_version', { simple: true }) as number) >= m.version) return;
        // references broken before (a store written with foreign keys off) are not this migration's
        const before = rebuild ? broken().length : 0;
        db.exec(m.sql);
        if (rebuild) {
          const after = broken();
          if (after.length > before) throw new Error(`migration ${m.name} left ${after.length - before} broken reference(s), e.g. ${after[0].table} -> ${after[0].parent}`);
        }
        db.pragma(`user_version = ${m.version}`);
      }).immediate();
    } finally {
      if (rebuild) db.pragma(`foreign_keys = ${keys ? 'ON' : 'OFF'}`);
    }
  }
  return migrations.length;
}

/** Opens (creating if needed) the store's database: WAL, foreign keys, a busy timeout for the UI and a worker writing at once. */
export function openDatabase(path: string, migrations: Migration[] = loadMigrations()): DB {
  let db: DB;
  try {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    db = new Database(path);
  } catch (e) {
    throw asUserError(e, path);
  }
  try {
    // SQLite's busy handler: a connection waits this long for another's write lock (busy.ts retries past it)
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version > migrations.length) {
      throw new UserError(`database ${path} has schema version ${version}, newer than this build knows (${migrations.length}); update DiVE Workbench`);
    }
    retryBusySync(() => db.pragma('journal_mode = WAL'));
    db.pragma('foreign_keys = ON');
    // FULL: a committed import, epoch or delete survives a power cut, not only an app crash (NORMAL
    // in WAL mode may lose the last commits); one fsync per commit is cheap at our write rate
    db.pragma('synchronous = FULL');
    // a migration must have the write lock: wait for it (saying so) rather than fail
    retryBusySync(() => migrate(db, migrations));
    return db;
  } catch (e) {
    db.close();
    throw asUserError(e, path);
  }
}

/** A locked, read-only, damaged or foreign database file becomes one line naming it. */
export function asUserError(e: unknown, path: string): unknown {
  const line = describeSqliteError(e, path) ?? describeFsError(e);
  return line ? new UserError(line) : e;
}
