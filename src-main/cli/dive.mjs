#!/usr/bin/env node
// The `dive` command: runs the compiled CLI, out/cli/dive.mjs (`npm run build`, which `npm install`
// runs). In a checkout (the TypeScript sources are beside it) it first checks that the build is of
// these sources, and rebuilds it with esbuild when one changed (about a second); a build is never
// run stale without a word. Installed from the npm package there are no sources: the build it
// shipped with runs as it is.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { staleReason } from '../build/freshness.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const ENTRY = join(ROOT, 'out', 'cli', 'dive.mjs');

function fail(line) {
  process.stderr.write(`dive: ${line}\n`);
  process.exit(1);
}

/** In a checkout: rebuild out/ if a source changed since it was built. */
async function freshen() {
  const stale = staleReason(ROOT);
  if (!stale) return;
  let bundles;
  try {
    bundles = await import('../build/bundles.mjs');
  } catch (e) {
    // esbuild is a devDependency: gone after `npm install --omit=dev`, or before the first install
    const why = e?.code === 'ERR_MODULE_NOT_FOUND' ? 'esbuild (a devDependency) is not installed' : String(e?.message ?? e).split('\n')[0];
    if (!existsSync(ENTRY)) fail(`this checkout has no build of the CLI and ${why}: run \`npm install\` in ${ROOT}`);
    process.stderr.write(`dive: running an out-of-date build (${stale}); ${why}: run \`npm install\` in ${ROOT} to rebuild\n`);
    return;
  }
  if (process.stderr.isTTY) process.stderr.write(`dive: rebuilding (${stale})...\n`);
  try {
    await bundles.buildBundles(undefined, { clean: false });
  } catch (e) {
    fail(`cannot rebuild the CLI: ${bundles.describeBuildError(e)}`);
  }
}

if (existsSync(join(ROOT, 'src-main', 'cli', 'main.ts'))) await freshen();
else if (!existsSync(ENTRY)) fail(`this installation is incomplete (${ENTRY} is missing): install dive-workbench again`);

const { run } = await import(pathToFileURL(ENTRY).href);
process.exitCode = await run(process.argv.slice(2));
