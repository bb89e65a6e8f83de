// The folders an import may read from. `dive serve` passes its --data-root folders (default: the
// user's home and Debian's dataset folder), so a web page holding the token cannot make the server
// read /etc/shadow; the CLI and the desktop app pass none (the user names their own files).
// Paths are compared after resolving symbolic links, so a link inside a root that points outside
// it is refused too.
import { existsSync, realpathSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { UserError } from '../domain/errors';

export const DEBIAN_DATASETS = '/usr/share/datasets';

export function defaultReadRoots(): string[] {
  return [homedir(), DEBIAN_DATASETS];
}

/** The real path of `p`, or of its nearest existing ancestor joined with the rest. */
function realish(p: string): string {
  const abs = resolve(p);
  if (existsSync(abs)) return realpathSync(abs);
  const parent = dirname(abs);
  return parent === abs ? abs : resolve(realish(parent), abs.slice(parent.length + (parent.endsWith(sep) ? 0 : 1)));
}

function inside(root: string, p: string): boolean {
  const rel = relative(root, p);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** A folder as a person says it: the home folder as ~ (the form needs no absolute server path). */
function tilde(p: string): string {
  const home = realish(homedir());
  return p === home ? '~' : p.startsWith(home + sep) ? `~${p.slice(home.length)}` : p;
}

export class ReadRoots {
  readonly roots: string[];

  constructor(roots: string[]) {
    this.roots = roots.map(realish);
  }

  /** These roots and `extra` (the server's own folders, e.g. its download cache). */
  with(extra: string[]): ReadRoots {
    return new ReadRoots([...this.roots, ...extra]);
  }

  /** Whether `path` (after links, as far as it exists) lies below one of the roots. */
  contains(path: string): boolean {
    return this.roots.some((r) => inside(r, realish(path)));
  }

  /**
   * Throws unless `path` (after links) lies below one of the roots; `what` names the input, `field`
   * the request's field that named it (the form shows the problem under it; else above the form).
   */
  check(path: string, what: string, field?: string): void {
    if (this.contains(path)) return;
    const ui = `outside the folders this server may read (${this.roots.map(tilde).join(', ')}); whoever started the server can allow another folder`;
    throw new UserError(`${what} ${resolve(path)} is outside the folders this server may read (${this.roots.join(', ')}); restart \`dive serve\` with --data-root DIR to allow another`, [
      { path: field ? [field] : [], message: field ? ui : `a file the dataset names is ${ui}` },
    ]);
  }
}
