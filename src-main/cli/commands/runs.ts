import type { Command } from 'commander';
import { toCsv } from '../../core/domain/csv';
import { attemptLine } from '../../core/domain/provenance';
import { VirtualExamplesRequestSchema } from '../../core/domain/run-requests';
import type { CompareRow, RunInfo, VeSweep, VirtualExamplesInfo } from '../../core/domain/types';
import { SOURCE_METHODS } from '../../core/domain/method';
import type { PosthocSweep } from '../../core/domain/posthoc';
import { UserError } from '../../core/domain/errors';
import { emit, fmt, pct, table } from '../output';
import { globals, number, withDispatcher } from '../options';
import { statisticsTables } from '../stats-tables';

export function describeRun(r: RunInfo): string {
  const m = r.metrics;
  const lines = [
    `run ${r.name} (#${r.id}): ${r.status}${r.error ? ` (${r.error})` : ''}`,
    `method ${r.method}, model ${r.model}, split ${r.split} of ${r.dataset}${r.teacher ? `, ${SOURCE_METHODS.includes(r.config.method) ? 'from' : 'teacher'} ${r.teacher}` : ''}`,
    `backend ${r.backend ?? '-'}${r.backendReport ? ` (${r.backendReport.device}, ${r.backendReport.threads} threads, ${r.backendReport.detail})` : ''}; epochs ${r.epochsDone}/${String(r.config.epochs)}; ${r.imagesPerSecond ? `${r.imagesPerSecond.toFixed(0)} img/s` : ''}`,
  ];
  if (m) {
    lines.push(`top-1 ${pct(m.top1)}%  many ${pct(m.many)}%  medium ${pct(m.medium)}%  few ${pct(m.few)}%  ECE ${fmt(m.ece)}`);
  }
  if (r.origin) lines.push(r.origin.kind === 'imported' ? `imported from ${r.origin.file} (sha256 ${r.origin.sha256.slice(0, 12)}) on ${r.origin.at.slice(0, 10)}; evaluated here` : `initialised from ${r.origin.file}${r.origin.resetHead ? ', classifier reset' : ''}`);
  const t = r.teacherInfo;
  if (t && SOURCE_METHODS.includes(r.config.method)) lines.push(`stage 1: ${t.name} (${t.method} ${t.model} on ${t.split}, top-1 ${pct(t.top1)}%)`);
  else if (t) lines.push(`distilled from ${t.name} (${t.method} ${t.model} on ${t.split}, top-1 ${pct(t.top1)}%) with T=${t.tau} p=${t.power} alpha=${t.alpha}`);
  if (m?.posthoc) lines.push('', describePosthoc(m.posthoc));
  for (const w of r.warnings) lines.push(`warning: ${w}`);
  for (const a of r.provenance) lines.push(attemptLine(a));
  if (r.tags.length) lines.push(`tags: ${r.tags.join(', ')}`);
  if (r.note) lines.push(`note: ${r.note}`);
  return lines.join('\n');
}

/** A post-hoc run's sweep of t: test figures per t (shown, not chosen on), validation accuracy where there is a holdout. */
export function describePosthoc(p: PosthocSweep): string {
  const rows = p.points.map((x) => [`${x.t}${x.t === p.chosen ? ' *' : ''}`, pct(x.top1), pct(x.many), pct(x.medium), pct(x.few), x.val === null ? '-' : pct(x.val)]);
  return [
    `${p.method} sweep of t (* this run's t = ${p.chosen})`,
    table(rows, ['t', 'top-1', 'many', 'medium', 'few', 'validation']),
    p.bestOnVal === null ? `no t suggested: ${p.note}` : `suggested t = ${p.bestOnVal}: ${p.note}`,
  ].join('\n');
}

export function compareTable(rows: CompareRow[]): string {
  return table(
    rows.map((r) => [r.run, r.method, r.model, r.params, r.epochs, pct(r.top1), pct(r.many), pct(r.medium), pct(r.few), fmt(r.ece)]),
    ['run', 'method', 'model', 'hyper-parameters', 'epochs', 'top-1', 'many', 'medium', 'few', 'ECE'],
  );
}

export function compareCsv(rows: CompareRow[]): string {
  const cols: (keyof CompareRow)[] = ['run', 'method', 'model', 'params', 'epochs', 'status', 'top1', 'many', 'medium', 'few', 'ece'];
  return toCsv(cols, rows.map((r) => cols.map((c) => r[c]))).trimEnd();
}

