import type { Command } from 'commander';
import { DEFAULT_THRESHOLDS, SplitParamsSchema } from '../../core/domain/split-schema';
import { CLASS_ORDERS, PROFILES, type SplitInfo } from '../../core/domain/types';
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

export function registerSplitCommands(program: Command): void {
  program
    .command('split')
    .description('build a long-tailed training split (counts follow the LDAM-DRW convention)')
    .requiredOption('--dataset <name>')
    .option('--name <name>', 'split name (required unless --preview)')
    .option('--profile <p>', `${PROFILES.join(' or ')} (default ${SplitParamsSchema.shape.profile.parse(undefined)})`)
    .requiredOption('--ratio <rho>', 'imbalance ratio n_max / n_min, >= 1', number)
    .option('--max-per-class <n>', 'n_max (default: the smallest class count of the training set)', integer)
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
          emit(globals(cmd), s, () => `split ${s.name} of ${s.dataset}: ${s.profile} profile, rho ${s.ratio}, n_max ${s.maxPerClass}, seed ${s.seed}\n${describeCounts(s, names)}`);
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
            : 'no splits yet: try `dive split --dataset NAME --name NAME --ratio 100`',
        );
      }),
    );
}
