import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDispatcher, defaultReadRoots } from '../../core/app/dispatch';
import { openStore } from '../../core/store/store';
import { startServer, type RunningServer } from '../../server/server';
import { DEFAULT_LEASE_MS, expireLeasesEvery, remoteWork } from '../../core/app/remote-service';
import { workerHandler } from '../../server/worker-api';
import { startWorkerServer, type RunningWorkerServer } from '../../server/worker-server';
import { UserError } from '../../core/domain/errors';
import type { Store } from '../../core/store/store';
import { globals, integer } from '../options';

/** out/renderer of this checkout (or of the installed package). */
export const RENDERER_DIR = fileURLToPath(new URL('../../../out/renderer', import.meta.url));

interface ServeFlags {
  port: number;
  host: string;
  allowRemote?: boolean;
  renderer: string;
  dataRoot?: string[];
  workerHost?: string;
  workerPort: number;
  tlsCert?: string;
  tlsKey?: string;
  leaseSeconds: number;
  localSlots?: number;
}

/**
 * The worker API: on the UI's listener (loopback: for workers through an SSH tunnel) and, with
 * --worker-host, on a listener of its own for other hosts. Expired leases are taken back every few
 * seconds, so a run whose worker vanished resumes elsewhere.
 */
function workerListeners(store: Store, o: ServeFlags) {
  if (o.leaseSeconds < 5) throw new UserError('--lease-seconds: at least 5');
  if ((o.tlsCert === undefined) !== (o.tlsKey === undefined)) throw new UserError('--tls-cert and --tls-key go together');
  if (o.tlsCert !== undefined && o.workerHost === undefined && !o.allowRemote) throw new UserError('--tls-cert applies to the worker API listener for other hosts: add --allow-remote (or --worker-host ADDR)');
  // --allow-remote alone: the worker API for other hosts, the UI still on loopback
  const workerHost = o.workerHost ?? (o.allowRemote ? '0.0.0.0' : undefined);
  const work = remoteWork(store, { leaseMs: o.leaseSeconds * 1000 });
  const handler = workerHandler(work);
  const stop = expireLeasesEvery(work, 5000);
  return {
    handler,
    listen: () =>
      workerHost === undefined
        ? Promise.resolve(null)
        : startWorkerServer({ handler, host: workerHost, port: o.workerPort, allowRemote: o.allowRemote ?? false, tls: o.tlsCert && o.tlsKey ? { cert: o.tlsCert, key: o.tlsKey } : undefined }),
    stop,
  };
}

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('serve the workbench UI in the browser (loopback only unless --allow-remote)')
    .option('--port <n>', 'port (0: a free one)', integer, 0)
    .option('--host <addr>', 'address to listen on', '127.0.0.1')
    .option('--allow-remote', 'serve the worker API to other hosts (on --worker-host, default 0.0.0.0; the UI stays on --host), and allow a non-loopback --host (the token then guards the workbench on the network)')
    .option('--renderer <dir>', 'folder of the built UI', RENDERER_DIR)
    .option('--worker-host <addr>', 'also serve the worker API alone on this address, for `dive worker --server` on other hosts (non-loopback needs --allow-remote; the UI stays on --host)')
    .option('--worker-port <n>', 'port of the worker API listener (0: a free one)', integer, 0)
    .option('--tls-cert <file>', 'PEM certificate: the worker API listener speaks HTTPS')
    .option('--tls-key <file>', 'PEM private key of --tls-cert')
    .option('--local-slots <n>', 'runs trained on this machine at once (default $DIVE_CONCURRENCY or 1; 0: only remote workers train)', integer)
    .option('--lease-seconds <n>', 'a remote worker silent this long loses its run, which resumes elsewhere', integer, DEFAULT_LEASE_MS / 1000)
    .option('--data-root <dir>', `a folder imports may read from and folder exports write to (repeatable; default: ${defaultReadRoots().join(' and ')})`, (v: string, prev: string[] = []) => [...prev, resolve(v)])
    .action(async (o: ServeFlags, cmd: Command) => {
      const g = globals(cmd);
      const readRoots = o.dataRoot ?? defaultReadRoots();
      if (o.localSlots !== undefined && o.localSlots < 0) throw new UserError('--local-slots: 0 or more');
      const store = openStore({ db: g.db });
      const dispatcher = createDispatcher(store, { frontDoor: 'web', readRoots, slots: o.localSlots });
      let server: RunningServer | undefined;
      let workers: ReturnType<typeof workerListeners> | undefined;
      let workerServer: RunningWorkerServer | null = null;
      try {
        workers = workerListeners(store, o);
        server = await startServer({ dispatcher, rendererDir: o.renderer, host: o.host, port: o.port, allowRemote: o.allowRemote, worker: workers.handler });
        workerServer = await workers.listen();
      } catch (e) {
        await server?.close();
        workers?.stop();
        await dispatcher.close();
        store.close();
        throw e;
      }
      if (workerServer) process.stderr.write(`worker API for other hosts: ${workerServer.url} (\`dive worker --server ${workerServer.url} --token-file FILE\`)\n`);
      if (g.json) process.stdout.write(JSON.stringify({ url: server.url, port: server.port, token: server.token, dataRoots: readRoots, workerUrl: workerServer?.url ?? null }) + '\n');
      else {
        process.stdout.write(`DiVE Workbench: ${server.url} (imports read only below ${readRoots.join(', ')})\n`);
        process.stderr.write(`database ${store.dbPath}; press Ctrl-C to stop\n`);
      }
      if (!existsSync(join(o.renderer, 'index.html'))) process.stderr.write(`the UI is not built (${o.renderer} has no index.html): run \`npm run build\`; the API works meanwhile\n`);
      await new Promise<void>((resolveStop) => {
        const stop = (signal: string) => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          process.stderr.write(`${signal}: stopping (running runs are cancelled after their batch; resume them later)...\n`);
          resolveStop();
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
      await server.close();
      await workerServer?.close();
      workers.stop();
      await dispatcher.close();
      store.close();
    });
}
