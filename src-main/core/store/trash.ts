// Removing a folder together with its rows, when the user's trash is emptied (trash-empty.ts; a
// delete itself moves no file: the rows go into the user's trash, in the database, and keep their
// folders). The folder is renamed into `data/trash/` inside the transaction that deletes the rows
// (a rename is atomic and fails up front on a read-only data folder, rolling the rows back), and
// removed after the commit. A crash between the two leaves only folders here, which the next open
// removes; a crash before the commit leaves folders whose rows still exist, which the next open
// moves back (see recovery.ts). So `data/trash/` is empty whenever no emptying is under way.
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fsErrorLine } from '../domain/fs-errors';
import { UserError } from '../domain/errors';

export const TRASH_DIR = 'trash';

/** Store folders are `datasets/<x>` and `runs/<x>` with names of [\w.-]: "~" cannot occur in them. */
export function trashName(rel: string): string {
  return rel.replace(/[\\/]/g, '~');
}

export function originOf(name: string): string {
  return name.replace(/~/g, '/');
}

/** Moves `rel` (relative to the data directory) into the trash; false when it was not there. */
export function moveToTrash(dataDir: string, rel: string): boolean {
  const from = join(dataDir, rel);
  if (!existsSync(from)) return false;
  const trash = join(dataDir, TRASH_DIR);
  try {
    mkdirSync(trash, { recursive: true });
    const to = join(trash, trashName(rel));
    rmSync(to, { recursive: true, force: true });
    renameSync(from, to);
  } catch (e) {
    throw new UserError(`cannot remove ${from}: ${fsErrorLine(e)}; nothing was deleted`);
  }
  return true;
}

/** Undoes moveToTrash after a failed transaction. */
export function restoreFromTrash(dataDir: string, rel: string): void {
  renameSync(join(dataDir, TRASH_DIR, trashName(rel)), join(dataDir, rel));
}

/** Removes trash entries (all, or the named store folders); one that cannot go waits for the next open. */
export function removeTrashFolders(dataDir: string, only?: string[]): void {
  const trash = join(dataDir, TRASH_DIR);
  if (!existsSync(trash)) return;
  const names = only ? only.map(trashName) : readdirSync(trash);
  for (const n of names) {
    try {
      rmSync(join(trash, n), { recursive: true, force: true });
    } catch {
      // e.g. a read-only folder inside: the next open (or `dive doctor --fix`) retries
    }
  }
}
