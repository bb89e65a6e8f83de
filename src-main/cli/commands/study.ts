// `dive study create|run|show`, `dive studies`, `dive recipe paper` (a study), and the statistics
// tables `dive compare --stats` shares with `study show`.
import type { Command } from 'commander';
import type { StudyDetail } from '../../core/app/study-service';
import type { StudyStatistics } from '../../core/eval/study-stats';
import type { PairedDifference, Spread } from '../../core/eval/seed-stats';
import { UserError } from '../../core/errors';
import { emit, fmt, table } from '../output';
import { globals, integer, numberList, withService } from '../options';
import { runQueued } from './queue';
import { addTrainOptions, configFromOptions } from './train';

const pp = (x: number | null) => (x == null ? '-' : (100 * x).toFixed(2));
const ms = (s: Spread, scale = 100, digits = 2) =>
  s.mean == null ? '-' : `${(scale * s.mean).toFixed(digits)}${s.std == null ? '' : ` ± ${(scale * s.std).toFixed(digits)}`}`;
const signed = (x: number | null) => (x == null ? '-' : `${x >= 0 ? '+' : ''}${(100 * x).toFixed(2)}`);
const diffCell = (d: PairedDifference) => (d.mean == null ? '-' : `${signed(d.mean)}${d.lo == null ? '' : ` [${signed(d.lo)}, ${signed(d.hi)}]`}`);

/** The summary, the paired comparisons and the per-class deltas as text tables (accuracies in points). */
export function statisticsTables(s: StudyStatistics, classNames?: string[]): string {
  const out = [
    table(
      s.summary.map((r) => [r.group, `${r.completed}/${r.runs}`, ms(r.metrics.top1), ms(r.metrics.many), ms(r.metrics.medium), ms(r.metrics.few), ms(r.metrics.ece, 1, 3)]),
      ['group', 'n', 'top-1', 'many', 'medium', 'few', 'ECE'],
    ),
  ];
  if (s.comparisons.length) {
    out.push(
      '',
      'paired by seed: mean difference [95% paired t interval], p-value of top-1',
      table(
        s.comparisons.map((c) => [`${c.group} - ${c.baseline}`, c.seeds.length, diffCell(c.diff.top1), c.diff.top1.p == null ? '-' : fmt(c.diff.top1.p, 3), diffCell(c.diff.many), diffCell(c.diff.medium), diffCell(c.diff.few)]),
        ['comparison', 'pairs', 'top-1', 'p', 'many', 'medium', 'few'],
      ),
    );
  }
  const deltas = s.perClass.filter((d) => d.classes.some((c) => c.delta != null));
  if (deltas.length) {
    const first = deltas[0].classes;
    out.push(
      '',
      'per-class accuracy deltas (points), classes by training count',
      table(
        first.map((c, i) => [classNames?.[c.class] ?? c.class, c.count, ...deltas.map((d) => signed(d.classes[i].delta))]),
        ['class', 'n train', ...deltas.map((d) => `${d.group} - ${d.against}`)],
      ),
    );
  }
  return out.join('\n');
}

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

function studyRequest(name: string, o: StudyOpts): Record<string, unknown> {
  const base = configFromOptions({ ...o, method: undefined, seed: undefined, tau: undefined, power: undefined, alpha: undefined });
  const { params, ...config } = base as { params: Record<string, unknown> } & Record<string, unknown>;
  const seeds = /^\d+$/.test(o.seeds.trim()) ? Number(o.seeds) : numberList(o.seeds);
  const grid = Object.fromEntries(Object.entries({ tau: o.tau, power: o.power, alpha: o.alpha }).filter(([, v]) => v !== undefined));
  const teacher = Object.fromEntries(
    Object.entries({ shared: o.sharedTeacher ? true : undefined, seed: o.teacherSeed, epochs: o.teacherEpochs, model: o.teacherModel }).filter(([, v]) => v !== undefined),
  );
  return {
    name, split: o.split, methods: o.methods.split(',').map((m) => m.trim()).filter(Boolean), seeds, grid, teacher,
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
    withService(cmd, (svc) => {
      const s = svc.createStudy(studyRequest(name, o));
      emit(globals(cmd), s, () => `study ${s.name}: ${s.planned} runs planned on ${s.split}; train them with \`dive study run ${s.name}\``);
    }),
  );

  study
    .command('run <name>')
    .description('queue what the study still lacks and train until done; after a kill it continues where it stopped')
    .option('--queue-only', 'only queue the runs, for `dive worker` or `dive serve` to train')
    .action((name: string, o: { queueOnly?: boolean }, cmd: Command) =>
      withService(cmd, async (svc, store) => {
        const ids = svc.queueStudy(name);
        process.stderr.write(`study ${name}: ${ids.length} run(s) to train\n`);
        if (o.queueOnly) {
          const d = svc.getStudy(name);
          emit(globals(cmd), d, () => `queued; \`dive worker\` trains them`);
          return;
        }
        await runQueued(store, ids);
        reportStudy(svc.getStudy(name), cmd);
      }),
    );

  study
    .command('show <name>')
    .description('runs, per-method mean ± std, paired comparisons with 95% intervals and p-values, per-class deltas')
    .action((name: string, _o, cmd: Command) =>
      withService(cmd, (svc) => {
        const d = svc.getStudy(name);
        emit(globals(cmd), d, () => describeStudy(d));
      }),
    );

  program
    .command('studies')
    .description('list studies')
    .action((_o, cmd: Command) =>
      withService(cmd, (svc) => {
        const rows = svc.listStudies();
        emit(globals(cmd), rows, () =>
          rows.length
            ? table(rows.map((r) => [r.name, r.split, r.methods.join(','), r.seeds.join(','), `${r.completed}/${r.planned}`]), ['study', 'split', 'methods', 'seeds', 'completed'])
            : 'no studies yet: try `dive study create NAME --split S --methods ce,bsce,dive --seeds 3`',
        );
      }),
    );

  addStudyOptions(
    program
      .command('recipe <which>')
      .description("`paper`: the paper's Table 1 as a study: BSCE teachers, then CE, BSCE, LDAM-DRW, KD and DiVE students")
      .option('--name <study>', 'study name (default SPLIT-paper); an existing one is continued'),
  ).action((which: string, o: StudyOpts & { name?: string }, cmd: Command) =>
    withService(cmd, async (svc, store) => {
      if (which !== 'paper') throw new UserError(`unknown recipe "${which}": the only one is "paper"`);
      const name = o.name ?? `${o.split}-paper`;
      if (!svc.listStudies().some((s) => s.name === name)) svc.createStudy(studyRequest(name, { ...o, methods: 'ce,bsce,ldam-drw,kd,dive' }));
      await runQueued(store, svc.queueStudy(name));
      reportStudy(svc.getStudy(name), cmd);
    }),
  );
}
