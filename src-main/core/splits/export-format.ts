// A split as files another codebase can use (`dive split export`, the split page's downloads):
// - json: {name, dataset, counts, classNames, indices, ...}: `indices` are 0-based positions in
//   the dataset's training part in import order (for IDX/CIFAR the file's order, for a folder the
//   code-point order of class folders and files, as torchvision's ImageFolder sorts them; for a
//   list or iNaturalist JSON the file's order), ascending, so `torch.utils.data.Subset(train,
//   indices)` over the same training set is this split;
// - csv: one row per class: index, name, training images, shot group;
// - list: "path label" per training image of the split, paths relative to the import's image root.
// Pure: arrays in, text out.
import { toCsv } from '../domain/csv';
import type { ShotThresholds } from '../domain/types';
import { shotGroup } from './stats';

export interface SplitFacts {
  name: string;
  dataset: string;
  profile: string;
  ratio: number;
  maxPerClass: number;
  seed: number;
  classOrder: string;
  thresholds: ShotThresholds;
  counts: readonly number[];
  classNames: readonly string[];
}

export function splitJson(s: SplitFacts, indices: ArrayLike<number>): string {
  return JSON.stringify({
    name: s.name,
    dataset: s.dataset,
    counts: s.counts,
    classNames: s.classNames,
    // one index a line would make a 100,000-image split 100,000 lines: the array stays on one
    indices: Array.from(indices),
    indexBase: 0,
    indicesInto: 'the training part of the dataset, in import order',
    profile: s.profile,
    ratio: s.ratio,
    maxPerClass: s.maxPerClass,
    seed: s.seed,
    classOrder: s.classOrder,
    thresholds: s.thresholds,
  });
}

export function splitCountsCsv(s: SplitFacts): string {
  return toCsv(['class_index', 'class', 'train_images', 'shot_group'], s.counts.map((n, c) => [c, s.classNames[c] ?? '', n, shotGroup(n, s.thresholds)]));
}

/** "path label" lines, one per index; `paths` and `labels` are the training part's. */
export function splitList(indices: ArrayLike<number>, labels: ArrayLike<number>, paths: readonly string[]): string {
  const out: string[] = [];
  for (let i = 0; i < indices.length; i++) out.push(`${paths[indices[i]]} ${labels[indices[i]]}`);
  return out.join('\n') + '\n';
}