function describeVe(v: VirtualExamplesInfo): string {
  const f = v.flatness;
  const rows = v.counts
    .map((n, k) => ({ k, n, v: v.v[k] }))
    .sort((a, b) => b.n - a.n)
    .map((x) => [x.k, x.n, x.v.toFixed(1)]);
  return [
    `virtual examples of ${v.run} at T=${v.tau}, p=${v.power} (sum ${v.v.reduce((s, x) => s + x, 0).toFixed(1)})`,
    table(rows, ['class', 'input n', 'virtual V']),
    '',
    `group means  input ${fmt(f.input.many, 1)} / ${fmt(f.input.medium, 1)} / ${fmt(f.input.few, 1)}   virtual ${fmt(f.virtual.many, 1)} / ${fmt(f.virtual.medium, 1)} / ${fmt(f.virtual.few, 1)} (many / medium / few)`,
    `few / many   input ${fmt(f.inputFewOverMany)}  virtual ${fmt(f.fewOverMany)};  max / min  input ${fmt(f.inputMaxOverMin, 1)}  virtual ${fmt(f.maxOverMin, 2)}`,
  ].join('\n');
}

export function describeSweep(s: VeSweep): string {
  const rows = s.sweep.map((p) => [p.tau, fmt(p.effectiveTau, 1), fmt(p.virtual.many, 1), fmt(p.virtual.medium, 1), fmt(p.virtual.few, 1), fmt(p.fewOverMany), fmt(p.maxOverMin, 2), `${pct(p.entropy)}%`]);
  return [
    `virtual-example sweep of ${s.run} over its training split, p=${s.power}; input group means ${fmt(s.input.many, 1)} / ${fmt(s.input.medium, 1)} / ${fmt(s.input.few, 1)}`,
    table(rows, ['T', 'effective T', 'V many', 'V medium', 'V few', 'few/many', 'max/min', 'entropy']),
    '',
    s.suggestedTau === null ? `no T suggested: ${s.reason}` : `suggested T=${s.suggestedTau}: ${s.reason}`,
  ].join('\n');
}

export function registerRunCommands(program: Command): void {
  program
    .command('runs')
    .description('list runs: status, progress, final metrics (`dive run NAME` has the config, epochs and per-class results)')
    .option('--split <name>', 'only the runs on this split')
    .option('--status <s>', 'only runs with this status')
    .action((o, cmd: Command) =>
      withDispatcher(cmd, async (d) => {
        const runs = await d.call('listRuns', { split: o.split, status: o.status });
        emit(globals(cmd), runs, () =>
          runs.length
            ? table(
                runs.map((r) => [r.name, r.status, r.method, r.model, r.split, r.teacher ?? '', `${r.epochsDone}/${r.epochsTotal}`, pct(r.metrics?.top1), pct(r.metrics?.many), pct(r.metrics?.medium), pct(r.metrics?.few)]),
                ['run', 'status', 'method', 'model', 'split', 'teacher', 'epochs', 'top-1', 'many', 'medium', 'few'],
              )
            : 'no runs yet: try `dive train --split S --method bsce --model cnn --epochs 10`',
        );
      }),
    );

  program
    .command('run <name>')
    .description('show a run with its metrics')
    .action((name: string, _o, cmd: Command) =>
      withDispatcher(cmd, async (d) => {
        // the JSON is the whole record: every confusion cell, also above the screens' full-matrix limit
        const run = await d.call('getRun', { name, cells: globals(cmd).json === true });
        emit(globals(cmd), run, () => describeRun(run));
      }),
    );

  program
    .command('ve <run>')
    .description("a trained model's virtual-example distribution over its training split (the paper's Fig. 1 and 5)")
    .option('--tau <T>', `temperature (default ${VirtualExamplesRequestSchema.shape.tau.parse(undefined)})`, number)
    .option('--power <p>', `power normalisation, 1 = none (default ${VirtualExamplesRequestSchema.shape.power.parse(undefined)})`, number)
    .option('--sweep', "sweep T over a grid on the training split and suggest T by the flatness rule (few/many >= 0.8 while the targets are not nearly uniform)")
    .action((name: string, o, cmd: Command) =>
      withDispatcher(cmd, async (d) => {
        if (o.sweep) {
          if (o.tau !== undefined) throw new UserError('--sweep tries a grid of T: leave out --tau');
          const s = await d.call('virtualExampleSweep', { run: name, power: o.power });
          emit(globals(cmd), s, () => describeSweep(s));
          return;
        }
        const v = await d.call('virtualExamples', { run: name, tau: o.tau, power: o.power });
        emit(globals(cmd), v, () => describeVe(v));
      }),
    );

  program
    .command('compare <runs...>')
    .description('a paper-style table: method, key hyper-parameters, top-1, many, medium, few, ECE')
    .option('--csv', 'print CSV instead of a table')
    .option('--stats', "group the runs by method over seeds: mean ± std, paired differences with 95% intervals (as `dive study show`)")
    .action((names: string[], o, cmd: Command) =>
      withDispatcher(cmd, async (d) => {
        if (o.stats) {
          const stats = await d.call('runStatistics', { names });
          emit(globals(cmd), stats, () => statisticsTables(stats, stats.classNames));
          return;
        }
        const rows = await d.call('compareRuns', { names });
        emit(globals(cmd), rows, () => (o.csv ? compareCsv(rows) : compareTable(rows)));
      }),
    );


}
