// Import of the datasets the workbench knows by name (CIFAR-10/100, MNIST, Fashion-MNIST, KMNIST),
// as torchvision's `Dataset(root, download=True)` does it: the files are looked for in one folder
// (--dir, else the download cache data/downloads/<id>/), fetched there with their published
// checksums when asked to, and imported. A CIFAR tarball is unpacked inside the import's staging
// folder and removed before the commit, so only the verified archive stays cached.
import { existsSync, readdirSync, rmdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ProgressFn } from '../domain/types';
import { UserError } from '../domain/errors';
import type { Staging } from '../store/files';
import { decodeCifar, findCifar } from './cifar-import';
import { downloadEntry, withMirror, type DownloadEntry, type DownloadId } from '../domain/downloads';
import { extractTar } from './download/extract-tar';
import { fetchDataset } from './download/fetch-dataset';
import { formatBytes } from './download/rate';
import { decodeIdx, type IdxFiles } from './idx-import';
import type { ReadRoots } from './read-roots';

export interface DownloadImport {
  id: DownloadId;
  /** where the files are or go; default: the cache in the data folder */
  dir?: string;
  download: boolean;
  /** base URL that replaces the official addresses: files at MIRROR/<id>/<file> */
  mirror?: string;
  timeoutSeconds?: number;
}

/** The download cache of one dataset: data/downloads/<id>/. */
export function downloadCacheDir(dataDir: string, id: DownloadId): string {
  return join(dataDir, 'downloads', id);
}

/** True when every file of `id` is in its download cache (verified when it was downloaded). */
export function isCached(dataDir: string, id: DownloadId): boolean {
  const dir = downloadCacheDir(dataDir, id);
  return downloadEntry(id).files.every((f) => existsSync(join(dir, f.name)));
}

function mirrorOf(req: DownloadImport): string | undefined {
  return req.mirror ?? (process.env.DIVE_DATASET_MIRROR?.trim() || undefined);
}

function notFound(entry: DownloadEntry, dir: string, missing: string[]): UserError {
  const size = formatBytes(entry.approxMB * 1e6);
  return new UserError(
    `${entry.title} not found: ${dir} lacks ${missing.join(', ')}; add --download to fetch it (about ${size}) from ${entry.files[0].urls[0]}, or point --dir at a folder holding it`,
    [{ path: [], message: `${entry.title} is not downloaded yet (it lacks ${missing.join(', ')}); download it (about ${size})` }],
  );
}

/** The four IDX files in `dir` (the published .gz names, or the same names unpacked), each checked against `roots`. */
function idxFilesIn(entry: DownloadEntry, dir: string, roots?: ReadRoots): IdxFiles {
  const keys: (keyof IdxFiles)[] = ['trainImages', 'trainLabels', 'testImages', 'testLabels'];
  const missing: string[] = [];
  const found = keys.map((k, i) => {
    const gz = join(dir, entry.files[i].name);
    const hit = [gz, gz.replace(/\.gz$/, '')].find((p) => existsSync(p));
    if (!hit) missing.push(entry.files[i].name);
    return hit ?? '';
  });
  if (missing.length) throw notFound(entry, dir, missing);
  for (const f of found) roots?.check(f, 'file');
  return { trainImages: found[0], trainLabels: found[1], testImages: found[2], testLabels: found[3] };
}

/** Guides a PyTorch user whose folder holds torchvision's python-pickle CIFAR instead of the binary one. */
function pythonCifarHint(entry: DownloadEntry, dir: string): void {
  const py = entry.id === 'cifar10' ? ['cifar-10-python.tar.gz', 'cifar-10-batches-py'] : ['cifar-100-python.tar.gz', 'cifar-100-python'];
  const hit = py.find((p) => existsSync(join(dir, p)));
  if (hit) {
    throw new UserError(
      `${join(dir, hit)} is CIFAR's python (pickle) version, which torchvision downloads; the workbench reads the binary version ${entry.files[0].name}: run \`dive import ${entry.id} --download\``,
      [{ path: ['dir'], message: `this folder holds CIFAR's python (pickle) version (${hit}); the workbench reads the binary version ${entry.files[0].name}: download it` }],
    );
  }
}

