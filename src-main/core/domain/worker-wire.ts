// The worker API between a remote worker (`dive worker --server`) and the store that owns its runs:
// what a claim answers and what the worker posts back. JSON parts are checked with these schemas
// on both ends; files (checkpoints, weights) travel as raw bytes after the JSON part.
import { z } from 'zod';

const Sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'a lowercase hex SHA-256');
export const FileRef = z.strictObject({ sha256: Sha256, bytes: z.number().int().nonnegative() });
export type FileRef = z.infer<typeof FileRef>;

export const ClaimRequest = z.strictObject({
  study: z.string().max(200).optional(),
  run: z.string().max(200).optional(),
  /** the scheduler's id of the job the worker runs in (e.g. Slurm "123_4") */
  jobId: z.string().max(100).optional(),
  /** a name for logs: host and pid */
  worker: z.string().max(200),
});
export type ClaimRequest = z.infer<typeof ClaimRequest>;

export const RunJob = z.strictObject({
  id: z.number().int(),
  name: z.string(),
  leaseId: z.string(),
  leaseMs: z.number().int().positive(),
  /** the stored config (re-parsed by parseRunConfig on the worker) */
  config: z.unknown(),
  epochsDone: z.number().int().nonnegative(),
  checkpoint: FileRef.nullable(),
  teacher: z.strictObject({ name: z.string(), weights: FileRef }).nullable(),
  /** the initial weights of a run started with --init-weights (absent from older stores' answers) */
  init: FileRef.nullable().optional(),
  data: z.strictObject({
    imageShape: z.tuple([z.number().int(), z.number().int(), z.number().int()]),
    numClasses: z.number().int(),
    classNames: z.array(z.string()),
    classCounts: z.array(z.number().int()),
    groups: z.strictObject({ many: z.array(z.number().int()), medium: z.array(z.number().int()), few: z.array(z.number().int()) }),
    trainPixels: FileRef,
    testPixels: FileRef,
    /** int32 little-endian, base64: every training label of the dataset, the split's sample indices, the test labels */
    trainLabels: z.string(),
    indices: z.string(),
    testLabels: z.string(),
  }),
});
export type RunJob = z.infer<typeof RunJob>;

export const ClaimAnswer = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('run'), job: RunJob }),
  /** runs in scope wait for a teacher still training: ask again later */
  z.strictObject({ kind: z.literal('wait') }),
  /** nothing in scope is left to start */
  z.strictObject({ kind: z.literal('none') }),
]);
export type ClaimAnswer = z.infer<typeof ClaimAnswer>;

export const LeaseBody = z.strictObject({ leaseId: z.string().max(64) });

/** What a remote worker says of itself for the run's provenance (the store adds the token and the executor). */
export const WorkerFacts = z.strictObject({
  host: z.string().max(255),
  pid: z.number().int().nullable(),
  worker: z.string().max(200).nullable(),
  appVersion: z.string().max(100),
  gitCommit: z.string().regex(/^[0-9a-f]{40}([0-9a-f]{24})?$/).nullable(),
  slurm: z.strictObject({ jobId: z.string().max(50), arrayTaskId: z.string().max(50).nullable() }).nullable(),
});

/** `facts` is optional: a worker of an earlier version does not send them (its attempt is recorded with what the store knows) */
export const StartedBody = LeaseBody.extend({ backend: z.strictObject({ name: z.string() }).passthrough(), facts: WorkerFacts.optional() });

export const HeartbeatBody = LeaseBody.extend({ warnings: z.array(z.string().max(2000)).max(100).optional() });
export const HeartbeatAnswer = z.strictObject({ cancel: z.boolean() });

/** the JSON part of POST .../epoch; the checkpoint's bytes follow */
export const EpochBody = LeaseBody.extend({
  record: z.strictObject({
    epoch: z.number().int().positive(),
    loss: z.number(),
    lr: z.number(),
    trainAcc: z.number(),
    testAcc: z.number().nullable(),
    testImages: z.number().int().positive().nullable().optional(),
    valAcc: z.number().nullable().optional(),
    seconds: z.number(),
    imagesPerSec: z.number(),
  }),
  checkpoint: FileRef,
});

const Acc = z.number().nullable();
const Means = z.strictObject({ many: Acc, medium: Acc, few: Acc });
const FLATNESS = z.strictObject({
  virtual: Means,
  input: Means,
  fewOverMany: Acc,
  inputFewOverMany: Acc,
  maxOverMin: Acc,
  inputMaxOverMin: Acc,
});
const PosthocPoint = z.strictObject({ t: z.number(), top1: z.number(), many: Acc, medium: Acc, few: Acc, val: Acc });
const PosthocSchema = z.strictObject({
  method: z.enum(['tau-norm', 'logit-adjust']),
  param: z.enum(['tauNorm', 'laTau']),
  chosen: z.number(),
  points: z.array(PosthocPoint),
  bestOnVal: z.number().nullable(),
  note: z.string(),
});
export const MetricsSchema = z.strictObject({
  top1: z.number(),
  ece: z.number(),
  many: Acc,
  medium: Acc,
  few: Acc,
  perClass: z.array(Acc),
  confusion: z.array(z.array(z.number())).optional(),
  /** the confusion matrix's non-zero cells [true, predicted, count] (a many-class run sends these, not C x C) */
  confusionCells: z.array(z.tuple([z.number().int().min(0), z.number().int().min(0), z.number().int().min(1)])).optional(),
  epoch: z.number().int().optional(),
  /** a post-hoc run's sweep of t */
  posthoc: PosthocSchema.optional(),
});

export const VirtualExamplesSchema = z.strictObject({
  run: z.string(),
  tau: z.number(),
  power: z.number(),
  v: z.array(z.number()),
  counts: z.array(z.number()),
  flatness: FLATNESS,
});

/** the JSON part of POST .../finish; the weights' bytes follow */
export const FinishBody = LeaseBody.extend({
  metrics: MetricsSchema,
  /** null for a post-hoc run, which trains no epoch */
  imagesPerSecond: z.number().nullable(),
  weights: FileRef,
  /** DiVE: the teacher's virtual-example distribution the student was distilled from */
  virtualExamples: VirtualExamplesSchema.nullable(),
});

export const ReleaseBody = LeaseBody.extend({
  /** interrupted: back to the queue (resumed elsewhere); cancelled: a cancel was asked; failed: with its error */
  status: z.enum(['interrupted', 'cancelled', 'failed']),
  error: z.string().max(2000).optional(),
});

/** Upload framing: 4-byte little-endian length of the JSON part, the JSON, then the file's bytes. */
export function frameUpload(json: unknown, file: Uint8Array): Uint8Array[] {
  const text = new TextEncoder().encode(JSON.stringify(json));
  const len = new Uint8Array(4);
  new DataView(len.buffer).setUint32(0, text.length, true);
  return [len, text, file];
}

/** A worker token as lists show it (the token itself is shown once, at creation). */
export interface WorkerTokenInfo {
  name: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export const WorkerTokenName = z.string().regex(/^[\w.-]{1,64}$/, "1-64 letters, digits, '.', '_' or '-'");
