import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDispatcher, defaultReadRoots } from '../../core/app/dispatch';
import { openStore } from '../../core/store/store';
import { startServer } from '../../server/server';
import { globals, integer } from '../options';

/** out/renderer of this checkout (or of the installed package). */
export const RENDERER_DIR = fileURLToPath(new URL('../../../out/renderer', import.meta.url));

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('serve the workbench UI in the browser (loopback only unless --allow-remote)')
    .option('--port <n>', 'port (0: a free one)', integer, 0)
    .option('--host <addr>', 'address to listen on', '127.0.0.1')
    .option('--allow-remote', 'allow a non-loopback --host (the token then guards the workbench on the network)')
    .option('--renderer <dir>', 'folder of the built UI', RENDERER_DIR)
    .option('--data-root <dir>', `a folder imports may read from (repeatable; default: ${defaultReadRoots().join(' and ')})`, (v: string, prev: string[] = []) => [...prev, resolve(v)])
    .action(async (o: { port: number; host: string; allowRemote?: boolean; renderer: string; dataRoot?: string[] }, cmd: Command) => {
      const g = globals(cmd);
      const readRoots = o.dataRoot ?? defaultReadRoots();
      const store = openStore({ db: g.db });
      const dispatcher = createDispatcher(store, { frontDoor: 'web', readRoots });
      let server;
      try {
        server = await startServer({ dispatcher, rendererDir: o.renderer, host: o.host, port: o.port, allowRemote: o.allowRemote });
      } catch (e) {
        await dispatcher.close();
        store.close();
        throw e;
      }
      if (g.json) process.stdout.write(JSON.stringify({ url: server.url, port: server.port, token: server.token, dataRoots: readRoots }) + '\n');
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
      await dispatcher.close();
      store.close();
    });
}
