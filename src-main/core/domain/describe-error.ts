import { ZodError } from 'zod';
import { isUserError } from './errors';

/** One line a person can act on: user errors as they are, schema errors naming each field. */
export function describeError(e: unknown): string {
  if (isUserError(e)) return e.message;
  if (e instanceof ZodError) {
    return e.issues
      .map((i) => `${i.path.length ? i.path.join('.') : 'input'}: ${i.message}`)
      .join('; ');
  }
  if (e instanceof Error) return `internal error: ${e.message.split('\n')[0]}`;
  return `internal error: ${String(e)}`;
}
