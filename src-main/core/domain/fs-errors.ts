// File-system and SQLite failures as one line a person can act on. Node's own messages
// ("ELOOP: too many symbolic links encountered, stat '/x'") are for programmers; these name the
// path and what to do, and never quote file contents.

interface CodedError {
  code?: unknown;
  path?: unknown;
  message?: unknown;
}

const coded = (e: unknown): CodedError => (typeof e === 'object' && e !== null ? (e as CodedError) : {});

/** What went wrong with a file, without the path (the caller names it). */
export function fsErrorLine(e: unknown): string {
  const code = coded(e).code;
  switch (code) {
    case 'ENOENT':
      return 'not found (or a symbolic link to nothing)';
    case 'ELOOP':
      return 'symbolic links loop; fix or remove the link';
    case 'ENOSPC':
    case 'EDQUOT':
      return 'disk full; free some space and retry';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied; make it readable/writable for this user and retry';
    case 'EROFS':
      return 'read-only file system; use a writable data folder';
    case 'EISDIR':
      return 'is a folder, expected a file';
    case 'EEXIST':
      return 'a file is in the way; move it aside and retry';
    case 'ENOTDIR':
      return 'a part of the path is not a folder';
    case 'EMFILE':
    case 'ENFILE':
      return 'too many open files; close other programs and retry';
    case 'EIO':
      return 'input/output error; the disk may be failing';
    case 'ENAMETOOLONG':
      return 'the path is too long';
    default:
      return typeof code === 'string' ? `${code.toLowerCase()} error` : 'failed';
  }
}

const FS_CODES = new Set(['ENOENT', 'ELOOP', 'ENOSPC', 'EDQUOT', 'EACCES', 'EPERM', 'EROFS', 'EISDIR', 'ENOTDIR', 'EMFILE', 'ENFILE', 'EIO', 'ENAMETOOLONG', 'EEXIST']);

/** One line for a Node file-system error that carries a path, or null for anything else. */
export function describeFsError(e: unknown): string | null {
  const { code, path } = coded(e);
  if (typeof code !== 'string' || !FS_CODES.has(code)) return null;
  const where = typeof path === 'string' ? path : 'a file';
  return `${where}: ${fsErrorLine(e)}`;
}

/** One line for an SQLite failure on database `dbPath`, or null when `e` is not one. */
export function describeSqliteError(e: unknown, dbPath?: string): string | null {
  const code = coded(e).code;
  if (typeof code !== 'string' || !code.startsWith('SQLITE_')) return null;
  const db = dbPath ? `database ${dbPath}` : 'the database';
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) return `${db} is busy (another DiVE Workbench process is writing); retry in a moment`;
  if (code === 'SQLITE_NOTADB') return `${db}: this file is not a DiVE Workbench database; pass another --db or move the file away`;
  if (code.startsWith('SQLITE_CORRUPT')) return `${db} is damaged (malformed); restore it from a backup or move it away to start a new one`;
  if (code.startsWith('SQLITE_READONLY')) return `${db} is read-only; make it and its folder writable for this user`;
  if (code.startsWith('SQLITE_FULL') || code === 'SQLITE_IOERR_WRITE') return `${db}: disk full; free some space and retry`;
  if (code.startsWith('SQLITE_CANTOPEN')) return `${db} cannot be opened; check that its folder exists and is writable`;
  if (code.startsWith('SQLITE_IOERR')) return `${db}: input/output error (${code}); check the disk`;
  return null;
}
