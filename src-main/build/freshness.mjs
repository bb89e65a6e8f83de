// Whether out/ holds a build of the sources beside it. A build records the modification time of
// every file it read (out/build-stamp.json: the bundled sources, the build script, package.json and
// node_modules/.package-lock.json, which npm rewrites whenever it changes the installed packages);
// the build is stale when any of them changed or is gone, or when an output is missing. Plain
// Node, no dependencies: `dive` checks this at every start in a checkout (a few hundred stat calls).
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const STAMP_FILE = 'build-stamp.json';

/** The stamp for a build that read `inputs` (paths relative to root) and wrote `outputs`. */
export function stampOf(root, inputs, outputs) {
  const files = {};
  for (const f of inputs) {
    const t = mtimeOf(join(root, f));
    if (t !== null) files[f] = t;
  }
  return { inputs: files, outputs };
}

/** null when the build in root/out is current, otherwise why not (one phrase, for a log line). */
export function staleReason(root) {
  let stamp;
  try {
    stamp = JSON.parse(readFileSync(join(root, 'out', STAMP_FILE), 'utf8'));
  } catch {
    return 'there is no build yet';
  }
  for (const o of stamp.outputs ?? []) if (!existsSync(join(root, o))) return `${o} is missing`;
  for (const [f, t] of Object.entries(stamp.inputs ?? {})) {
    if (mtimeOf(join(root, f)) !== t) return `${f} changed since the last build`;
  }
  return null;
}

function mtimeOf(path) {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return null;
  }
}
