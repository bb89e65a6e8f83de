import { DEFAULT_THRESHOLDS, parseSplitParams, type SplitParamsInput } from '../domain/split-schema';
import type { SplitPreview } from '../domain/types';
import { fieldError, UserError } from '../domain/errors';
import { classOrder, countsByClass, profileCounts } from './profile';
import { classStats } from './stats';


export interface SplitSource {
  /** training images per class of the source dataset, indexed by class */
  counts: ArrayLike<number>;
  /** for messages only */
  classNames?: readonly string[];
}

function className(source: SplitSource, c: number): string {
  const n = source.classNames?.[c];
  return n === undefined ? `class ${c}` : `class ${c} ("${n}")`;
}

/**
 * Counts, groups and statistics of the split these parameters would make, writing nothing.
 * O(C) in the number of classes (plus a sort for the Gini coefficient), so the UI can call it on
 * every slider move even for iNaturalist's 8,142 classes. Bad parameters are a UserError that
 * names the field, so the UI can show the same message the CLI prints.
 */
export function previewFromCounts(source: SplitSource, input: SplitParamsInput): SplitPreview {
  const p = parseSplitParams(input);
  const have = source.counts;
  const C = have.length;
  if (C < 2) throw new UserError(`a long-tailed split needs at least 2 classes; the source has ${C}`);
  if (p.profile === 'natural') return naturalPreview(source, p.many, p.few);
  const ratio = p.ratio ?? 1; // parseSplitParams requires it for a drawn profile
  let nMax = p.maxPerClass;
  if (nMax === undefined) {
    let smallest = 0;
    for (let c = 1; c < C; c++) if (have[c] < have[smallest]) smallest = c;
    if (have[smallest] < 1) {
      throw fieldError(`maxPerClass: the default is the smallest class count, but ${className(source, smallest)} has no training images; give maxPerClass`, ['maxPerClass'], `${className(source, smallest)} has no training images; give a number`);
    }
    nMax = have[smallest];
  }
  const order = classOrder(p.classOrder, C, p.seed);
  const counts = countsByClass(profileCounts(p.profile, C, nMax, ratio), order);

  let short = -1;
  let shortCount = 0;
  for (let c = 0; c < C; c++) {
    if (counts[c] > have[c]) {
      if (short < 0) short = c;
      shortCount++;
    }
  }
  if (short >= 0) {
    const more = shortCount > 1 ? `; ${shortCount - 1} more class${shortCount > 2 ? 'es are' : ' is'} short too` : '';
    throw fieldError(
      `maxPerClass: ${className(source, short)} has ${have[short]} training images but the split needs ${counts[short]} ` +
        `(maxPerClass ${nMax}, ratio ${ratio})${more}; lower maxPerClass`,
      ['maxPerClass'],
      `${className(source, short)} has ${have[short]} training images but the split needs ${counts[short]}${more}; lower it`,
    );
  }
  const empty = counts.findIndex((n) => n < 1);
  if (empty >= 0) {
    throw fieldError(
      `ratio: ${ratio} with maxPerClass ${nMax} leaves ${className(source, empty)} with no training images; lower the ratio or raise maxPerClass`,
      ['ratio'],
      `${ratio} with a head class of ${nMax} leaves ${className(source, empty)} with no training images; lower the ratio or raise the head class`,
    );
  }

  const thresholds = { many: p.many ?? DEFAULT_THRESHOLDS.many, few: p.few ?? DEFAULT_THRESHOLDS.few };
  const stats = classStats(counts, thresholds);
  return {
    profile: p.profile,
    ratio,
    maxPerClass: nMax,
    seed: p.seed,
    classOrder: p.classOrder,
    order,
    counts,
    total: stats.total,
    thresholds,
    groups: stats.groups,
    stats,
  };
}

/**
 * The training set as it is (ImageNet-LT, iNaturalist 2018: long-tailed already, trained as
 * published): every class keeps all its images, so the counts are the dataset's own, the ratio is
 * max / min of them (1 for a balanced dataset), n_max the largest class, and the rank order the
 * classes by count, largest first (ties by label), which is what a sorted histogram draws. A class
 * with no training image is refused as the drawn profiles refuse it: every loss and shot group
 * here assumes each class was seen.
 */
function naturalPreview(source: SplitSource, many?: number, few?: number): SplitPreview {
  const counts = Array.from(source.counts);
  const empty = counts.findIndex((n) => n < 1);
  if (empty >= 0) {
    const more = counts.filter((n) => n < 1).length - 1;
    throw new UserError(
      `${className(source, empty)} has no training images${more ? ` (and ${more} more class${more > 1 ? 'es' : ''})` : ''}; a split needs every class to have at least one (re-import without that class)`,
      [{ path: ['profile'], message: `${className(source, empty)} has no training images${more ? ` (and ${more} more)` : ''}` }],
    );
  }
  const thresholds = { many: many ?? DEFAULT_THRESHOLDS.many, few: few ?? DEFAULT_THRESHOLDS.few };
  const stats = classStats(counts, thresholds);
  const order = counts.map((_, c) => c).sort((a, b) => counts[b] - counts[a] || a - b);
  return {
    profile: 'natural',
    ratio: stats.imbalanceRatio ?? 1,
    maxPerClass: stats.max,
    seed: 0,
    classOrder: 'label',
    order,
    counts,
    total: stats.total,
    thresholds,
    groups: stats.groups,
    stats,
  };
}

/** The same from a label array (one class index per training image): counts first, O(N). */
export function previewFromLabels(
  labels: ArrayLike<number>,
  numClasses: number,
  input: SplitParamsInput,
  classNames?: readonly string[],
): SplitPreview {
  const counts = new Int32Array(numClasses);
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i];
    if (!(l >= 0 && l < numClasses)) throw new UserError(`training image ${i}: label ${l} is outside 0..${numClasses - 1}`);
    counts[l]++;
  }
  return previewFromCounts({ counts, classNames }, input);
}
