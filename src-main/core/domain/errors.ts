// Errors a person caused and can fix, and the one formatter every schema failure goes through, so
// the CLI, the HTTP API, IPC and the renderer's forms all word a bad field the same way.
import type { z } from 'zod';

/**
 * An error the user caused and can fix: bad input, a missing file, a duplicate name.
 * Front doors print its message as one line (CLI) or show it as is (UI); anything else is a bug.
 */
export class UserError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UserError';
  }
}

export function isUserError(e: unknown): e is UserError {
  return e instanceof UserError;
}

/** A schema failure (zod's ZodError), told apart by name so a second copy of zod cannot hide one. */
export function isSchemaError(e: unknown): e is z.ZodError {
  return e instanceof Error && e.name === 'ZodError' && Array.isArray((e as { issues?: unknown }).issues);
}

/** Bad input rather than a bug: front doors answer it as 400 / one line, and do not log it. */
export function isInputError(e: unknown): boolean {
  return isUserError(e) || isSchemaError(e);
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value: unknown = input;
  for (const key of path) value = value !== null && typeof value === 'object' ? (value as Record<PropertyKey, unknown>)[key] : undefined;
  return value;
}

/**
 * One line per problem, each naming its field, e.g. `ratio: must be at least 1 (got 0.5)`.
 * Given the input, each field's value is shown beside it (or `missing`).
 */
export function formatIssues(issues: readonly z.ZodError['issues'][number][], given?: { input: unknown }): string {
  return issues
    .map((issue) => {
      const field = issue.path.map(String).join('.');
      if (issue.code === 'unrecognized_keys') {
        return `${field ? `${field}: ` : ''}unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
      }
      if (!field) return given ? issue.message : `input: ${issue.message}`;
      if (!given) return `${field}: ${issue.message}`;
      const value = valueAt(given.input, issue.path);
      const got = value === undefined ? ' (missing)' : value !== null && typeof value === 'object' ? '' : ` (got ${typeof value === 'string' ? JSON.stringify(value) : String(value)})`;
      return `${field}: ${issue.message}${got}`;
    })
    .join('; ');
}

/** Parses `input`; a failure is one UserError line, `invalid <what>: <field>: <problem>; ...`. */
export function parseWith<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const r = schema.safeParse(input);
  if (!r.success) throw new UserError(`invalid ${what}: ${formatIssues(r.error.issues, { input })}`);
  return r.data;
}
