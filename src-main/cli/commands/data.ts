import type { Command } from 'commander';
import type { Args } from '../../core/domain/contract';
import { DOWNLOAD_TIMEOUT_SECONDS, DOWNLOADS } from '../../core/domain/downloads';
import type { DatasetInfo } from '../../core/domain/types';
import { emit, fmt, stderrProgress, table } from '../output';
import { globals, integer, number, withDispatcher } from '../options';

function describeDataset(d: DatasetInfo): string {
  const [h, w, c] = d.imageShape;
  const s = d.stats;
  const head = [
    `dataset ${d.name} (#${d.id}, ${d.format})`,
    `images   ${h}x${w}x${c}, ${d.numClasses} classes, train ${d.train.total}, test ${d.test.total}`,
    `train    imbalance ${s.imbalanceRatio == null ? '-' : fmt(s.imbalanceRatio, 2)}, Gini ${fmt(s.gini)}, normalised entropy ${fmt(s.normalizedEntropy)}`,
    '',
  ].join('\n');
  const rows = d.classNames.map((n, i) => [i, n, d.train.counts[i], d.test.counts[i]]);
  return head + table(rows, ['class', 'name', 'train', 'test']);
}

function datasetRow(d: DatasetInfo): (string | number)[] {
  return [d.name, d.format, d.imageShape.join('x'), d.numClasses, d.train.total, d.test.total, d.stats.imbalanceRatio == null ? '-' : fmt(d.stats.imbalanceRatio, 1)];
}

