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
