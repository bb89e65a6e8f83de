// Weights in and out of the workbench on the command line: `dive export` in three formats,
// `dive predict` (a run on the user's own images) and `dive import-run` (a run trained elsewhere).
import type { Command } from 'commander';
import type { PredictResult } from '../../core/domain/contract';
import { UserError } from '../../core/domain/errors';
import { EXPORT_EXTENSIONS, EXPORT_FORMATS, type ExportFormat } from '../../core/domain/run-requests';
import { METHODS } from '../../core/domain/method';
import { emit, pct } from '../output';
import { globals, integer, withDispatcher } from '../options';
import { describeRun } from './runs';

/** Where an export goes when --out is left out: RUN/ (tfjs), RUN.onnx, RUN.safetensors in the current folder. */
export function defaultOut(run: string, format: ExportFormat): string {
  const stem = run.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+/, '') || 'run';
  return format === 'tfjs' ? stem : `${stem}${EXPORT_EXTENSIONS[format]}`;
}

export function describePredictions(r: PredictResult): string {
  const lines: string[] = [];
  for (const p of r.predictions) {
    if (p.top) lines.push(`${p.file}: ${p.top.map((t) => `${t.label} ${pct(t.p)}%`).join(', ')}`);
  }
  return lines.join('\n') || 'no image could be predicted';
}

export function registerWeightsCommands(program: Command): void {
  program
    .command('export <run>')
    .description('write a completed run\'s model: tfjs (a folder: model.json, weights.bin, run.json), onnx (one file, normalisation and softmax inside) or safetensors (PyTorch state_dict, docs/pytorch/models.py)')
    .option('--format <f>', `${EXPORT_FORMATS.join(', ')} (default tfjs)`)
    .option('--out <path>', 'tfjs: a new or empty folder; onnx, safetensors: a new file (default: RUN, RUN.onnx, RUN.safetensors here)')
    .option('--dir <dir>', 'tfjs: the folder (the same as --out)')
    .action((name: string, o, cmd: Command) =>
      withDispatcher(cmd, async (d) => {
        const format = (o.format ?? 'tfjs') as ExportFormat;
        if (!(EXPORT_FORMATS as readonly string[]).includes(format)) throw new UserError(`--format: ${String(o.format).slice(0, 40)} is not a format; use ${EXPORT_FORMATS.join(', ')}`);
        const out = await d.call('exportRun', { run: name, format, ...(o.dir ? { dir: o.dir } : { out: o.out ?? defaultOut(name, format) }) });
        emit(globals(cmd), out, () => (out.path ? `wrote ${out.path}` : `wrote ${out.files.join(', ')} to ${out.dir}`));
      }),
    );

  program
    .command('predict <run> <paths...>')
    .description('the top classes a completed run gives image files (or every image in a folder), decoded as the importers decode them')
    .option('--top <k>', 'classes per image (default 5)', integer)
    .action((name: string, paths: string[], o, cmd: Command) =>
      withDispatcher(cmd, async (d) => {
        const r = await d.call('predict', { run: name, files: paths, top: o.top });
        // an image that could not be read: one line each on stderr; the others are still predicted
        for (const p of r.predictions) if (p.error) process.stderr.write(`dive: ${p.error}\n`);
        emit(globals(cmd), r, () => describePredictions(r));
        if (r.predictions.some((p) => p.error)) process.exitCode = 1;
      }),
    );

  program
    .command('import-run <file>')
    .description('register a model trained elsewhere (a safetensors file with PyTorch state_dict names) as a completed run of a split, evaluated on its test set; usable as a kd / dive teacher')
    .requiredOption('--split <name>', 'the split it was trained on (its dataset gives the classes and the test set)')
    .requiredOption('--name <name>', 'the new run\'s name')
    .option('--method <m>', `the loss it was trained with: ${METHODS.join(', ')} (default bsce, the DiVE teacher's)`)
    .action((file: string, o, cmd: Command) =>
      withDispatcher(cmd, async (d) => {
        const run = await d.call('importRun', { file, split: o.split, name: o.name, method: o.method });
        emit(globals(cmd), run, () => describeRun(run));
      }),
    );
}
