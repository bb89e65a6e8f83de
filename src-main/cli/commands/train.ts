import type { Command, OptionValues } from 'commander';
import type { Args } from '../../core/domain/contract';
import { METHOD_RUN_DEFAULTS, methodPreset, METHODS, SOURCE_METHODS, TEACHER_METHODS } from '../../core/domain/method';
import { BACKENDS, methodDefaults, MODELS, RUN_DEFAULTS, SCHEDULES, WARMUP_FORMS } from '../../core/domain/run-config';
import { MIN_BATCH, MIN_STEPS } from '../../core/domain/short-run';
import { UserError } from '../../core/domain/errors';
import { emit } from '../output';
import { globals, integer, number, numberList, withDispatcher } from '../options';
import { follow, printTraining } from '../train-progress';
import { describeRun } from './runs';

/** The train flags as a run config; left-out flags stay undefined and take the schema's defaults. */
export function configFromOptions(o: OptionValues): Args<'train'>['config'] {
  return {
    method: o.method, model: o.model, epochs: o.epochs, batchSize: o.batch, lr: o.lr, momentum: o.momentum, weightDecay: o.weightDecay,
    warmupEpochs: o.warmup, warmupForm: o.warmupForm, evalEvery: o.evalEvery, valFraction: o.valFraction, schedule: o.schedule, milestones: o.milestones, gamma: o.gamma, seed: o.seed,
    augment: o.augment === undefined ? undefined : parseAugment(String(o.augment)), backend: o.backend,
    threads: o.threads, allowSoftwareAdapter: o.allowSoftwareAdapter,
    params: { tau: o.tau, power: o.power, alpha: o.alpha, focalGamma: o.focalGamma, cbBeta: o.cbBeta, drwEpoch: o.drwEpoch, laTau: o.laTau, tauNorm: o.tauNorm },
  };
}

function parseAugment(s: string): { crop: boolean; flip: boolean } {
  const parts = s === 'none' || s === '' ? [] : s.split(',').map((x) => x.trim());
  for (const p of parts) if (p !== 'crop' && p !== 'flip') throw new UserError(`--augment: unknown augmentation "${p}" (use crop, flip, crop,flip or none)`);
  return { crop: parts.includes('crop'), flip: parts.includes('flip') };
}

/**
 * The train flags; every default in the help is read from the domain package when the help is built.
 * `grid`: --tau, --power and --alpha take comma lists (a study's parameter grid).
 */
export function addTrainOptions(cmd: Command, grid = false): Command {
  const gridNumber: (v: string) => number | number[] = grid ? numberList : number;
  const d = RUN_DEFAULTS;
  const dive = methodPreset('dive');
  const pct = (fs: number[]) => fs.map((f) => `${Math.round(f * 100)}%`).join(' and ');
  return cmd
    .option('--model <arch>', `${MODELS.join(', ')} (default ${d.model})`)
    .option('--epochs <n>', `epochs (default ${d.epochs})`, integer)
    .option('--batch <n>', `batch size (default ${d.batchSize}; a short run on a small split gets a smaller one, down to ${MIN_BATCH}, so that it takes ${MIN_STEPS} steps)`, integer)
    .option('--lr <lr>', `base learning rate (default ${d.lr}; with another batch, ${d.lr} per ${d.batchSize} images of it; crt and lws: ${methodDefaults('crt').lr} per ${methodDefaults('crt').batchSize}, cosine decay, weight decay ${methodDefaults('crt').weightDecay}, as classifier-balancing)`, number)
    .option('--momentum <m>', `SGD momentum (default ${d.momentum})`, number)
    .option('--weight-decay <wd>', `weight decay (default ${d.weightDecay})`, number)
    .option('--warmup <epochs>', `linear warm-up epochs (default min(${d.warmupMax}, epochs/10), at least 1)`, integer)
    .option('--warmup-form <f>', `${WARMUP_FORMS.join(' or ')}: step, the warm-up rises every batch; epoch, once per epoch, the reference code's form (default ${d.warmupForm})`)
    .option('--eval-every <k>', 'evaluate on the test set every k epochs and after the last (default: evaluation under about a quarter of the run)', integer)
    .option('--val-fraction <f>', `hold out this share of each class of the training split as a validation set (default ${d.valFraction})`, number)
    .option('--schedule <s>', `${SCHEDULES.join(' or ')} (default ${d.schedule})`)
    .option('--milestones <list>', `epochs at which a step schedule multiplies the lr by --gamma (default ${pct(d.milestoneFractions)} of the run)`, numberList)
    .option('--gamma <g>', `lr multiplier at each milestone (default ${d.gamma})`, number)
    .option('--seed <n>', `seed of init, batch order and augmentation (default ${d.seed})`, integer)
    .option('--augment <list>', 'crop,flip (default), crop, flip or none')
    .option('--tau <T>', `distillation temperature (kd, dive; default ${dive.tau})`, gridNumber)
    .option('--power <p>', `DiVE power normalisation (default ${dive.power})`, gridNumber)
    .option('--alpha <a>', `weight of the distillation term (default ${dive.alpha})`, gridNumber)
    .option('--focal-gamma <g>', `focal loss gamma (default ${methodPreset('focal').focalGamma})`, number)
    .option('--cb-beta <b>', `class-balanced beta (default ${methodPreset('cb').cbBeta})`, number)
    .option('--drw-epoch <e>', `LDAM-DRW: epoch re-weighting starts (default ${pct([d.drwFraction])} of the run)`, integer)
    .option('--la-tau <t>', `logit adjustment tau: la-loss trains on z + tau log(prior), logit-adjust predicts with z - tau log(prior) (default ${methodPreset('la-loss').laTau})`, number)
    .option('--tau-norm <t>', `tau-norm: each class weight divided by its norm^t (default ${methodPreset('tau-norm').tauNorm})`, number)
    .option('--backend <name>', `${BACKENDS.join(', ')} (default: the best available; also $DIVE_BACKEND)`)
    .option('--threads <n>', 'wasm compute threads (default: one per logical core)', integer)
    .option('--allow-software-adapter', 'let webgpu run on a software adapter such as SwiftShader (slow; for tests; also $DIVE_WEBGPU_ALLOW_SOFTWARE=1)');
}

