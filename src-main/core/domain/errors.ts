// Errors a person caused and can fix, and the one formatter every schema failure goes through, so
// the CLI, the HTTP API, IPC and the renderer's forms all word a bad field the same way.
import type { z } from 'zod';

/** Where in a call's argument a problem lies: `['request', 'train']`, `['config', 'epochs']`; `[]` for none. */
export type FieldPath = (string | number)[];

/**
 * One problem with a request, as a form shows it: the field it belongs to and what is wrong, in
 * words that fit under that field (no field name, no command-line flag, no absolute path).
 */
export interface Problem {
  path: FieldPath;
  message: string;
}

/**
 * An error the user caused and can fix: bad input, a missing file, a duplicate name.
 * Front doors print its message as one line (CLI); a form shows its `problems` under their fields
 * (or above the form for path `[]`), and the message itself where there are none.
 */
export class UserError extends Error {
  readonly problems: Problem[];
  constructor(message: string, problems: Problem[] = []) {
    super(message);
    this.name = 'UserError';
    this.problems = problems;
  }
}

/** A UserError about one field: `message` for the command line, `ui` for the form (under the field at `path`). */
export function fieldError(message: string, path: FieldPath, ui: string): UserError {
  return new UserError(message, [{ path, message: ui }]);
}

/** The same error with every problem's path below `prefix` (a service's request inside a call's argument). */
export function withPathPrefix(e: unknown, prefix: FieldPath): unknown {
  if (!isUserError(e) || !e.problems.length) return e;
  const out = new UserError(e.message, e.problems.map((p) => ({ path: [...prefix, ...p.path], message: p.message })));
  out.stack = e.stack;
  return out;
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

type Issue = z.ZodError['issues'][number];

// zod's own English messages start so ("Too small: expected number to be >=1"); the schemas' own
// messages ("must be at least 1") are already in the form's words and are kept
const ZOD_DEFAULT = /^(Too small|Too big|Invalid|Unrecognized key|Expected)/;

const bound = (v: unknown) => (typeof v === 'bigint' ? v.toString() : typeof v === 'number' ? String(v) : String(v));

/** What is wrong with a field in the words a form shows under it, e.g. "must be at least 1". */
export function issueWords(issue: Issue): string {
  if (issue.code === 'unrecognized_keys') return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  if (!ZOD_DEFAULT.test(issue.message)) return issue.message;
  switch (issue.code) {
    case 'too_small':
      if (issue.origin === 'string') return Number(issue.minimum) <= 1 ? 'required' : `at least ${bound(issue.minimum)} characters`;
      if (issue.origin === 'array' || issue.origin === 'set') return `give at least ${bound(issue.minimum)}`;
      return issue.inclusive === false ? `must be above ${bound(issue.minimum)}` : `must be at least ${bound(issue.minimum)}`;
    case 'too_big':
      if (issue.origin === 'string') return `at most ${bound(issue.maximum)} characters`;
      if (issue.origin === 'array' || issue.origin === 'set') return `give at most ${bound(issue.maximum)}`;
      return issue.inclusive === false ? `must be below ${bound(issue.maximum)}` : `must be at most ${bound(issue.maximum)}`;
    case 'invalid_type':
      // zod leaves the input out of its issues; its message says what it received
      if (issue.input === undefined && /received undefined$/.test(issue.message)) return 'required';
      if (issue.expected === 'int') return 'must be a whole number';
      if (issue.expected === 'number') return 'must be a number';
      return `must be a ${issue.expected}`;
    case 'invalid_value':
      return `must be one of ${issue.values.map(String).join(', ')}`;
    case 'not_multiple_of':
      return `must be a multiple of ${bound(issue.divisor)}`;
    case 'invalid_format':
      return issue.format === 'url' ? 'must be a web address' : 'is not in the expected form';
    default:
      return 'is not valid';
  }
}

/** Each issue as a Problem: its path (symbols as text) and its words. */
export function issueProblems(issues: readonly Issue[]): Problem[] {
  return issues.map((i) => ({ path: i.path.map((k) => (typeof k === 'symbol' ? String(k) : k)), message: issueWords(i) }));
}

/** Parses `input`; a failure is one UserError line, `invalid <what>: <field>: <problem>; ...`, with a Problem per issue. */
export function parseWith<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const r = schema.safeParse(input);
  if (!r.success) throw new UserError(`invalid ${what}: ${formatIssues(r.error.issues, { input })}`, issueProblems(r.error.issues));
  return r.data;
}
