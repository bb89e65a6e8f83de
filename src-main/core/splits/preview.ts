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
  const counts = countsByClass(profileCounts(p.profile, C, nMax, p.ratio), order);

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
        `(maxPerClass ${nMax}, ratio ${p.ratio})${more}; lower maxPerClass`,
      ['maxPerClass'],
      `${className(source, short)} has ${have[short]} training images but the split needs ${counts[short]}${more}; lower it`,
    );
  }
  const empty = counts.findIndex((n) => n < 1);
  if (empty >= 0) {
    throw fieldError(
      `ratio: ${p.ratio} with maxPerClass ${nMax} leaves ${className(source, empty)} with no training images; lower the ratio or raise maxPerClass`,
      ['ratio'],
      `${p.ratio} with a head class of ${nMax} leaves ${className(source, empty)} with no training images; lower the ratio or raise the head class`,
    );
  }

  const thresholds = { many: p.many ?? DEFAULT_THRESHOLDS.many, few: p.few ?? DEFAULT_THRESHOLDS.few };
  const stats = classStats(counts, thresholds);
  return {
    profile: p.profile,
    ratio: p.ratio,
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
