// A failed call as the renderer holds it, and its one readable line; no DOM here, so the forms'
// logic (lib/problems.ts) and its tests use it without a browser.
import type { CallEnvelope } from '../../src-main/core/domain/contract';
import type { Problem } from '../../src-main/core/domain/errors';
import { labelOf, type FormCall } from './field-labels';
import { pathKey } from './path-key';

/** A failed call: the core's one line, and its problems by field when it sent them (lib/problems.ts places them). */
export class ApiError extends Error {
  readonly problems: Problem[];
  /** the HTTP status where the web server refused the call itself (401: no session) */
  readonly status: number | null;
  constructor(message: string, problems: Problem[] = [], status: number | null = null) {
    super(message);
    this.problems = problems;
    this.status = status;
  }
}

/** A call's envelope (HTTP body or the preload's answer) as its result, or thrown as an ApiError. */
export function unwrap<T>(body: CallEnvelope<T>): T {
  if (body.ok) return body.result;
  throw new ApiError(body.error, Array.isArray(body.problems) ? body.problems : []);
}

/**
 * A readable one-line message for anything thrown: a call's problems in the UI's words (each with
 * its field's label; `call` says which call's labels), else the core's line.
 */
export function message(e: unknown, call?: FormCall): string {
  if (e instanceof ApiError && e.problems.length) {
    return e.problems.map((p) => {
      const label = labelOf(pathKey(p.path), call);
      return label ? `${label}: ${p.message}` : p.message;
    }).join('; ');
  }
  if (e instanceof Error) return e.message.replace(/^Error invoking remote method '[^']+': (Error: )?/, '');
  return String(e);
}