async function decodeCifarArchive(staging: Staging, entry: DownloadEntry, archive: string, ownArchive: boolean, progress?: ProgressFn) {
  const tmp = staging.path('unpacked');
  try {
    progress?.({ phase: `unpack ${entry.files[0].name}`, done: 0, total: 1 });
    try {
      await extractTar(archive, tmp, entry.id === 'cifar10' ? 'cifar-10-batches-bin/' : 'cifar-100-binary/');
    } catch (e) {
      // an archive we downloaded that does not unpack is of no use to anyone: leave nothing behind
      if (ownArchive) rmSync(archive, { force: true });
      throw e;
    }
    progress?.({ phase: `unpack ${entry.files[0].name}`, done: 1, total: 1 });
    const files = findCifar(tmp);
    if (files.layout.format !== entry.id) throw new UserError(`${archive}: holds ${files.layout.title}, not ${entry.title}`);
    return { files, decoded: await decodeCifar(staging, files, progress) };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

export interface DownloadDecoded {
  format: 'idx' | 'cifar10' | 'cifar100';
  decoded: Awaited<ReturnType<typeof decodeIdx>>;
  source: Record<string, unknown>;
}

/**
 * Finds (or downloads) and decodes a dataset of the catalogue into `staging`. With `roots` (web
 * mode), every file it opens is checked against them first, links resolved; the download cache in
 * the data folder is the server's own and allowed too.
 */
export async function decodeDownloadable(
  staging: Staging,
  dataDir: string,
  req: DownloadImport,
  progress?: ProgressFn,
  catalog: (id: DownloadId) => DownloadEntry = downloadEntry,
  roots?: ReadRoots,
): Promise<DownloadDecoded> {
  const entry = withMirror(catalog(req.id), mirrorOf(req));
  const dir = resolve(req.dir ?? downloadCacheDir(dataDir, req.id));
  try {
    return await findAndDecode(staging, entry, dir, req, progress, roots?.with([downloadCacheDir(dataDir, req.id)]));
  } catch (e) {
    // a failed first download leaves no empty cache folders behind either
    if (req.dir === undefined) removeIfEmpty(dir, join(dataDir, 'downloads'));
    throw e;
  }
}

function removeIfEmpty(...dirs: string[]): void {
  for (const d of dirs) {
    if (existsSync(d) && readdirSync(d).length === 0) rmdirSync(d);
  }
}

async function findAndDecode(staging: Staging, entry: DownloadEntry, dir: string, req: DownloadImport, progress?: ProgressFn, roots?: ReadRoots): Promise<DownloadDecoded> {
  const timeoutMs = req.timeoutSeconds === undefined ? undefined : req.timeoutSeconds * 1000;
  if (req.download) await fetchDataset(entry, dir, { onProgress: progress, timeoutMs });
  const origin = { preset: req.id, dir, downloaded: req.download, urls: entry.files.map((f) => f.urls[0]), md5: entry.files.map((f) => f.md5) };

  if (entry.kind === 'idx') {
    if (!req.download && !existsSync(dir)) throw notFound(entry, dir, entry.files.map((f) => f.name));
    const files = idxFilesIn(entry, dir, roots);
    const decoded = await decodeIdx(staging, files, entry.classNames, progress);
    return { format: 'idx', decoded, source: { ...origin, ...files } };
  }

  const archive = join(dir, entry.files[0].name);
  if (existsSync(archive)) {
    roots?.check(archive, 'file');
    const { files, decoded } = await decodeCifarArchive(staging, entry, archive, req.download || req.dir === undefined, progress);
    return { format: files.layout.format, decoded, source: { ...origin, archive } };
  }
  if (!existsSync(dir)) throw notFound(entry, dir, [entry.files[0].name]);
  pythonCifarHint(entry, dir);
  // an unpacked binary folder, as `dive import cifar --dir` takes it
  let files;
  try {
    files = findCifar(dir, roots);
  } catch (e) {
    // "no CIFAR files here" says more with the download hint; a damaged folder keeps its own message
    if (e instanceof UserError && e.message.startsWith('no CIFAR files')) throw notFound(entry, dir, [entry.files[0].name]);
    throw e;
  }
  if (files.layout.format !== entry.id) throw new UserError(`${dir}: holds ${files.layout.title}, not ${entry.title}`);
  const decoded = await decodeCifar(staging, files, progress);
  return { format: files.layout.format, decoded, source: { ...origin, dir: files.dir } };
}
