import type { Command } from 'commander';
import type { CompareRow } from '../../core/api/runs-service';
import type { RunInfo, VirtualExamplesInfo } from '../../core/api/types';
import { UserError } from '../../core/errors';
import { emit, fmt, pct, table } from '../output';
import { globals, number, withService } from '../options';
import { runStatistics } from '../../core/app/study-service';
import { listRunRows } from '../../core/store/run-list';
import { RunFilterSchema } from '../../core/api/runs-service';
import { statisticsTables } from './study';

export function describeRun(r: RunInfo): string {
  const m = r.metrics;
  const lines = [
    `run ${r.name} (#${r.id}): ${r.status}${r.error ? ` (${r.error})` : ''}`,
    `method ${r.method}, model ${r.model}, split ${r.split} of ${r.dataset}${r.teacher ? `, teacher ${r.teacher}` : ''}`,
    `backend ${r.backend ?? '-'}${r.backendReport ? ` (${r.backendReport.device}, ${r.backendReport.threads} threads)` : ''}; epochs ${r.epochsDone}/${String(r.config.epochs)}; ${r.imagesPerSecond ? `${r.imagesPerSecond.toFixed(0)} img/s` : ''}`,
  ];
  if (m) {
    lines.push(`top-1 ${pct(m.top1)}%  many ${pct(m.many)}%  medium ${pct(m.medium)}%  few ${pct(m.few)}%  ECE ${fmt(m.ece)}`);
    if (r.bestMetrics && r.bestMetrics.epoch !== m.epoch) lines.push(`best epoch ${r.bestMetrics.epoch}: top-1 ${pct(r.bestMetrics.top1)}%`);
  }
  return lines.join('\n');
}

export function compareTable(rows: CompareRow[]): string {
  return table(
    rows.map((r) => [r.run, r.method, r.model, r.params, r.epochs, pct(r.top1), pct(r.many), pct(r.medium), pct(r.few), fmt(r.ece)]),
    ['run', 'method', 'model', 'hyper-parameters', 'epochs', 'top-1', 'many', 'medium', 'few', 'ECE'],
  );
}

const csvCell = (v: unknown) => {
  const s = v == null ? '' : String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

export function compareCsv(rows: CompareRow[]): string {
  const cols: (keyof CompareRow)[] = ['run', 'method', 'model', 'params', 'epochs', 'status', 'top1', 'many', 'medium', 'few', 'ece'];
  return [cols.join(','), ...rows.map((r) => cols.map((c) => csvCell(r[c])).join(','))].join('\n');
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

export function registerRunCommands(program: Command): void {
  program
    .command('runs')
    .description('list runs: status, progress, final metrics (`dive run NAME` has the config, epochs and per-class results)')
    .option('--split <name>', 'only the runs on this split')
    .option('--status <s>', 'only runs with this status')
    .action((o, cmd: Command) =>
      withService(cmd, (_svc, store) => {
        const runs = listRunRows(store, RunFilterSchema.parse({ split: o.split, status: o.status }));
        emit(globals(cmd), runs, () =>
          runs.length
            ? table(
                runs.map((r) => [r.name, r.status, r.method, r.model, r.split, r.teacher ?? '', `${r.epochsDone}/${r.epochs}`, pct(r.top1), pct(r.many), pct(r.medium), pct(r.few)]),
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
      withService(cmd, (svc) => {
        const run = svc.getRun(name);
        emit(globals(cmd), run, () => describeRun(run));
      }),
    );

  program
    .command('ve <run>')
    .description("a trained model's virtual-example distribution over its training split (the paper's Fig. 1 and 5)")
    .option('--tau <T>', 'temperature (default 3)', number)
    .option('--power <p>', 'power normalisation, 1 = none (default 0.5)', number)
    .action((name: string, o, cmd: Command) =>
      withService(cmd, async (svc) => {
        const v = await svc.virtualExamples({ run: name, tau: o.tau, power: o.power });
        emit(globals(cmd), v, () => describeVe(v));
      }),
    );

  program
    .command('compare <runs...>')
    .description('a paper-style table: method, key hyper-parameters, top-1, many, medium, few, ECE')
    .option('--csv', 'print CSV instead of a table')
    .option('--stats', "group the runs by method over seeds: mean ± std, paired differences with 95% intervals (as `dive study show`)")
    .action((names: string[], o, cmd: Command) =>
      withService(cmd, (svc, store) => {
        if (o.stats) {
          const s = runStatistics(store, names);
          emit(globals(cmd), s, () => statisticsTables(s));
          return;
        }
        const rows = svc.compareRuns(names);
        emit(globals(cmd), rows, () => (o.csv ? compareCsv(rows) : compareTable(rows)));
      }),
    );

  program
    .command('export <run>')
    .description('write the trained model (TF.js weights manifest) and a JSON of config and metrics')
    .requiredOption('--dir <dir>', 'an empty or new folder')
    .action((name: string, o, cmd: Command) =>
      withService(cmd, async (svc) => {
        const out = await svc.exportRun({ run: name, dir: o.dir });
        emit(globals(cmd), out, () => `wrote ${out.files.join(', ')} to ${out.dir}`);
      }),
    );
}
