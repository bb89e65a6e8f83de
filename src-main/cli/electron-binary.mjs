// Electron's binary, which the desktop app runs in: whether it is here, and how to get it. Since
// Electron 42 the electron package has no install script: npm installs its types and launcher,
// and the binary (about 100 MB, from GitHub's releases or ELECTRON_MIRROR) comes from the
// package's own `install-electron`. `npm install` runs that (src-main/cli/postinstall.mjs); where
// it cannot, `npm start` opens the web mode and both say, in the same words, how to get it later.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * 'ready' with the binary's path; 'missing' when the electron package is installed without its
 * binary; 'absent' when the package is not installed (the npm package of the CLI has no Electron).
 */
export function electronState(root, env = process.env) {
  let pkgDir;
  try {
    pkgDir = dirname(createRequire(join(root, 'package.json')).resolve('electron/package.json'));
  } catch {
    return { state: 'absent' };
  }
  const { version } = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
  const pathFile = join(pkgDir, 'path.txt');
  const executable = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : undefined;
  // the electron package's own lookup (its index.js), without the download it starts when the binary is missing
  const bin = env.ELECTRON_OVERRIDE_DIST_PATH
    ? join(env.ELECTRON_OVERRIDE_DIST_PATH, executable ?? (process.platform === 'win32' ? 'electron.exe' : 'electron'))
    : executable && join(pkgDir, 'dist', executable);
  if (bin && existsSync(bin)) return { state: 'ready', bin, version, pkgDir };
  return { state: 'missing', version, pkgDir };
}

/** The release archive install-electron fetches for this machine. */
export function electronZip(version, platform = process.platform, arch = process.arch) {
  return `electron-v${version}-${platform}-${arch}.zip`;
}

/** How to get the binary later, for the line that says it is missing. */
export function howToGetElectron(version) {
  return (
    'get it with `npx --no install-electron` where GitHub is reachable (ELECTRON_MIRROR=URL fetches from a mirror), ' +
    `or unzip ${electronZip(version)} into a folder and set ELECTRON_OVERRIDE_DIST_PATH to it`
  );
}

/** The one line `npm install` and `npm start` print when the binary is missing (`why`: what failed, when known). */
export function electronMissingLine(version, why) {
  return `Electron's binary is not installed${why ? ` (${why})` : ''}: the desktop app needs it and \`npm start\` opens the web mode instead; ${howToGetElectron(version)}`;
}
