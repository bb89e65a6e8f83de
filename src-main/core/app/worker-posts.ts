// What a remote worker posts, checked against its run before anything is written: a valid lease
// says who may write, not what. An epoch must be the run's next one, within its epochs, with a
// checkpoint that parses and is of that epoch (an exact replay of the last committed epoch, which
// a worker sends when the answer to its post was lost, is accepted and changes nothing); `finish`
// comes after the last epoch, with accuracies shaped for the run's classes and weights that parse
// as the run's model. Every refusal is one line naming the run.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { UserError } from '../domain/errors';
import type { RunMetrics, VirtualExamplesInfo } from '../domain/types';
import { decodeCheckpoint, decodeTensorFile } from '../train/checkpoint';

/** What the store says of the run a post is for. */
export interface PostedRun {
  name: string;
  epochs: number;
  epochsDone: number;
  model: string;
  numClasses: number;
  imageShape: [number, number, number];
  /** SHA-256 of the checkpoint of epoch `epochsDone`, if one is stored */
  checkpointSha: string | null;
}

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const refuse = (run: PostedRun, why: string) => new UserError(`run ${run.name}: ${why}`);

/** 'new': commit it; 'replay': the last committed epoch again, byte for byte (nothing to do). */
export function checkEpochPost(run: PostedRun, epoch: number, checkpoint: Uint8Array): 'new' | 'replay' {
  if (epoch > run.epochs) throw refuse(run, `epoch ${epoch} is past the run's ${run.epochs} epochs`);
  if (epoch === run.epochsDone && epoch > 0) {
    if (sha(checkpoint) === run.checkpointSha) return 'replay';
    throw refuse(run, `epoch ${epoch} was already committed with another checkpoint`);
  }
  if (epoch !== run.epochsDone + 1) throw refuse(run, `epoch ${epoch} posted, expected epoch ${run.epochsDone + 1}`);
  const ck = decodeCheckpoint(Buffer.from(checkpoint.buffer, checkpoint.byteOffset, checkpoint.byteLength), `run ${run.name} checkpoint of epoch ${epoch}`);
  if (ck.epochsDone !== epoch) throw refuse(run, `the checkpoint of epoch ${epoch} holds epoch ${ck.epochsDone}`);
  return 'new';
}

const WeightsMetaSchema = z.object({
  model: z.string(),
  imageShape: z.tuple([z.number().int(), z.number().int(), z.number().int()]),
  numClasses: z.number().int(),
  normHead: z.boolean(),
  mean: z.array(z.number()),
  std: z.array(z.number()),
});

function checkAccuracy(run: PostedRun, what: string, v: number | null): void {
  if (v !== null && !(v >= 0 && v <= 1)) throw refuse(run, `${what}: ${v} is not an accuracy (0 to 1)`);
}

export function checkFinishPost(run: PostedRun, metrics: RunMetrics, weights: Uint8Array, ve: VirtualExamplesInfo | null): void {
  if (run.epochsDone !== run.epochs) throw refuse(run, `finish after epoch ${run.epochsDone} of ${run.epochs}; post every epoch first`);
  const k = run.numClasses;
  if (metrics.perClass.length !== k) throw refuse(run, `per-class accuracies: ${metrics.perClass.length} for ${k} classes`);
  const c = metrics.confusion;
  if (c && (c.length !== k || c.some((row) => row.length !== k))) throw refuse(run, `confusion matrix: ${c.length}x${c[0]?.length ?? 0} for ${k} classes`);
  if (c?.some((row) => row.some((n) => !Number.isInteger(n) || n < 0))) throw refuse(run, 'confusion matrix: counts must be whole numbers >= 0');
  for (const key of ['top1', 'ece', 'many', 'medium', 'few'] as const) checkAccuracy(run, key, metrics[key]);
  metrics.perClass.forEach((v, i) => checkAccuracy(run, `per-class accuracy of class ${i}`, v));
  const file = decodeTensorFile<unknown>(Buffer.from(weights.buffer, weights.byteOffset, weights.byteLength), `run ${run.name} weights`, 'weights');
  const meta = WeightsMetaSchema.safeParse(file.meta);
  if (!meta.success) throw refuse(run, 'the weights file has no readable model description');
  if (meta.data.model !== run.model) throw refuse(run, `the weights are of a ${meta.data.model}, the run trains a ${run.model}`);
  if (meta.data.numClasses !== k) throw refuse(run, `the weights are of a model for ${meta.data.numClasses} classes, the run has ${k}`);
  if (meta.data.imageShape.join('x') !== run.imageShape.join('x')) throw refuse(run, `the weights are of a model for ${meta.data.imageShape.join('x')} images, the run's are ${run.imageShape.join('x')}`);
  if (!(file.groups.weights?.length)) throw refuse(run, 'the weights file holds no weights');
  if (ve && (ve.v.length !== k || ve.counts.length !== k)) throw refuse(run, `virtual examples: ${ve.v.length} values for ${k} classes`);
}
