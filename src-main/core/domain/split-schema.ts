import { z } from 'zod';
import { parseWith, UserError } from './errors';
import { NewName } from './fields';
import { CLASS_ORDERS, PROFILES, type ShotThresholds } from './types';

/** A class with more than `many` training images is many-shot; fewer than `few`, few-shot. */
export const DEFAULT_THRESHOLDS: ShotThresholds = { many: 100, few: 20 };

/**
 * The split contract shared by the CLI, HTTP and IPC front doors. The parameters alone are what
 * the split builder's preview takes; a request adds the dataset and the split's name.
 */
export const SplitParamsSchema = z.strictObject({
  profile: z.enum(PROFILES).default('exp'),
  /** rho = n_max / n_min of the profile; required for exp and step, left out for natural (the dataset's own) */
  ratio: z.number().min(1, 'must be at least 1').max(1e9, 'must be at most 1e9').optional(),
  /** images of the head class (exp, step); default: the smallest class count of the dataset's training set */
  maxPerClass: z.number().int('must be a whole number').min(1, 'must be at least 1').max(2 ** 31 - 1, 'is too large').optional(),
  seed: z.number().int('must be a whole number').min(0, 'must be at least 0').max(2 ** 32 - 1, 'must be below 2^32').default(0),
  classOrder: z.enum(CLASS_ORDERS).default('label'),
  /** a class with more than `many` training images is many-shot (default DEFAULT_THRESHOLDS.many) */
  many: z.number().int('must be a whole number').min(0, 'must be at least 0').optional(),
  /** a class with fewer than `few` training images is few-shot (default DEFAULT_THRESHOLDS.few) */
  few: z.number().int('must be a whole number').min(0, 'must be at least 0').optional(),
});

export const SplitRequestSchema = SplitParamsSchema.extend({
  dataset: z.string().trim().min(1, 'must name a dataset'),
  name: NewName,
});

/** The split builder's live preview: a request whose name may still be blank or missing. */
export const SplitPreviewRequestSchema = SplitParamsSchema.extend({
  dataset: SplitRequestSchema.shape.dataset,
  name: z.string().optional(),
});

/** What callers may send (defaults not yet filled in). */
export type SplitParamsInput = z.input<typeof SplitParamsSchema>;
export type SplitRequestInput = z.input<typeof SplitRequestSchema>;
export type SplitPreviewRequestInput = z.input<typeof SplitPreviewRequestSchema>;
/** What the core works with after validation. */
export type SplitParams = z.output<typeof SplitParamsSchema>;
export type SplitRequest = z.output<typeof SplitRequestSchema>;
export type SplitPreviewRequest = z.output<typeof SplitPreviewRequestSchema>;

/** few > many + 1 would leave counts that are both many- and few-shot. */
function checkThresholds(p: { many?: number; few?: number }, what: string): void {
  const many = p.many ?? DEFAULT_THRESHOLDS.many;
  const few = p.few ?? DEFAULT_THRESHOLDS.few;
  if (few > many + 1) throw new UserError(`invalid ${what}: few: must be at most many + 1 (got few ${few}, many ${many})`);
}

/**
 * A drawn profile needs its ratio; a natural split keeps every training image, so the parameters
 * that shape a drawn profile (ratio, head class, a shuffled class order, a sampling seed) would be
 * silently ignored: they are refused, naming the field, rather than stored beside counts they did
 * not make.
 */
function checkProfile(p: z.output<typeof SplitParamsSchema>, what: string): void {
  const refuse = (field: string, line: string, ui: string) => {
    throw new UserError(`invalid ${what}: ${field}: ${line}`, [{ path: [field], message: ui }]);
  };
  if (p.profile !== 'natural') {
    if (p.ratio === undefined) refuse('ratio', `required for the ${p.profile} profile (missing); the natural profile takes the training set as it is`, 'required');
    return;
  }
  const asIs = 'a natural split keeps every training image';
  if (p.ratio !== undefined) refuse('ratio', `${asIs}, so its ratio is the dataset's own (max / min class count); leave ratio out`, 'the training set as it is has its own ratio; leave it out');
  if (p.maxPerClass !== undefined) refuse('maxPerClass', `${asIs}; leave maxPerClass out`, 'the training set as it is keeps every class whole; leave it out');
  if (p.classOrder !== 'label') refuse('classOrder', `${asIs}: no profile is laid over the classes, so there is no class order to shuffle`, 'no profile to order: keep label order');
  if (p.seed !== 0) refuse('seed', `${asIs}: nothing is sampled, so a seed would change nothing; leave seed out`, 'nothing is sampled; leave it at 0');
}

export function parseSplitParams(input: unknown): SplitParams {
  const p = parseWith(SplitParamsSchema, input, 'split parameters');
  checkThresholds(p, 'split parameters');
  checkProfile(p, 'split parameters');
  return p;
}

export function parseSplitRequest(input: unknown): SplitRequest {
  const p = parseWith(SplitRequestSchema, input, 'split request');
  checkThresholds(p, 'split request');
  checkProfile(p, 'split request');
  return p;
}

export function parseSplitPreviewRequest(input: unknown): SplitPreviewRequest {
  const p = parseWith(SplitPreviewRequestSchema, input, 'split request');
  checkThresholds(p, 'split request');
  checkProfile(p, 'split request');
  return p;
}

/** What `dive split export` and the split page's downloads write (splits/export-format.ts). */
export const SPLIT_EXPORT_FORMATS = ['json', 'csv', 'list'] as const;
export type SplitExportFormat = (typeof SPLIT_EXPORT_FORMATS)[number];

/** A split written out: the text of the file and what to call it. */
export interface SplitExport {
  split: string;
  format: SplitExportFormat;
  filename: string;
  contentType: string;
  text: string;
}
