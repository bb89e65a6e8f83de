#!/usr/bin/env node
// `npm run dist [-- electron-builder options]`: the installers. Builds out/ (`npm run build`), then
// runs electron-builder with electron-builder.yml: this OS's targets by default, or what the options
// say (`-- --linux deb`, `-- --win`, `-- --dir`). electron-builder downloads what it is not given:
//   - Electron's release zip for the target (GitHub; ELECTRON_MIRROR=URL for a mirror, or
//     `-c.electronDist=DIR` for an unpacked Electron of the same version),
//   - Electron's headers, to rebuild better-sqlite3 for Electron's ABI (`-c.npmRebuild=false`
//     skips the rebuild, for a better-sqlite3 already built for Electron),
//   - its packaging tools: the AppImage runtime, fpm for the deb, NSIS (GitHub;
//     ELECTRON_BUILDER_BINARIES_MIRROR=URL for a mirror; kept in ELECTRON_BUILDER_CACHE).
// Its progress lines are shown; a failure is one line naming what could not be fetched and how to
// provide it (the full output is in release/dist.log). The rebuild leaves better-sqlite3 built for
// Electron, which Node cannot load: it is rebuilt for Node afterwards, so `dive` and the tests work.
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const say = (line) => process.stderr.write(`npm run dist: ${line}\n`);

const NETWORK = /\b(ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|fetch failed|socket hang up)\b|getaddrinfo|status code 40[34]|Response code 40[34]/i;

/**
 * What could not be fetched and how to provide it, from electron-builder's output: the error (its
 * "⨯" line) and the progress line or download URL before it. Null when the failure is not a download.
 */
export function describeDistFailure(output, { version, platform = process.platform, arch = process.arch } = {}) {
  const lines = output.split('\n');
  const at = lines.findIndex((l) => l.trimStart().startsWith('⨯'));
  if (at < 0) return null;
  const error = lines[at].trim().replace(/^⨯\s*/, '').replace(/\s+failedTask=.*$/, '').replace(/\s+stackTrace=.*$/, '');
  if (!NETWORK.test(lines.slice(at, at + 3).join('\n'))) return null;
  const before = lines.slice(0, at).reverse();
  const url = before.map((l) => /\burl=(\S+)/.exec(l)?.[1]).find(Boolean);
  const step = before.find((l) => l.trimStart().startsWith('•')) ?? '';
  if (url?.includes('electron-builder-binaries') || (url && !/electron-v\d/.test(url))) {
    return `could not download electron-builder's packaging tool ${url.split('/').pop()} (${error}): set ELECTRON_BUILDER_BINARIES_MIRROR=URL to a mirror of electron-builder-binaries' releases, or put the file in ELECTRON_BUILDER_CACHE`;
  }
  if (/headers|node-gyp|rebuild|native dependencies/i.test(`${step} ${error}`)) {
    return `could not download Electron ${version}'s headers to rebuild better-sqlite3 for Electron (${error}): run it where they can be fetched, or pass -c.npmRebuild=false with a better-sqlite3 already built for Electron ${version}`;
  }
  return (
    `could not download Electron ${version} for ${platform}-${arch} (electron-v${version}-${platform}-${arch}.zip: ${error}): ` +
    'set ELECTRON_MIRROR=URL to a mirror of Electron\'s releases, or unzip that file into a folder and pass -c.electronDist=FOLDER (`npm run dist -- -c.electronDist=FOLDER`)'
  );
}

/** Whether this Node can load better-sqlite3 (electron-builder's rebuild leaves it built for Electron). */
const sqliteLoads = () => spawnSync(process.execPath, ['-e', "new (require('better-sqlite3'))(':memory:')"], { cwd: ROOT, stdio: 'ignore' }).status === 0;

async function main(args) {
  const build = spawnSync(npm, ['run', 'build'], { cwd: ROOT, stdio: 'inherit', shell: process.platform === 'win32' });
  if (build.status !== 0) {
    say('npm run build failed (above)');
    return 1;
  }
  const release = join(ROOT, 'release');
  mkdirSync(release, { recursive: true });
  const logFile = join(release, 'dist.log');
  const log = createWriteStream(logFile);
  let version;
  try {
    ({ version } = JSON.parse(readFileSync(join(ROOT, 'node_modules', 'electron', 'package.json'), 'utf8')));
  } catch {
    say(`electron and electron-builder (devDependencies) are not installed: run \`npm install\` in ${ROOT}`);
    return 1;
  }
  const child = spawn(process.execPath, [join(ROOT, 'node_modules', 'electron-builder', 'cli.js'), ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  let failed = false;
  let stopping;
  let pending = '';
  const onData = (chunk) => {
    const text = chunk.toString();
    log.write(text);
    output += text;
    pending += text;
    const lines = pending.split('\n');
    pending = lines.pop();
    for (const l of lines) {
      if (l.trimStart().startsWith('⨯')) failed = true;
      // progress and warnings as electron-builder prints them; not the error and its stack
      if (!failed && l.trimStart().startsWith('•')) process.stdout.write(`${l}\n`);
    }
    // electron-builder can linger after its error (open sockets): it has said all it will
    if (failed && !stopping) stopping = setTimeout(() => child.kill(), 10_000).unref();
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const code = await new Promise((resolve) => child.once('exit', (c) => resolve(c ?? 1)));
  await new Promise((r) => log.end(r));
  if (!sqliteLoads()) {
    say('electron-builder rebuilt better-sqlite3 for Electron: rebuilding it for Node (npm rebuild better-sqlite3) so that dive and the tests keep working');
    spawnSync(npm, ['rebuild', 'better-sqlite3'], { cwd: ROOT, stdio: 'inherit', shell: process.platform === 'win32' });
  }
  if (code === 0 && !failed) return 0;
  const described = describeDistFailure(output, { version });
  const error = output.split('\n').find((l) => l.trimStart().startsWith('⨯'))?.trim().replace(/^⨯\s*/, '').replace(/\s+(failedTask|stackTrace)=.*$/, '');
  say(`${described ?? `electron-builder failed: ${error ?? `exit code ${code}`}`} (full output: ${logFile})`);
  return 1;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) process.exitCode = await main(process.argv.slice(2));
