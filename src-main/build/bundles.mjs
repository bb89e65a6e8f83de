#!/usr/bin/env node
// `npm run build:main` (part of `npm run build`, which `npm install` runs as its prepare step):
// bundles the Node side with esbuild into ESM with code splitting,
//   out/cli/dive.mjs       the `dive` command (src-main/cli/entry.ts; src-main/cli/dive.mjs runs it)
//   out/worker/index.mjs   a worker process: training, imports (child process or Electron utility process)
//   out/main/index.mjs     the Electron main process
//   out/chunks/*.mjs       code they share, and every module they load with import(): TF.js and the
//                          training code, sharp, undici and tar load only when a command needs them
//   out/preload/index.cjs  the window's preload (sandboxed preloads must be CommonJS)
// Splitting is what keeps import() lazy: a single-file bundle inlines each import()ed module and
// hoists that module's own imports of external packages to the top of the file, so TF.js would
// load at every start. The packages in package.json's dependencies and optionalDependencies stay
// external (native modules, and TF.js, whose tfjs-node must share one tfjs-core); every other
// package is bundled, so the npm tarball and the desktop app carry only those dependencies.
import { build } from 'esbuild';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { STAMP_FILE, stampOf } from './freshness.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const OUT = join(ROOT, 'out');
const requireFromRoot = createRequire(join(ROOT, 'package.json'));
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));

/** What the bundles load from node_modules at run time (`electron` is the Electron runtime's own module). */
export const EXTERNAL = [...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.optionalDependencies ?? {}), 'electron'];

/** The Node entry points, by output name (out/<name>.mjs). */
export const NODE_ENTRIES = {
  'cli/dive': 'src-main/cli/entry.ts',
  'worker/index': 'src-main/core/app/worker.ts',
  'main/index': 'src-main/shell/main.ts',
};
const PRELOAD = { source: 'src-main/shell/preload.ts', output: 'preload/index.cjs' };

// ESM output of CommonJS dependencies (commander, ...) needs a real `require`
const REQUIRE_BANNER = "import { createRequire as __diveCreateRequire } from 'node:module'; const require = __diveCreateRequire(import.meta.url);";

/**
 * Core modules locate files relative to their own source (db/ migrations, package.json, packages
 * to resolve, out/renderer): each `import.meta.url` outside the shell becomes the URL its source
 * file would have beside the bundle (every output sits one folder below out/: out/cli/, out/chunks/,
 * ...; so ../../src-main/...), and the same relative paths hold in the checkout, in the npm package
 * and in the packaged app (package.json, db/ and out/ side by side). `import.meta.dirname` and
 * `import.meta.filename` are left alone: they name the output file itself.
 */
const sourceUrls = {
  name: 'source-import-meta-url',
  setup(b) {
    b.onLoad({ filter: /[\\/]src-main[\\/].*\.ts$/ }, async (args) => {
      let text = await readFile(args.path, 'utf8');
      if (!args.path.includes(`${sep}src-main${sep}shell${sep}`) && text.includes('import.meta.url')) {
        const rel = relative(join(OUT, 'chunks'), args.path).split(sep).join('/');
        text = text.replaceAll('import.meta.url', `new URL(${JSON.stringify(rel)}, import.meta.url).href`);
      }
      return { contents: text, loader: 'ts' };
    });
  },
};

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

/** Writes a file whole or not at all: a `dive` starting meanwhile reads the old file or the new one. */
function writeAtomically(file, contents) {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, contents);
  renameSync(tmp, file);
}

const rel = (p) => relative(ROOT, p).split(sep).join('/');

/**
 * Builds the Node bundles and the preload into `out` (default: the checkout's out/, with its
 * stamp; tests build elsewhere). `clean` first removes the previous build's files; a rebuild
 * without it (what `dive` does when a source changed) only adds and replaces files, so a `dive`
 * already running keeps finding the chunks it loads later (chunk names carry their content's hash).
 */
export async function buildBundles(out = OUT, { clean = true } = {}) {
  const common = { absWorkingDir: ROOT, bundle: true, logLevel: 'silent', sourcemap: true, legalComments: 'none', write: false, metafile: true };
  const [node, preload] = await Promise.all([
    build({
      ...common,
      entryPoints: NODE_ENTRIES,
      outdir: out,
      splitting: true,
      chunkNames: 'chunks/[name]-[hash]',
      outExtension: { '.js': '.mjs' },
      platform: 'node',
      format: 'esm',
      target: 'node20',
      external: EXTERNAL,
      banner: { js: REQUIRE_BANNER },
      plugins: [tfjsDeepImports, sourceUrls],
    }),
    build({ ...common, entryPoints: [PRELOAD.source], outfile: join(out, PRELOAD.output), platform: 'browser', format: 'cjs', target: 'chrome120', external: ['electron'] }),
  ]);
  if (clean) for (const d of ['cli', 'worker', 'main', 'chunks', 'preload']) rmSync(join(out, d), { recursive: true, force: true });
  const entries = new Set(Object.keys(NODE_ENTRIES).map((e) => join(out, `${e}.mjs`)));
  const files = [...node.outputFiles, ...preload.outputFiles];
  // chunks before the entries that import them, the stamp last
  for (const f of files.filter((f) => !entries.has(f.path))) writeAtomically(f.path, f.contents);
  for (const f of files.filter((f) => entries.has(f.path))) writeAtomically(f.path, f.contents);
  if (out === OUT) {
    const inputs = [...Object.keys(node.metafile.inputs), ...Object.keys(preload.metafile.inputs)].filter((f) => f.startsWith('src-main/'));
    const outputs = [...Object.keys(NODE_ENTRIES).map((e) => `out/${e}.mjs`), `out/${PRELOAD.output}`];
    const stamp = stampOf(ROOT, [...new Set(inputs), 'src-main/build/bundles.mjs', 'src-main/build/freshness.mjs', 'package.json', 'node_modules/.package-lock.json'], outputs);
    writeAtomically(join(out, STAMP_FILE), JSON.stringify(stamp, null, 1));
  }
  const at = (e) => join(out, `${e}.mjs`);
  return { cli: at('cli/dive'), worker: at('worker/index'), main: at('main/index'), preload: join(out, PRELOAD.output), metafile: node.metafile };
}

/** The shell's bundles (main, preload, worker), for callers that want only those. */
export async function buildMain(out = OUT) {
  const { main, preload, worker } = await buildBundles(out);
  return { main, preload, worker };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const t0 = performance.now();
  try {
    const b = await buildBundles();
    process.stdout.write(`built ${[b.cli, b.worker, b.main, b.preload].map(rel).join(', ')} in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  } catch (e) {
    process.stderr.write(`build:main: ${describeBuildError(e)}\n`);
    process.exit(1);
  }
}

/** esbuild's first error as one line: file:line: text. */
export function describeBuildError(e) {
  const first = e?.errors?.[0];
  if (!first) return String(e?.message ?? e).split('\n')[0];
  const where = first.location ? `${first.location.file}:${first.location.line}: ` : '';
  return `${where}${first.text}${e.errors.length > 1 ? ` (and ${e.errors.length - 1} more errors)` : ''}`;
}
