/**
 * Crash-test hook: with DIVE_KILL_AT=<step> in the environment, the process SIGKILLs itself when it
 * reaches that named step, so tests can reproduce a power cut at the worst moment of an import or a
 * delete. Without the variable this is a no-op (one env lookup).
 */
export function killPoint(step: string): void {
  if (process.env.DIVE_KILL_AT === step) process.kill(process.pid, 'SIGKILL');
}
