import { existsSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { DEFAULT_THRESHOLDS, SPLIT_EXPORT_FORMATS, SplitParamsSchema, type SplitExportFormat } from '../../core/domain/split-schema';
import { CLASS_ORDERS, PROFILES, type SplitInfo } from '../../core/domain/types';
import { UserError } from '../../core/domain/errors';
import { emit, fmt, table } from '../output';
import { globals, integer, number, withDispatcher } from '../options';

interface SplitLike {
  counts: number[];
  total: number;
  groups: SplitInfo['groups'];
  stats: SplitInfo['stats'];
}

export function describeCounts(s: SplitLike, classNames?: string[]): string {
  const group = (i: number) => (s.groups.many.includes(i) ? 'many' : s.groups.few.includes(i) ? 'few' : 'medium');
  const max = Math.max(1, ...s.counts);
  const rows = s.counts.map((n, i) => [i, classNames?.[i] ?? '', n, group(i), '#'.repeat(Math.max(n > 0 ? 1 : 0, Math.round((30 * n) / max)))]);
  const st = s.stats;
  return [
    table(rows, ['class', 'name', 'train', 'group', '']),
    '',
    `total ${s.total}; rho ${st.imbalanceRatio == null ? '-' : fmt(st.imbalanceRatio, 2)}; Gini ${fmt(st.gini)}; normalised entropy ${fmt(st.normalizedEntropy)}`,
    `groups many ${s.groups.many.length} / medium ${s.groups.medium.length} / few ${s.groups.few.length} (many > ${st.thresholds.many}, few < ${st.thresholds.few})`,
  ].join('\n');
}

/** How a split was made, in one line: a natural split says it is the training set as it is, and its ratio (1 when balanced). */
export function splitLine(s: Pick<SplitInfo, 'profile' | 'ratio' | 'maxPerClass' | 'seed'>): string {
  if (s.profile === 'natural') return `natural profile (the training set as it is), rho ${fmt(s.ratio, 2)}${s.ratio === 1 ? ' (balanced)' : ''}, n_max ${s.maxPerClass}`;
  return `${s.profile} profile, rho ${s.ratio}, n_max ${s.maxPerClass}, seed ${s.seed}`;
}

/** Writes `text` to `file` through a temporary file beside it, so a kill leaves the old file or the new one. */
function writeAtomically(file: string, text: string): void {
  const dir = dirname(file);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UserError(`--out ${file}: folder ${dir} does not exist`);
  if (existsSync(file) && statSync(file).isDirectory()) throw new UserError(`--out ${file} is a folder; give a file name`);
  const tmp = `${file}.tmp-${process.pid}`;
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

export function registerSplitCommands(program: Command): void {
  const split = program
    .command('split')
    .description('build a long-tailed training split (counts follow the LDAM-DRW convention), or take the training set as it is (--profile natural); `dive split export NAME` writes a saved one')
    // required, but checked in the action: commander would also demand them of `split export`
    .option('--dataset <name>', '(required)')
    .option('--name <name>', 'split name (required unless --preview)')
    .option('--profile <p>', `${PROFILES.join(', ')} (default ${SplitParamsSchema.shape.profile.parse(undefined)}); natural: every training image, the dataset's own counts (ImageNet-LT, iNaturalist)`)
    .option('--ratio <rho>', '(required for exp and step; a natural split has its own) imbalance ratio n_max / n_min, >= 1', number)
    .option('--max-per-class <n>', 'n_max (exp and step; default: the smallest class count of the training set)', integer)
    .option('--seed <n>', `sampling seed (default ${SplitParamsSchema.shape.seed.parse(undefined)})`, integer)
    .option('--class-order <order>', `${CLASS_ORDERS.join(' or ')} (default ${SplitParamsSchema.shape.classOrder.parse(undefined)})`)
    .option('--many <t>', `many-shot: more than t training images (default ${DEFAULT_THRESHOLDS.many})`, integer)
    .option('--few <t>', `few-shot: fewer than t training images (default ${DEFAULT_THRESHOLDS.few})`, integer)
    .option('--preview', 'print counts and statistics without saving')
    .action((o, cmd: Command) => {
      if (o.dataset === undefined) cmd.error("error: required option '--dataset <name>' not specified", { exitCode: 2 });
      if (o.ratio === undefined && o.profile !== 'natural') cmd.error("error: required option '--ratio <rho>' not specified", { exitCode: 2 });
      return withDispatcher(cmd, async (dispatcher) => {
        const req = {
          dataset: o.dataset, name: o.name ?? (o.preview ? 'preview' : undefined), profile: o.profile, ratio: o.ratio,
          maxPerClass: o.maxPerClass, seed: o.seed, classOrder: o.classOrder, many: o.many, few: o.few,
        };
        const names = (await dispatcher.call('getDataset', { name: o.dataset })).classNames;
        if (o.preview) {
          const p = await dispatcher.call('previewSplit', req);
          emit(globals(cmd), p, () => `preview (nothing saved)\n${describeCounts(p, names)}`);
        } else {
          const s = await dispatcher.call('createSplit', req);
          emit(globals(cmd), s, () => `split ${s.name} of ${s.dataset}: ${splitLine(s)}\n${describeCounts(s, names)}`);
        }
      });
    });

  split
    .command('export <name>')
    .description('write a saved split: json {name, dataset, counts, classNames, indices} (indices: 0-based into the dataset\'s training part), csv (class counts), or list ("path label" per image; folder, list and iNaturalist datasets)')
    .addOption(new Option('--format <f>', 'what to write').choices([...SPLIT_EXPORT_FORMATS]).makeOptionMandatory())
    .option('--out <file>', 'write to this file (replaced whole, never half-written); default: stdout')
    .action((name: string, o: { format: SplitExportFormat; out?: string }, cmd: Command) =>
      withDispatcher(cmd, async (dispatcher) => {
        const x = await dispatcher.call('exportSplit', { name, format: o.format });
        if (o.out === undefined) {
          // the file's text as is (with --json: the export with its text, one document)
          if (globals(cmd).json) emit(globals(cmd), x, () => '');
          else process.stdout.write(x.text);
          return;
        }
        const file = resolve(o.out);
        writeAtomically(file, x.text);
        emit(globals(cmd), { split: x.split, format: x.format, file, bytes: Buffer.byteLength(x.text) }, () => `wrote ${x.format} of split ${x.split} to ${file}`);
      }),
    );

  program
    .command('splits')
    .description('list splits')
    .option('--dataset <name>', 'only the splits of this dataset')
    .action((o, cmd: Command) =>
      withDispatcher(cmd, async (dispatcher) => {
        const list = await dispatcher.call('listSplits', { dataset: o.dataset });
        emit(globals(cmd), list, () =>
          list.length
            ? table(
                list.map((s) => [s.name, s.dataset, s.profile, s.ratio, s.maxPerClass, s.seed, s.total, `${s.groups.many.length}/${s.groups.medium.length}/${s.groups.few.length}`]),
                ['name', 'dataset', 'profile', 'rho', 'n_max', 'seed', 'images', 'many/med/few'],
              )
            : 'no splits yet: try `dive split --dataset NAME --name NAME --ratio 100` (or --profile natural)',
        );
      }),
    );
}
