// List-file import (ImageNet-LT, Places-LT): "relative/path label" per line, paths relative to a root.
import { existsSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import type { ProgressFn } from '../domain/types';
import type { ListImport } from '../domain/import-schema';
import { UserError } from '../domain/errors';
import type { Staging } from '../store/files';
import { decodeImageParts, type ImageEntry } from './image-import';
import type { ReadRoots } from './read-roots';
import { classCountOf, maxLabel, MAX_CLASSES } from './labels';
import { defaultClassNames, readNameLines, readText, requireDir, requireFile } from './source';

export interface ListLine {
  path: string;
  label: number;
  /** 1-based line number in the list file */
  line: number;
}

/** Parses a list file's text; blank lines are skipped, anything else must be "path label". */
export function parseListText(text: string, source: string): ListLine[] {
  const out: ListLine[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const t = lines[i].trim();
    if (!t) continue;
    // messages never quote the line: in web mode it could be a line of any file the server can read
    const m = /^(.*\S)\s+(\S+)$/.exec(t);
    if (!m) throw new UserError(`${source} line ${i + 1}: expected "relative/path label"; is this a list file?`);
    if (!/^\d+$/.test(m[2])) throw new UserError(`${source} line ${i + 1}: the label is not a whole number >= 0; is this a list file?`);
    const label = Number(m[2]);
    if (label >= MAX_CLASSES) throw new UserError(`${source} line ${i + 1}: label ${m[2].length > 12 ? `${m[2].slice(0, 12)}…` : m[2]} is above the ${MAX_CLASSES - 1} this app supports; check the labels`);
    out.push({ path: m[1], label, line: i + 1 });
  }
  if (out.length === 0) throw new UserError(`${source}: no entries`);
  return out;
}

/** `rel` below `root`, refused when it is absolute or climbs out with "..". */
export function insideRoot(root: string, rel: string, where: string): string {
  if (isAbsolute(rel) || /^[a-zA-Z]:[\\/]/.test(rel)) throw new UserError(`${where}: image path is absolute; paths must be relative to the image root ${root}`);
  const path = resolve(root, rel);
  const back = relative(root, path);
  if (back === '' || back.startsWith('..') || isAbsolute(back)) throw new UserError(`${where}: image path leaves the image root ${root}`);
  return path;
}

function toEntries(lines: ListLine[], root: string, source: string, numClasses: number, namesFile?: string): ImageEntry[] {
  return lines.map((l) => {
    const where = `${source} line ${l.line}`;
    if (l.label >= numClasses) {
      throw new UserError(`${where}: label ${l.label} is outside 0..${numClasses - 1} (${numClasses} names in ${namesFile})`);
    }
    const path = insideRoot(root, l.path, where);
    if (!existsSync(path)) throw new UserError(`${where}: image ${path} not found`);
    return { path, label: l.label, where };
  });
}

export async function decodeList(staging: Staging, req: ListImport, progress?: ProgressFn, roots?: ReadRoots) {
  const root = requireDir(req.root, 'image root', 'root');
  const trainList = requireFile(req.trainList, 'train list', 'trainList');
  const testList = requireFile(req.testList, 'test list', 'testList');
  const train = parseListText(readText(trainList), trainList);
  const test = parseListText(readText(testList), testList);
  let classNames: string[];
  let namesFile: string | undefined;
  if (req.classNamesFile !== undefined) {
    namesFile = requireFile(req.classNamesFile, 'class names', 'classNamesFile');
    classNames = readNameLines(namesFile);
  } else {
    // without names every label is in range by construction
    classNames = defaultClassNames(classCountOf(maxLabel(train.map((l) => l.label), test.map((l) => l.label)), trainList));
  }
  const parts = {
    train: toEntries(train, root, trainList, classNames.length, namesFile),
    test: toEntries(test, root, testList, classNames.length, namesFile),
  };
  const decoded = await decodeImageParts(staging, parts, req.size, req.channels, progress, roots);
  // the training images' paths as the list file gave them, below the root
  return { ...decoded, classNames, trainPaths: { root, paths: train.map((l) => l.path) } };
}
