// iNaturalist (COCO-style) JSON import. Category ids, over both files, map to labels 0..C-1 in
// ascending id order, so the same JSON files always give the same labels.
import { existsSync } from 'node:fs';
import { z } from 'zod';
import type { ProgressFn } from '../domain/types';
import type { InatImport } from '../domain/import-schema';
import { UserError } from '../domain/errors';
import type { Staging } from '../store/files';
import { decodeImageParts, type ImageEntry } from './image-import';
import type { ReadRoots } from './read-roots';
import { insideRoot } from './list';
import { readText, requireDir, requireFile } from './source';

const id = z.number().int();
export const InatJsonSchema = z.object({
  images: z.array(z.object({ id, file_name: z.string().min(1) })),
  annotations: z.array(z.object({ image_id: id, category_id: id })),
  categories: z.array(z.object({ id, name: z.string() })),
});
export type InatJson = z.infer<typeof InatJsonSchema>;

/** Parses and checks one JSON file's text; `source` names it in messages. */
export function parseInatJson(text: string, source: string): InatJson {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    // V8's message quotes the text ("Unexpected token 'r', "root:*:..." is not valid JSON"): keep only where
    const at = e instanceof Error ? /position (\d+)/.exec(e.message) : null;
    throw new UserError(`${source}: not valid JSON${at ? ` (error at byte ${at[1]})` : ''}; is this an iNaturalist JSON file?`);
  }
  const r = InatJsonSchema.safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0];
    const at = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '');
    throw new UserError(`${source}: ${at || 'top level'}: ${issue.message}`);
  }
  return r.data;
}

/** Category id -> label (ascending ids over all files) and the names in label order. */
export function inatCategories(files: InatJson[]): { labelOf: Map<number, number>; classNames: string[] } {
  const names = new Map<number, string>();
  for (const f of files) for (const c of f.categories) if (!names.has(c.id)) names.set(c.id, c.name);
  const ids = [...names.keys()].sort((a, b) => a - b);
  return { labelOf: new Map(ids.map((id, i) => [id, i])), classNames: ids.map((i) => names.get(i)!) };
}

/** One labelled entry per image, in `images` order; paths are not checked here. */
export function inatLabels(json: InatJson, labelOf: Map<number, number>, source: string): { fileName: string; label: number; index: number }[] {
  const imageIds = new Set(json.images.map((im) => im.id));
  const category = new Map<number, number>();
  json.annotations.forEach((a, i) => {
    if (!imageIds.has(a.image_id)) throw new UserError(`${source}: annotations[${i}]: image_id ${a.image_id} is not in images`);
    const label = labelOf.get(a.category_id);
    if (label === undefined) throw new UserError(`${source}: annotations[${i}]: category_id ${a.category_id} is not in categories`);
    if (!category.has(a.image_id)) category.set(a.image_id, label);
  });
  return json.images.map((im, index) => {
    const label = category.get(im.id);
    if (label === undefined) throw new UserError(`${source}: images[${index}] (id ${im.id}, ${im.file_name}) has no annotation`);
    return { fileName: im.file_name, label, index };
  });
}

export async function decodeInat(staging: Staging, req: InatImport, progress?: ProgressFn, roots?: ReadRoots) {
  const root = requireDir(req.root, 'image root', 'root');
  const trainFile = requireFile(req.trainJson, 'train JSON', 'trainJson');
  const testFile = requireFile(req.testJson, 'test JSON', 'testJson');
  const train = parseInatJson(readText(trainFile), trainFile);
  const test = parseInatJson(readText(testFile), testFile);
  const { labelOf, classNames } = inatCategories([train, test]);
  const entries = (json: InatJson, source: string): ImageEntry[] =>
    inatLabels(json, labelOf, source).map((e) => {
      const where = `${source} images[${e.index}]`;
      const path = insideRoot(root, e.fileName, where);
      if (!existsSync(path)) throw new UserError(`${where}: image ${path} not found`);
      return { path, label: e.label, where };
    });
  const parts = { train: entries(train, trainFile), test: entries(test, testFile) };
  const decoded = await decodeImageParts(staging, parts, req.size, req.channels, progress, roots);
  // the training images' file_name values, below the root
  return { ...decoded, classNames, trainPaths: { root, paths: train.images.map((im) => im.file_name) } };
}
