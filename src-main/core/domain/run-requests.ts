// Requests about runs: train, list, virtual examples, export, the paper's recipe. One schema per
// request, so a front door validates once and the handler receives the parsed, typed value.
import { z } from 'zod';
import { Name } from './fields';
import { BACKENDS, MODELS, RunConfigSchema } from './run-config';
import { RUN_STATUSES } from './types';

export const TrainRequestSchema = z.strictObject({
  split: Name,
  /** default: method-model-split-N */
  name: Name.optional(),
  /** a completed run on the same dataset (kd, dive) */
  teacher: Name.optional(),
  /** method is required, everything else has the paper's defaults */
  config: RunConfigSchema,
});
export type TrainRequest = z.input<typeof TrainRequestSchema>;
export type ParsedTrainRequest = z.output<typeof TrainRequestSchema>;

export const RunFilterSchema = z.strictObject({
  split: Name.optional(),
  status: z.enum(RUN_STATUSES).optional(),
});

/** The paper's settings for the virtual-example distribution (Fig. 5): T = 3, p = 0.5. */
export const VirtualExamplesRequestSchema = z.strictObject({
  run: Name,
  tau: z.number().gt(0, 'must be > 0').default(3),
  power: z.number().gt(0, 'must be > 0').max(1, 'must be <= 1').default(0.5),
});

export const ExportRequestSchema = z.strictObject({ run: Name, dir: z.string().min(1, 'must not be empty') });

export const RECIPES = ['paper'] as const;

/** The paper's Table 1 on one split: a BSCE teacher, then CE, BSCE, LDAM-DRW, KD and DiVE students. */
export const RecipeRequestSchema = z.strictObject({
  recipe: z.enum(RECIPES),
  split: Name,
  /** run name prefix; default: the split's name */
  prefix: Name.optional(),
  model: z.enum(MODELS).optional(),
  epochs: z.number().int().min(1).optional(),
  batchSize: z.number().int().min(1).optional(),
  lr: z.number().gt(0).optional(),
  seed: z.number().int().optional(),
  backend: z.enum(BACKENDS).optional(),
});
export type RecipeRequest = z.output<typeof RecipeRequestSchema>;

/** The runs of the paper recipe, teacher first; students of kd and dive distil from it. */
export const PAPER_RECIPE = { teacher: 'bsce', students: ['ce', 'bsce', 'ldam-drw', 'kd', 'dive'] } as const;
