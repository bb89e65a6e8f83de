// `npm run bench:memory -- --case stream`: memory that does not grow with the dataset. Generates a
// long-tailed dataset whose pixels are larger than a memory budget (--budget-mb, default 512 MB;
// Node, TF.js and its wasm heap take about 300 MB before any data; pixels --pixels-mb, default
// twice the budget), takes its natural split, trains one run through the worker's data path in a
// child process and prints its peak RSS against the pixel bytes (and, with --compare gather, the
// same run with the split gathered into memory as before issue 25). Figures to read; the line says
// whether the streamed run stayed within the budget.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { UserError } from '../../src-main/core/domain/errors';
import { createSplit } from '../../src-main/core/store/splits';
import { openStore } from '../../src-main/core/store/store';
import { addGeneratedDataset, longTail } from '../helpers/many-classes';

const MB = 1024 * 1024;

export async function streamCase(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      case: { type: 'string' },
      'budget-mb': { type: 'string', default: '512' },
      'pixels-mb': { type: 'string' },
      classes: { type: 'string', default: '1000' },
      size: { type: 'string', default: '32' },
      model: { type: 'string', default: 'mlp' },
      epochs: { type: 'string', default: '1' },
      batch: { type: 'string', default: '256' },
      backend: { type: 'string', default: 'wasm' },
      compare: { type: 'string' },
    },
  });
  if (values.case !== 'stream') throw new UserError(`--case: unknown case '${values.case}' (use stream)`);
  const budget = Number(values['budget-mb']);
  const pixelsMb = values['pixels-mb'] === undefined ? 2 * budget : Number(values['pixels-mb']);
  const classes = Number(values.classes);
  const size = Number(values.size);
  for (const [k, v] of [['budget-mb', budget], ['pixels-mb', pixelsMb], ['classes', classes], ['size', size]] as const) {
    if (!(Number.isInteger(v) && v > 0)) throw new UserError(`--${k}: must be a whole number > 0`);
  }
  const shape: [number, number, number] = [size, size, 3];
  const img = size * size * 3;
  // test: 5 per class (a balanced test set, as ImageNet-LT's has 50); training fills the rest of the bytes
  const testPerClass = 5;
  const trainImages = Math.max(classes, Math.floor((pixelsMb * MB) / img) - classes * testPerClass);
  // a long tail from max down to 5 scaled so the training set has about trainImages images
  const shapeOf = longTail(classes, 1000, 5);
  const raw = Array.from({ length: classes }, (_, c) => shapeOf(c));
  const scale = trainImages / raw.reduce((a, b) => a + b, 0);
  const counts = raw.map((n) => Math.max(1, Math.round(n * scale)));

  const dir = mkdtempSync(join(tmpdir(), 'dive-memory-stream-'));
  try {
    const db = join(dir, 'dive.sqlite');
    const data = join(dir, 'data');
    const store = openStore({ db, dataDir: data });
    const t0 = performance.now();
    const ds = addGeneratedDataset(store, 'big', { classes, trainCount: (c) => counts[c], testPerClass, shape });
    createSplit(store, { dataset: 'big', name: 'big-natural', profile: 'natural' });
    store.close();
    const trainBytes = ds.train.total * img;
    const testBytes = ds.test.total * img;
    process.stdout.write(
      `generated ${ds.numClasses} classes, ${ds.train.total} training images (${counts[0]} to ${counts[counts.length - 1]} a class) and ${ds.test.total} test images of ${shape.join('x')} ` +
        `in ${((performance.now() - t0) / 1000).toFixed(1)} s: pixels ${(trainBytes / MB).toFixed(0)} MB + ${(testBytes / MB).toFixed(0)} MB; memory budget ${budget} MB\n`,
    );
    const here = dirname(fileURLToPath(import.meta.url));
    const modes = ['stream', ...(values.compare === 'gather' ? ['gather'] : [])];
    const rows: string[][] = [];
    for (const mode of modes) {
      const out = execFileSync(process.execPath, ['--import', 'tsx', join(here, 'memory-stream-child.ts'), '--db', db, '--data', data, '--split', 'big-natural', '--mode', mode, '--model', values.model!, '--epochs', values.epochs!, '--batch', values.batch!, '--backend', values.backend!], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
      const r = JSON.parse(out.trim().split('\n').pop()!) as { peakRssMb: number; seconds: number; top1: number };
      rows.push([mode === 'stream' ? 'read from the pixel file (now)' : 'gathered into memory (before)', ((trainBytes + testBytes) / MB).toFixed(0), r.peakRssMb.toFixed(0), (r.peakRssMb / ((trainBytes + testBytes) / MB)).toFixed(2), r.seconds.toFixed(1), (r.top1 * 100).toFixed(2)]);
      if (mode === 'stream') process.stdout.write(`streamed run: peak RSS ${r.peakRssMb.toFixed(0)} MB ${r.peakRssMb <= budget ? 'within' : 'ABOVE'} the ${budget} MB budget, for ${((trainBytes + testBytes) / MB).toFixed(0)} MB of pixels\n`);
    }
    const head = ['data path', 'pixel MB', 'peak RSS MB', 'RSS / pixels', 'train+eval s', 'top-1 %'];
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    const line = (c: string[]) => c.map((x, i) => (i ? x.padStart(widths[i]) : x.padEnd(widths[i]))).join('  ');
    process.stdout.write(`\n${[line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n')}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
