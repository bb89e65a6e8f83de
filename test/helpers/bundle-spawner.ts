// Forks a built worker bundle (out/worker/index.mjs: plain Node, no tsx) as Electron's utility
// process would run it, for tests that train through a packed or freshly built app.
import { fork } from 'node:child_process';
import type { WorkerMessage, WorkerSpawner } from '../../src-main/core/app/worker-process';

export function bundleSpawner(worker: string): WorkerSpawner {
  return (job) => {
    const child = fork(worker, [], { env: { ...process.env, DIVE_WORKER_JOB: JSON.stringify(job) }, serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    return {
      pid: child.pid,
      onMessage: (fn) => child.on('message', (m) => fn(m as WorkerMessage)),
      onExit: (fn) => child.once('exit', fn),
      onError: (fn) => child.on('error', fn),
      kill: () => child.kill('SIGKILL'),
    };
  };
}
