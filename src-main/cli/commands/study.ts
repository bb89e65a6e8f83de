// `dive study create|run|show`, `dive studies`, `dive recipe paper` (a study), and the statistics
// tables `dive compare --stats` shares with `study show`.
import type { Command } from 'commander';
import { PAPER_SETTINGS, paperSettingsText } from '../../core/domain/paper-settings';
import { RECIPES } from '../../core/domain/run-requests';
import type { StudyRequest } from '../../core/domain/study-plan';
import type { StudyDetail } from '../../core/domain/study-types';
import { UserError } from '../../core/domain/errors';
import { EXPORT_FORMATS, formatStudy } from '../../core/domain/study-export';
import { BACKENDS, RUN_DEFAULTS } from '../../core/domain/run-config';
import type { Dispatcher } from '../../core/app/dispatch';
import { emit, table } from '../output';
import { globals, integer, number, numberList, withDispatcher } from '../options';
import { statisticsTables } from '../stats-tables';
import { printTraining } from '../train-progress';
import { addTrainOptions, configFromOptions } from './train';
import { addSlurmOptions, runStudyOnSlurm, type SlurmFlags } from './study-slurm';

function describeStudy(d: StudyDetail): string {
  const byStatus = new Map<string, number>();
  for (const r of d.runs) byStatus.set(r.status, (byStatus.get(r.status) ?? 0) + 1);
  const missing = d.planned - d.runs.length;
  const state = [...byStatus.entries()].map(([k, v]) => `${v} ${k}`).concat(missing ? [`${missing} not queued`] : []).join(', ');
  return [
    `study ${d.name} on split ${d.split}: ${d.spec.methods.join(', ')} x seeds ${d.spec.seeds.join(', ')}${Object.keys(d.spec.grid).length ? ` x ${Object.entries(d.spec.grid).map(([k, v]) => `${k} ${v.join('/')}`).join(' x ')}` : ''}`,
    `${d.planned} runs planned: ${state || 'none yet'}`,
    '',
    statisticsTables(d, d.classNames),
  ].join('\n');
}

/** Waits for the runs to end; Ctrl-C asks them to stop after their batch (`dive study run` continues them). */
async function waitForRuns(d: Dispatcher, names: string[]): Promise<void> {
  const onSigint = () => {
    process.stderr.write('\nstopping after this batch (continue with `dive study run`)...\n');
    for (const name of names) d.call('cancelRun', { name }).catch(() => undefined);
  };
  process.on('SIGINT', onSigint);
  try {
    for (const name of names) await d.runEnded(name);
  } finally {
    process.off('SIGINT', onSigint);
  }
}

/** Prints the study; a run that did not complete makes the command fail (after printing what did). */
function reportStudy(d: StudyDetail, cmd: Command): void {
  emit(globals(cmd), d, () => describeStudy(d));
  const left = d.runs.filter((r) => r.status !== 'completed');
  if (left.length) {
    const some = left.slice(0, 3).map((r) => `${r.run} ${r.status}`).join(', ');
    throw new UserError(`study ${d.name}: ${left.length} run(s) did not complete (${some}${left.length > 3 ? ', ...' : ''}); see \`dive run NAME\`; \`dive study run ${d.name}\` continues`);
  }
}

interface StudyOpts extends Record<string, unknown> {
  split: string;
  methods: string;
  seeds: string;
  sharedTeacher?: boolean;
  teacherSeed?: number;
  teacherEpochs?: number;
  teacherModel?: string;
}

