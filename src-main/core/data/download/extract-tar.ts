// The members of a (gzipped) tarball under one folder, extracted with node-tar: it refuses paths
// that climb out of the target (absolute or ".."), and in strict mode a truncated or corrupt
// archive is an error instead of a warning. Every failure names the archive.
import { mkdirSync } from 'node:fs';
import { UserError } from '../../domain/errors';
import { firstLine } from '../source';

/** Extracts the regular files under `prefix` (e.g. "cifar-10-batches-bin/") of `archive` into `dest`. */
export async function extractTar(archive: string, dest: string, prefix: string): Promise<void> {
  mkdirSync(dest, { recursive: true });
  // loaded here, not at start-up: every `dive` command imports this module, few extract archives
  const { x } = await import('tar');
  let files = 0;
  try {
    await x({
      file: archive,
      cwd: dest,
      strict: true,
      filter: (path, entry) => {
        const keep = path.startsWith(prefix) && ('type' in entry ? entry.type === 'File' || entry.type === 'Directory' : true);
        if (keep && 'type' in entry && entry.type === 'File') files++;
        return keep;
      },
    });
  } catch (e) {
    throw new UserError(`${archive}: the archive is truncated or corrupt (${firstLine(e instanceof Error ? e.message : String(e))})`);
  }
  if (files === 0) throw new UserError(`${archive}: no files under ${prefix} in the archive`);
}
