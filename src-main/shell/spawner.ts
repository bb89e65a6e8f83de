// Training workers as Electron utility processes: Chromium manages them like its own helpers, they
// run Node with the app's native modules, and they talk through process.parentPort.
import type { WorkerChild, WorkerMessage, WorkerSpawner } from '../core/app/worker-process';
import type { UtilityProcessLike } from './electron-api';

export function utilitySpawner(utilityProcess: UtilityProcessLike, workerPath: string): WorkerSpawner {
  return (job) => {
    const child = utilityProcess.fork(workerPath, [], {
      env: { ...process.env, DIVE_WORKER_JOB: JSON.stringify(job) },
      stdio: 'inherit',
      serviceName: `DiVE ${job.kind} worker`,
    });
    let exited = false;
    const exitListeners: ((code: number | null, signal: string | null) => void)[] = [];
    child.on('exit', (code) => {
      exited = true;
      exitListeners.splice(0).forEach((fn) => fn(code, null));
    });
    const handle: WorkerChild = {
      get pid() {
        return child.pid;
      },
      onMessage: (fn) => child.on('message', (m) => fn(m as WorkerMessage)),
      onExit: (fn) => {
        exitListeners.push(fn);
      },
      // a utility process's 'error' (a fatal V8 error) is followed by 'exit', which settles the job
      onError: () => child.on('error', (type, location) => process.stderr.write(`dive: ${job.kind} worker: ${type} at ${location}\n`)),
      kill: () => {
        if (!exited) child.kill();
      },
    };
    return handle;
  };
}