export function registerTrainCommands(program: Command): void {
  addTrainOptions(
    program
      .command('train')
      .description('train a run in a worker process (teacher, student or baseline)')
      .requiredOption('--split <name>')
      .requiredOption('--method <m>', METHODS.join(', '))
      .option('--teacher <run>', `completed teacher run (${TEACHER_METHODS.join(', ')})`)
      .option('--from <run>', `completed stage-1 run of the same split (${SOURCE_METHODS.join(', ')}): its backbone is kept (crt ${METHOD_RUN_DEFAULTS.crt?.epochs} and lws ${METHOD_RUN_DEFAULTS.lws?.epochs} epochs by default; tau-norm and logit-adjust train none)`)
      .option('--name <name>', 'run name (default method-model-split)')
      .option('--init-weights <file>', 'start from a safetensors file (PyTorch state_dict names, as `dive export --format safetensors` writes) instead of the seeded init')
      .option('--reset-head', 'with --init-weights: a classifier of another class count is left fresh (trained from the seeded init)')
      .option('--init-from <run>', 'start from a completed run\'s weights (same dataset and model)'),
  ).action((o, cmd: Command) =>
    withDispatcher(cmd, async (d) => {
      const stop = printTraining(d);
      try {
        const started = await d.call('train', { split: o.split, name: o.name, teacher: o.teacher, from: o.from, config: configFromOptions(o), initWeights: o.initWeights, initFrom: o.initFrom, resetHead: o.resetHead });
        const run = await follow(d, started.name);
        emit(globals(cmd), run, () => describeRun(run));
      } finally {
        stop();
      }
    }),
  );

  program
    .command('resume <run>')
    .description('continue an interrupted or cancelled run from its last checkpoint')
    .action((name: string, _o, cmd: Command) =>
      withDispatcher(cmd, async (d) => {
        const stop = printTraining(d);
        try {
          await d.call('resumeRun', { name });
          const run = await follow(d, name);
          emit(globals(cmd), run, () => describeRun(run));
        } finally {
          stop();
        }
      }),
    );

  program
    .command('cancel <run>')
    .description('stop a running run after its current batch (it can be resumed)')
    .action((name: string, _o, cmd: Command) =>
      withDispatcher(cmd, async (d) => {
        const run = await d.call('cancelRun', { name });
        emit(globals(cmd), run, () => (run.status === 'cancelled' ? `cancelled ${run.name}` : `asked ${run.name} to stop after its current batch`));
      }),
    );
}