/** The request as the flags give it; the dispatcher validates it (a wrong method is named there). */
function studyRequest(name: string, o: StudyOpts): StudyRequest {
  const defined = (r: Record<string, unknown>) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined));
  const base = configFromOptions({ ...o, method: undefined, seed: undefined, tau: undefined, power: undefined, alpha: undefined });
  const { params: given, ...rest } = base as { params: Record<string, unknown> } & Record<string, unknown>;
  const params = defined(given);
  const config = defined(rest);
  const seeds = /^\d+$/.test(o.seeds.trim()) ? Number(o.seeds) : numberList(o.seeds);
  const grid = Object.fromEntries(Object.entries({ tau: o.tau, power: o.power, alpha: o.alpha }).filter(([, v]) => v !== undefined));
  const teacher = Object.fromEntries(
    Object.entries({ shared: o.sharedTeacher ? true : undefined, seed: o.teacherSeed, epochs: o.teacherEpochs, model: o.teacherModel }).filter(([, v]) => v !== undefined),
  );
  return {
    name, split: o.split, methods: o.methods.split(',').map((m) => m.trim()).filter(Boolean) as StudyRequest['methods'], seeds, grid, teacher,
    config: { ...config, ...(Object.keys(params).length ? { params } : {}) },
  };
}

function addStudyOptions(cmd: Command): Command {
  return addTrainOptions(
    cmd
      .requiredOption('--split <name>')
      .option('--seeds <n|list>', 'student seeds: a count N (seeds 1..N) or a list such as 1,2,3', '3')
      .option('--shared-teacher', 'one teacher for every seed (default: one per seed)')
      .option('--teacher-seed <n>', 'seed of the shared teacher (default 100; per-seed teachers use seed + 100)', integer)
      .option('--teacher-epochs <n>', "the teacher's epochs (default the students')", integer)
      .option('--teacher-model <arch>', "the teacher's architecture (default the students')"),
    true,
  );
}

