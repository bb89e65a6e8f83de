import { formatIssues, isSchemaError, isUserError, issueProblems, type Problem } from './errors';
import { describeFsError, describeSqliteError } from './fs-errors';
import { describeInstallError } from './install-errors';

/**
 * One line a person can act on: user errors as they are, schema errors naming each field, file-system
 * and SQLite failures naming the path and what to do (`dbPath` names the database when known).
 */
export function describeError(e: unknown, dbPath?: string): string {
  if (isUserError(e)) return e.message;
  const known = describeFsError(e) ?? describeSqliteError(e, dbPath) ?? describeInstallError(e);
  if (known) return known;
  if (isSchemaError(e)) return formatIssues(e.issues);
  if (e instanceof RangeError && /call stack/.test(e.message)) return 'input is nested too deeply';
  if (e instanceof Error) return `internal error: ${e.message.split('\n')[0]}`;
  return `internal error: ${String(e)}`;
}

/**
 * What a form shows for a failed call: each problem under its field (paths into the call's
 * argument), in the UI's words. Empty for errors that are not the user's input (the form shows
 * describeError's line instead) and for user errors whose one line is already in the UI's words.
 */
export function problemsOf(e: unknown): Problem[] {
  if (isUserError(e)) return e.problems;
  if (isSchemaError(e)) return issueProblems(e.issues);
  return [];
}

/** A failed call as every door answers it (HTTP body, IPC reply): one line, and the problems when there are any. */
export function failure(e: unknown, dbPath?: string): { ok: false; error: string; problems?: Problem[] } {
  const problems = problemsOf(e);
  return problems.length ? { ok: false, error: describeError(e, dbPath), problems } : { ok: false, error: describeError(e, dbPath) };
}
