// What every backend loader needs before it loads a package: where the package is, and whether it
// shares the app's @tensorflow/tfjs-core (two copies would give two Tensor classes and two kernel
// tables in one process). Apart from backend.ts so webgpu.ts, which backend.ts loads, can use it.
import { createRequire } from 'node:module';
import path from 'node:path';

/** A backend that could not be used, and why, in words for the user. */
export class BackendUnavailable extends Error {}

const require = createRequire(import.meta.url);

/** The folder of an installed package, or BackendUnavailable('not installed'). */
export function packageDir(pkg: string, from: string = import.meta.url): string {
  try {
    return path.dirname(createRequire(from).resolve(`${pkg}/package.json`));
  } catch {
    throw new BackendUnavailable(`${pkg} is not installed`);
  }
}

/** Throws unless `pkg` resolves @tensorflow/tfjs-core to the very file this app uses. */
export function checkSharedCore(pkg: string): void {
  const ours = require.resolve('@tensorflow/tfjs-core');
  const dir = packageDir(pkg);
  let theirs: string;
  try {
    theirs = createRequire(path.join(dir, 'package.json')).resolve('@tensorflow/tfjs-core');
  } catch {
    throw new BackendUnavailable(`${pkg} cannot find @tensorflow/tfjs-core`);
  }
  if (theirs !== ours) {
    throw new BackendUnavailable(`${pkg} uses its own copy of @tensorflow/tfjs-core (${theirs}, not ${ours}); reinstall so npm dedupes it`);
  }
}