export function registerStudyCommands(program: Command): void {
  const study = program.command('study').description('a named group of runs over one split: methods x seeds (x grid), with statistics');
  addStudyOptions(
    study
      .command('create <name>')
      .description('plan a study (kd and dive get BSCE teachers first); `dive study run NAME` trains it')
      .requiredOption('--methods <list>', 'e.g. ce,bsce,dive'),
  ).action((name: string, o: StudyOpts, cmd: Command) =>
    withDispatcher(cmd, async (d) => {
      const s = await d.call('createStudy', studyRequest(name, o));
      emit(globals(cmd), s, () => `study ${s.name}: ${s.planned} runs planned on ${s.split}; train them with \`dive study run ${s.name}\``);
    }),
  );

  addSlurmOptions(
    study
      .command('run <name>')
      .description('queue what the study still lacks and train until done; after a kill it continues where it stopped')
      .option('--queue-only', 'only queue the runs, for `dive worker` or `dive serve` to train')
      .option('--executor <kind>', 'local (default): worker processes here; slurm: one array job whose tasks are remote workers of this store', 'local'),
  ).action((name: string, o: { queueOnly?: boolean; executor: string } & SlurmFlags, cmd: Command) => {
      if (o.executor !== 'local' && o.executor !== 'slurm') throw new UserError(`--executor ${o.executor}: use local or slurm`);
      if (o.executor === 'slurm') {
        if (o.queueOnly) throw new UserError('--queue-only and --executor slurm: choose one');
        return runStudyOnSlurm(name, o, cmd, (d) => reportStudy(d, cmd));
      }
      // --queue-only: a dispatcher with no slot trains nothing; `dive worker` or `dive serve` does
      return withDispatcher(cmd, async (d) => {
        if (o.queueOnly) {
          const queued = await d.call('runStudy', { name });
          process.stderr.write(`study ${name}: ${queued.runs.filter((r) => r.status !== 'completed').length} run(s) to train\n`);
          const shown = await d.call('getStudy', { name });
          emit(globals(cmd), shown, () => `queued; \`dive worker\` trains them`);
          return;
        }
        const stop = printTraining(d);
        try {
          const queued = await d.call('runStudy', { name });
          const left = queued.runs.filter((r) => r.status !== 'completed');
          process.stderr.write(`study ${name}: ${left.length} run(s) to train\n`);
          await waitForRuns(d, left.map((r) => r.run));
        } finally {
          stop();
        }
        reportStudy(await d.call('getStudy', { name }), cmd);
      }, o.queueOnly ? { slots: 0 } : {});
    });

  study
    .command('show <name>')
    .description('runs, per-method mean ± std, paired comparisons with 95% intervals and p-values (raw and Holm-adjusted), per-class deltas, warnings')
    .option('--format <f>', `text (default), or the table for a paper: ${EXPORT_FORMATS.join(', ')} (methods as rows, mean ± std, differences to each baseline with interval and p)`)
    .action((name: string, o: { format?: string }, cmd: Command) =>
      withDispatcher(cmd, async (d) => {
        const format = o.format === undefined || o.format === 'text' ? null : EXPORT_FORMATS.find((f) => f === o.format);
        if (format === undefined) throw new UserError(`--format ${o.format}: use text, ${EXPORT_FORMATS.join(', ')}`);
        const shown = await d.call('getStudy', { name });
        if (format) {
          if (globals(cmd).json) throw new UserError('--format and --json: choose one');
          process.stdout.write(formatStudy(shown, format));
          return;
        }
        emit(globals(cmd), shown, () => describeStudy(shown));
      }, { slots: 0 }),
    );

  program
    .command('studies')
    .description('list studies')
    .action((_o, cmd: Command) =>
      withDispatcher(cmd, async (d) => {
        const rows = await d.call('listStudies', undefined);
        emit(globals(cmd), rows, () =>
          rows.length
            ? table(rows.map((r) => [r.name, r.split, r.methods.join(','), r.seeds.join(','), `${r.completed}/${r.planned}`]), ['study', 'split', 'methods', 'seeds', 'completed'])
            : 'no studies yet: try `dive study create NAME --split S --methods ce,bsce,dive --seeds 3`',
        );
      }),
    );

  program
    .command('recipe <which>')
    .description("`paper`: the paper's Table 1 as a study: a BSCE teacher, then CE, BSCE, LDAM-DRW, KD and DiVE students; without --split, the paper's settings per dataset")
    .option('--split <name>', 'the split to train on')
    .option('--model <arch>', `architecture of every run (default ${RUN_DEFAULTS.model})`)
    .option('--epochs <n>', `epochs of every run (default ${RUN_DEFAULTS.epochs}; at 100 or more the warm-up rises per epoch, as the reference code)`, integer)
    .option('--batch <n>', `batch size (default ${RUN_DEFAULTS.batchSize})`, integer)
    .option('--lr <lr>', `base learning rate (default ${RUN_DEFAULTS.lr})`, number)
    .option('--seed <n>', `the teacher's seed (default ${RUN_DEFAULTS.seed}); the students share seed + 1, so none starts from the teacher's init or sees its batches`, integer)
    .option('--seeds <n|list>', 'student seeds instead: a count N (1..N) or a list, each with its own teacher on seed + 100 (one shared teacher on --seed when given)')
    .option('--backend <name>', `${BACKENDS.join(', ')} (default: the best available)`)
    .option('--prefix <study>', 'the study (and run name prefix; default SPLIT-paper); an existing one is continued')
    .action((which: string, o, cmd: Command) => {
      const recipe = RECIPES.find((r) => r === which);
      if (!recipe) throw new UserError(`unknown recipe "${which}": the only one is "paper"`);
      // the settings are a fixed list: no store to open
      if (o.split === undefined) return emit(globals(cmd), PAPER_SETTINGS, () => paperSettingsText());
      const seeds = o.seeds === undefined ? undefined : /^\d+$/.test(String(o.seeds).trim()) ? Number(o.seeds) : numberList(String(o.seeds));
      return withDispatcher(cmd, async (d) => {
        const stop = printTraining(d);
        // Ctrl-C: the workers stop after their batch (they share the terminal's process group)
        try {
          const study = await d.call('recipe', { recipe, split: o.split, prefix: o.prefix, model: o.model, epochs: o.epochs, batchSize: o.batch, lr: o.lr, seed: o.seed, seeds, backend: o.backend });
          reportStudy(study, cmd);
        } finally {
          stop();
        }
      });
    });

}
