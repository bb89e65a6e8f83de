import { formatIssues, isSchemaError, isUserError } from './errors';
import { describeFsError, describeSqliteError } from './fs-errors';

/**
 * One line a person can act on: user errors as they are, schema errors naming each field, file-system
 * and SQLite failures naming the path and what to do (`dbPath` names the database when known).
 */
export function describeError(e: unknown, dbPath?: string): string {
  if (isUserError(e)) return e.message;
  const known = describeFsError(e) ?? describeSqliteError(e, dbPath);
  if (known) return known;
  if (isSchemaError(e)) return formatIssues(e.issues);
  if (e instanceof RangeError && /call stack/.test(e.message)) return 'input is nested too deeply';
  if (e instanceof Error) return `internal error: ${e.message.split('\n')[0]}`;
  return `internal error: ${String(e)}`;
}
