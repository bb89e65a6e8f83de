import type { Command } from 'commander';
import { DEFAULT_THRESHOLDS, SplitParamsSchema } from '../../core/domain/split-schema';
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

export function registerSplitCommands(program: Command): void {
  program
    .command('split')
    .description('build a long-tailed training split (counts follow the LDAM-DRW convention), or take the training set as it is (--profile natural)')
    .requiredOption('--dataset <name>')
    .option('--name <name>', 'split name (required unless --preview)')
    .option('--profile <p>', `${PROFILES.join(', ')} (default ${SplitParamsSchema.shape.profile.parse(undefined)}); natural: every training image, the dataset's own counts (ImageNet-LT, iNaturalist)`)
    .option('--ratio <rho>', 'imbalance ratio n_max / n_min, >= 1 (exp and step; a natural split has its own)', number)
    .option('--max-per-class <n>', 'n_max (exp and step; default: the smallest class count of the training set)', integer)
    .option('--seed <n>', `sampling seed (default ${SplitParamsSchema.shape.seed.parse(undefined)})`, integer)
    .option('--class-order <order>', `${CLASS_ORDERS.join(' or ')} (default ${SplitParamsSchema.shape.classOrder.parse(undefined)})`)
    .option('--many <t>', `many-shot: more than t training images (default ${DEFAULT_THRESHOLDS.many})`, integer)
    .option('--few <t>', `few-shot: fewer than t training images (default ${DEFAULT_THRESHOLDS.few})`, integer)
    .option('--preview', 'print counts and statistics without saving')
    .action((o, cmd: Command) =>
      withDispatcher(cmd, async (dispatcher) => {
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

  program
    .command('delete <kind> <name>')
    .description('delete a dataset, split, run or study (with the runs built on it) and its files')
    .option('--cascade', 'also delete students on other splits distilled from its runs (they are listed)')
    .action((kind: string, name: string, o: { cascade?: boolean }, cmd: Command) =>
      withDispatcher(cmd, async (dispatcher) => {
        const args = { cascade: o.cascade };
        const del: Record<string, (n: string) => Promise<{ deletedRuns: string[] }>> = {
          dataset: (n) => dispatcher.call('deleteDataset', { name: n, ...args }),
          split: (n) => dispatcher.call('deleteSplit', { name: n, ...args }),
          run: (n) => dispatcher.call('deleteRun', { name: n, ...args }),
          // a study's own runs go with it (students before teachers)
          study: async (n) => ({ deletedRuns: (await dispatcher.call('deleteStudy', { name: n })).runs.map((r) => r.run) }),
        };
        const fn = del[kind];
        if (!fn) throw new UserError(`unknown kind "${kind}": use dataset, split, run or study`);
        const out = await fn(name);
        const also = out.deletedRuns.length ? ` and ${out.deletedRuns.length === 1 ? 'run' : 'runs'} ${out.deletedRuns.join(', ')}` : '';
        emit(globals(cmd), out, () => `deleted ${kind} ${name}${also}`);
      }),
    );
}
