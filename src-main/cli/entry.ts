// The compiled `dive`'s entry (out/cli/dive.mjs, run by src-main/cli/dive.mjs). The CLI itself is
// loaded with import(), inside a try: a package an unfinished install left out, or a native module
// built for another Node.js, then fails here as one line naming the fix instead of a stack trace.
import { describeError } from '../core/domain/describe-error';

/** Runs the CLI on argv; returns the exit code (0 ok, 1 error, 2 usage). */
export async function run(argv: string[]): Promise<number> {
  let main: (argv: string[]) => Promise<number>;
  try {
    ({ main } = await import('./main'));
  } catch (e) {
    process.stderr.write(`dive: ${describeError(e)}\n`);
    if (process.env.DIVE_DEBUG && e instanceof Error) process.stderr.write(`${e.stack}\n`);
    return 1;
  }
  return main(argv);
}
