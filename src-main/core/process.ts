import { readFileSync } from 'node:fs';

/**
 * Whether a process with this pid is running (EPERM: it exists but belongs to another user).
 * On Linux a killed process whose parent died can linger as a zombie until something reaps it
 * (in containers PID 1 often does not), and kill(pid, 0) still succeeds for it: /proc tells.
 */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
  if (process.platform === 'linux') {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
      return state !== 'Z' && state !== 'X';
    } catch {
      return false;
    }
  }
  return true;
}
