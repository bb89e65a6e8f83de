// An installation that is broken rather than an input that is wrong: a package missing after an
// unfinished `npm install`, or a native module (better-sqlite3) compiled for another Node.js. One
// line naming the package and the command that fixes it, run where the installation is (the folder
// that holds node_modules, read off the paths in Node's message).

interface LoadError {
  code?: unknown;
  message?: unknown;
}

const loadError = (e: unknown): LoadError => (typeof e === 'object' && e !== null ? (e as LoadError) : {});

/**
 * The installation's folder, where `npm install` or `npm rebuild` fixes it: for one of our own files
 * (out/, src-main/) the folder above those; for a file of a package, the folder whose node_modules
 * holds the package.
 */
export function installRoot(path: string): string | undefined {
  const p = path.replace(/\\/g, '/');
  const pkg = p.lastIndexOf('/node_modules/');
  const own = Math.max(p.lastIndexOf('/out/'), p.lastIndexOf('/src-main/'));
  const at = own > pkg ? own : pkg;
  return at > 0 ? path.slice(0, at) : undefined;
}

/** The package a path inside node_modules belongs to (scoped names included). */
export function packageOfPath(path: string): string | undefined {
  const m = /[\\/]node_modules[\\/]((?:@[^\\/]+[\\/])?[^\\/]+)[\\/](?:(?!node_modules[\\/]).)*$/.exec(path);
  return m ? m[1].replace('\\', '/') : undefined;
}

const inFolder = (root: string | undefined) => (root ? ` in ${root}` : ' in the folder it is installed in');

/** One line for an error that means the installation is broken, or null for any other error. */
export function describeInstallError(e: unknown): string | null {
  const { code, message } = loadError(e);
  const text = typeof message === 'string' ? message : '';
  if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
    // ESM: "Cannot find package 'x' imported from /app/out/chunks/c.mjs"; CommonJS: "Cannot find module 'x'\nRequire stack:\n- /app/..."
    const m = /Cannot find (?:package|module) '((?:@[^/']+\/)?[^/']+)[^']*'[\s\S]*?(?:imported from |- )(\S+)/.exec(text);
    if (!m || m[1].startsWith('.') || m[1].startsWith('/')) return null;
    return `the package ${m[1]} is not installed (an unfinished npm install?): run \`npm install\`${inFolder(installRoot(m[2]))}`;
  }
  if (code === 'ERR_DLOPEN_FAILED') {
    const file = /(\/[^\s']+\.node|[A-Za-z]:\\[^\s']+\.node)/.exec(text)?.[1];
    const pkg = file ? packageOfPath(file) : undefined;
    const abi = /NODE_MODULE_VERSION (\d+)\.[\s\S]*NODE_MODULE_VERSION (\d+)/.exec(text);
    const why = abi
      ? `was compiled for another Node.js (module version ${abi[1]}; this Node.js needs ${abi[2]})`
      : `cannot be loaded (${text.split('\n')[0].replace(file ?? '', 'its .node file').slice(0, 160)})`;
    const fix = pkg ? `npm rebuild ${pkg}` : 'npm rebuild';
    return `${pkg ?? 'a native module'} ${why}: run \`${fix}\`${inFolder(file ? installRoot(file) : undefined)}`;
  }
  // better-sqlite3 finds its .node file through `bindings`, which lists every place it looked
  if (/^Could not locate the bindings file/.test(text)) {
    const file = /→ (\S+\.node)/.exec(text)?.[1];
    const pkg = (file && packageOfPath(file)) ?? 'better-sqlite3';
    return `${pkg} has no compiled native module (its install did not finish): run \`npm rebuild ${pkg}\`${inFolder(file ? installRoot(file) : undefined)}`;
  }
  return null;
}