/** Each `dive import <format>` maps its flags onto one ImportRequest of the API contract. */
export function registerDataCommands(program: Command): void {
  const imp = program.command('import').description('import a dataset (decoded once into the data directory)');

  // flags become the request as given: the call table's schema validates it, naming the field
  const run = (cmd: Command, request: Args<'importDataset'>['request']) =>
    withDispatcher(cmd, async (dispatcher) => {
      const progress = stderrProgress();
      const off = dispatcher.subscribe((e) => {
        if (e.type === 'progress') progress(e);
      });
      try {
        const d = await dispatcher.call('importDataset', { request });
        progress.stop();
        emit(globals(cmd), d, () => `imported\n${describeDataset(d)}`);
      } finally {
        off();
        progress.stop();
      }
    });

  imp
    .command('idx')
    .description('MNIST-style IDX files (gzipped or raw)')
    .requiredOption('--name <name>', 'dataset name')
    .requiredOption('--train-images <file>').requiredOption('--train-labels <file>')
    .requiredOption('--test-images <file>').requiredOption('--test-labels <file>')
    .option('--class-names <names>', 'comma-separated class names (default 0..C-1)')
    .option('--allow-empty-classes', 'with --class-names: accept classes without training images')
    .action((o, cmd: Command) =>
      run(cmd, {
        format: 'idx', name: o.name, trainImages: o.trainImages, trainLabels: o.trainLabels, testImages: o.testImages, testLabels: o.testLabels,
        classNames: o.classNames ? String(o.classNames).split(',').map((s) => s.trim()) : undefined,
        allowEmptyClasses: o.allowEmptyClasses,
      }),
    );

  imp
    .command('cifar')
    .description('CIFAR-10 or CIFAR-100 binary version')
    .requiredOption('--name <name>').requiredOption('--dir <dir>', 'folder with data_batch_*.bin/test_batch.bin or train.bin/test.bin')
    .action((o, cmd: Command) => run(cmd, { format: 'cifar', name: o.name, dir: o.dir }));

  imp
    .command('folder')
    .description('one sub-folder per class of JPEG / PNG / WebP images')
    .requiredOption('--name <name>').requiredOption('--train <dir>')
    .option('--test <dir>', 'separate test folder (else a seeded stratified hold-out)')
    .option('--size <px>', 'square side images are resized to', integer)
    .option('--channels <n>', '1 or 3', integer)
    .option('--test-fraction <f>', 'hold-out fraction when there is no --test', number)
    .option('--seed <n>', 'seed of the hold-out', integer)
    .action((o, cmd: Command) =>
      run(cmd, { format: 'folder', name: o.name, train: o.train, test: o.test, size: o.size, channels: o.channels, testFraction: o.testFraction, seed: o.seed }),
    );

  imp
    .command('list')
    .description('ImageNet-LT / Places-LT list files ("relative/path label" per line)')
    .requiredOption('--name <name>').requiredOption('--root <dir>')
    .requiredOption('--train-list <file>').requiredOption('--test-list <file>')
    .option('--class-names <file>', 'file with one class name per line')
    .option('--allow-empty-classes', 'with --class-names: accept classes without training images')
    .option('--size <px>', 'square side images are resized to', integer)
    .option('--channels <n>', '1 or 3', integer)
    .action((o, cmd: Command) =>
      run(cmd, {
        format: 'list', name: o.name, root: o.root, trainList: o.trainList, testList: o.testList, classNamesFile: o.classNames,
        allowEmptyClasses: o.allowEmptyClasses, size: o.size, channels: o.channels,
      }),
    );

  imp
    .command('inat')
    .description('iNaturalist 2018/2019 JSON (COCO-style)')
    .requiredOption('--name <name>').requiredOption('--root <dir>')
    .requiredOption('--train-json <file>').requiredOption('--test-json <file>')
    .option('--size <px>', 'square side images are resized to', integer)
    .option('--channels <n>', '1 or 3', integer)
    .action((o, cmd: Command) =>
      run(cmd, { format: 'inat', name: o.name, root: o.root, trainJson: o.trainJson, testJson: o.testJson, size: o.size, channels: o.channels }),
    );

  const downloadOptions = (c: Command) =>
    c
      .option('--download', 'fetch the published files (checked against their MD5s) into --dir or the download cache')
      .option('--mirror <url>', 'fetch from URL/<dataset>/<file> instead of the official address (default: $DIVE_DATASET_MIRROR)')
      .option('--timeout <seconds>', `give up an attempt when no data arrives for this long (default ${DOWNLOAD_TIMEOUT_SECONDS})`, number);
  const downloadFlags = (o: { download?: boolean; mirror?: string; timeout?: number }) => ({ download: Boolean(o.download), mirror: o.mirror, timeoutSeconds: o.timeout });

  downloadOptions(
    imp
      .command('fashion-mnist')
      .description('Fashion-MNIST from Debian\'s dataset-fashion-mnist, --dir, or --download, with its class names')
      .option('--name <name>', 'dataset name', 'fashion-mnist')
      .option('--dir <dir>', 'folder with the four IDX files'),
  ).action((o, cmd: Command) => run(cmd, { format: 'fashion-mnist', name: o.name, dir: o.dir, ...downloadFlags(o) }));

  for (const e of DOWNLOADS.filter((d) => d.id !== 'fashion-mnist')) {
    downloadOptions(
      imp
        .command(e.id)
        .description(`${e.title} (${e.images}): --download fetches ${e.files.length === 1 ? e.files[0].name : 'its four IDX gzips'}, about ${e.approxMB} MB`)
        .option('--name <name>', 'dataset name', e.id)
        .option('--dir <dir>', e.kind === 'idx' ? 'folder with the four IDX files' : `folder with ${e.files[0].name} or its unpacked binary batches`),
    ).action((o, cmd: Command) => run(cmd, { format: e.id, name: o.name, dir: o.dir, ...downloadFlags(o) }));
  }

  program
    .command('datasets')
    .description('list datasets')
    .action((_o, cmd: Command) =>
      withDispatcher(cmd, async (dispatcher) => {
        const list = await dispatcher.call('listDatasets', undefined);
        emit(globals(cmd), list, () =>
          list.length ? table(list.map(datasetRow), ['name', 'format', 'shape', 'classes', 'train', 'test', 'rho']) : 'no datasets yet: try `dive import fashion-mnist` (Debian\'s copy) or `dive import cifar10 --download`',
        );
      }),
    );

  program
    .command('dataset <name>')
    .description('show a dataset with its class statistics')
    .action((name: string, _o, cmd: Command) =>
      withDispatcher(cmd, async (dispatcher) => {
        const d = await dispatcher.call('getDataset', { name });
        emit(globals(cmd), d, () => describeDataset(d));
      }),
    );
}
