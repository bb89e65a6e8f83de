import { formatIssues, isSchemaError, isUserError } from './errors';

/** One line a person can act on: user errors as they are, schema errors naming each field. */
export function describeError(e: unknown): string {
  if (isUserError(e)) return e.message;
  if (isSchemaError(e)) return formatIssues(e.issues);
  if (e instanceof Error) return `internal error: ${e.message.split('\n')[0]}`;
  return `internal error: ${String(e)}`;
}
