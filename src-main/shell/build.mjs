#!/usr/bin/env node
// `npm run build:main`: bundles the Electron main process (out/main/index.js, ESM), the window's
// preload (out/preload/index.cjs: sandboxed preloads must be CommonJS) and the worker process
// (out/worker/index.mjs: runs in a utility process, so the packaged app needs no tsx) with esbuild.
// Native and optional packages stay external: they are loaded from node_modules (rebuilt for
// Electron's ABI by electron-builder).
import { build } from 'esbuild';
import { readFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const OUT = join(ROOT, 'out');
const requireFromRoot = createRequire(join(ROOT, 'package.json'));
const EXTERNAL = ['electron', 'better-sqlite3', 'sharp', '@tensorflow/*', 'tsx', 'tsx/*', 'fsevents'];
// ESM output of CommonJS dependencies (commander, zod's CJS paths, ...) needs a real `require`
const REQUIRE_BANNER = "import { createRequire as __diveCreateRequire } from 'node:module'; const require = __diveCreateRequire(import.meta.url);";

/**
 * Core modules locate files relative to their own source (db/ migrations, package.json, packages
 * to resolve): each `import.meta.url` outside the shell becomes the URL its source file would have
 * beside the bundle (out/<part>/ → ../../src-main/...), so the same relative paths hold in the
 * checkout and in the packaged app (package.json, db/ and out/ side by side).
 */
const sourceUrls = (part) => ({
  name: 'source-import-meta-url',
  setup(b) {
    b.onLoad({ filter: /[\\/]src-main[\\/].*\.ts$/ }, async (args) => {
      let text = await readFile(args.path, 'utf8');
      if (!args.path.includes(`${sep}src-main${sep}shell${sep}`) && text.includes('import.meta.url')) {
        // relative to the checkout's out/<part>/: a bundle always lives at <app>/out/<part>/
        const rel = relative(join(OUT, part), args.path).split(sep).join('/');
        text = text.replaceAll('import.meta.url', `new URL(${JSON.stringify(rel)}, import.meta.url).href`);
      }
      return { contents: text, loader: 'ts' };
    });
  },
});

/**
 * Deep imports of tfjs-core's ESM files (gradients.ts takes gradient configs from dist/gradients/*)
 * are bundled, as tsx compiles them in development: Node cannot load those files itself (ESM
 * syntax in a package without "type": "module"). The package's main entry stays external.
 */
const tfjsDeepImports = {
  name: 'tfjs-deep-imports',
  setup(b) {
    b.onResolve({ filter: /^@tensorflow\/tfjs-core\/dist\// }, (args) => ({
      path: requireFromRoot.resolve(args.path.endsWith('.js') ? args.path : `${args.path}.js`),
    }));
  },
};

const common = { bundle: true, logLevel: 'warning', sourcemap: true, legalComments: 'none' };

/** Builds into `out` (default: the checkout's out/; tests build elsewhere). */
export async function buildMain(out = OUT) {
  await Promise.all([
    build({
      ...common,
      entryPoints: [join(ROOT, 'src-main/shell/main.ts')],
      outfile: join(out, 'main/index.js'),
      platform: 'node',
      format: 'esm',
      target: 'node20',
      external: EXTERNAL,
      banner: { js: REQUIRE_BANNER },
      plugins: [tfjsDeepImports, sourceUrls('main')],
    }),
    build({
      ...common,
      entryPoints: [join(ROOT, 'src-main/core/app/worker.ts')],
      outfile: join(out, 'worker/index.mjs'),
      platform: 'node',
      format: 'esm',
      target: 'node20',
      external: EXTERNAL,
      banner: { js: REQUIRE_BANNER },
      plugins: [tfjsDeepImports, sourceUrls('worker')],
    }),
    build({
      ...common,
      entryPoints: [join(ROOT, 'src-main/shell/preload.ts')],
      outfile: join(out, 'preload/index.cjs'),
      platform: 'browser',
      format: 'cjs',
      target: 'chrome120',
      external: ['electron'],
    }),
  ]);
  return { main: join(out, 'main/index.js'), preload: join(out, 'preload/index.cjs'), worker: join(out, 'worker/index.mjs') };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const out = await buildMain();
  process.stdout.write(`built ${Object.values(out).map((p) => relative(ROOT, p)).join(', ')}\n`);
}
