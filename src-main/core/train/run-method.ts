// One entry for every method, as the workers call it: the training loop (with a teacher for kd and
// dive), decoupled classifier training (crt, lws) or a post-hoc adjustment (tau-norm,
// logit-adjust), the last two from the stage-1 model the run was created from (`--from`).
import { POSTHOC_METHODS, SOURCE_METHODS } from '../domain/method';
import { UserError } from '../domain/errors';
import { trainDecoupled, type SourceModel } from './decoupled';
import { trainRun, type TrainOptions, type TrainResult } from './loop';
import type { LoadedModel } from './inference';
import { posthocRun } from './posthoc';

export interface RunOptions extends Omit<TrainOptions, 'teacher'> {
  /** the teacher (kd, dive) or the stage-1 model (crt, lws, tau-norm, logit-adjust) the run names */
  from?: LoadedModel;
}

export function runMethod(o: RunOptions): Promise<TrainResult> {
  const method = o.config.method;
  if (!SOURCE_METHODS.includes(method)) return trainRun({ ...o, teacher: o.from?.model });
  if (!o.from) throw new UserError(`method ${method} starts from a completed run: give --from RUN`);
  const source: SourceModel = { weights: o.from.weights, meta: o.from.meta };
  if (POSTHOC_METHODS.includes(method)) return posthocRun({ config: o.config, data: o.data, source, evalBatchSize: o.evalBatchSize, keepTestLogits: o.keepTestLogits });
  return trainDecoupled({ config: o.config, data: o.data, source, resume: o.resume, hooks: o.hooks, evalBatchSize: o.evalBatchSize, keepTestLogits: o.keepTestLogits });
}
