#!/usr/bin/env node
// `npm install`'s postinstall step: fetches Electron's binary for the desktop app where it can, and
// says in one line each what was skipped and how to get it later. It never fails the install: the
// CLI, the web mode and the tests need neither Electron's binary nor libtensorflow.
//   - Electron: the electron package (a devDependency, so only in a checkout) has no install script
//     since Electron 42; its install-electron downloads the binary. ELECTRON_SKIP_BINARY_DOWNLOAD=1
//     skips it, as Electron's own install script did.
//   - libtensorflow: npm drops an optional dependency whose install script fails, and the
//     tfjs-node packages' scripts download libtensorflow; npm says nothing, so we do.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { lookup } from 'node:dns/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { electronMissingLine, electronState } from './electron-binary.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Why a fetch failed, where Node only says "fetch failed": the host that does not resolve, or answer. */
async function unreachable(url) {
  let host;
  try {
    host = new URL(url).hostname;
    await lookup(host);
    return undefined;
  } catch (e) {
    return host ? `${host} cannot be reached (${e?.code ?? 'no address'})` : `${url} is not a URL`;
  }
}

async function electron(root, env, say) {
  const e = electronState(root, env);
  if (e.state !== 'missing') return;
  if (env.ELECTRON_SKIP_BINARY_DOWNLOAD) return say(electronMissingLine(e.version, 'ELECTRON_SKIP_BINARY_DOWNLOAD is set'));
  if (process.stdout.isTTY) say(`downloading Electron ${e.version}'s binary for the desktop app (about 100 MB; ELECTRON_SKIP_BINARY_DOWNLOAD=1 skips it)...`);
  const r = spawnSync(process.execPath, [join(e.pkgDir, 'install.js')], { encoding: 'utf8', env, stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.status === 0 && electronState(root, env).state === 'ready') return;
  // install.js prints the error's stack: its first line is the reason
  const first = `${r.stderr ?? ''}${r.error?.message ?? ''}`.split('\n').map((l) => l.trim()).find((l) => l && !l.startsWith('at ')) ?? `exit code ${r.status}`;
  const from = env.ELECTRON_MIRROR || 'https://github.com/';
  const why = (/fetch failed/.test(first) && (await unreachable(from))) || first.slice(0, 200);
  say(electronMissingLine(e.version, `the download failed: ${why}`));
}

function tensorflow(root, _env, say) {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const require = createRequire(join(root, 'package.json'));
  const missing = Object.keys(pkg.optionalDependencies ?? {})
    .filter((name) => name.startsWith('@tensorflow/tfjs-node'))
    .filter((name) => {
      try {
        require.resolve(`${name}/package.json`);
        return false;
      } catch {
        return true;
      }
    });
  if (missing.length === 0) return;
  say(
    `skipped ${missing.join(' and ')} (npm leaves them out when libtensorflow cannot be downloaded or the platform has none): ` +
      `training uses WebGPU or WebAssembly; \`npm install ${missing[0]}\` where TensorFlow's downloads are reachable adds the native TensorFlow backend`,
  );
}

/** Runs each step; `say` gets the lines. Never throws: a step that fails says so and the next runs. */
export async function postinstall(root, env, say) {
  for (const step of [electron, tensorflow]) {
    try {
      await step(root, env, say);
    } catch (e) {
      say(`${step.name}: ${String(e?.message ?? e).split('\n')[0]} (the install itself went on)`);
    }
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await postinstall(ROOT, process.env, (line) => process.stdout.write(`dive-workbench: ${line}\n`));
}
