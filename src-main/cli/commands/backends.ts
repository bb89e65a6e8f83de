import type { Command, OptionValues } from 'commander';
import { UserError } from '../../core/domain/errors';
import { MODELS } from '../../core/domain/run-config';
import { PROBE_DEFAULTS } from '../../core/domain/run-requests';
import type { BackendsProbe, RungProbe } from '../../core/domain/types';
import { emit } from '../output';
import { globals, integer, number, withDispatcher } from '../options';

function rungLine(r: RungProbe, chosen: boolean): string {
  const mark = chosen ? '*' : ' ';
  if (!r.available) return `${mark} ${r.name.padEnd(15)} not available: ${r.reason}`;
  const speed = r.imagesPerSec !== undefined ? `, ${r.imagesPerSec.toFixed(1)} img/s over ${r.timedSteps} step${r.timedSteps === 1 ? '' : 's'}${r.includesWarmup ? ' (the warm-up step)' : ''}` : '';
  return `${mark} ${r.name.padEnd(15)} ${r.device?.toUpperCase()}, ${r.detail}${speed}`;
}

/** The probe as a user reads it: one line a rung, the chosen one starred. */
export function describeProbe(p: BackendsProbe): string {
  return [
    `${p.logicalCores} logical cores${p.rungs.some((r) => r.imagesPerSec !== undefined) ? `; timing ${p.model} on ${p.imageShape.join('x')}, batch ${p.batchSize}` : ''}`,
    ...p.rungs.map((r) => rungLine(r, r.name === p.chosen)),
    p.chosen ? `* runs without --backend use ${p.chosen}` : 'no backend can be loaded',
  ].join('\n');
}

function parseShape(s: string): [number, number, number] {
  const m = /^(\d+)x(\d+)x(\d+)$/.exec(s);
  if (!m) throw new UserError(`--shape: expected HxWxC such as 32x32x3, got "${s}"`);
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

/** The probe's flags; every default in the help is read from the domain package. */
export function registerBackendsCommand(program: Command): void {
  const d = PROBE_DEFAULTS;
  program
    .command('backends')
    .description('probe each compute backend now: available or why not, device, threads, and a few timed training steps')
    .option('--model <arch>', `model to time: ${MODELS.join(', ')} (default ${d.model})`)
    .option('--shape <HxWxC>', `input shape to time (default ${d.imageShape.join('x')})`)
    .option('--batch <n>', `batch size (default ${d.batchSize})`, integer)
    .option('--steps <n>', `timed steps per backend, after one warm-up step (default ${d.steps})`, integer)
    .option('--budget <seconds>', `stop timing a backend after this long (default ${d.budgetSeconds})`, number)
    .option('--threads <n>', 'wasm compute threads (default: one per logical core)', integer)
    .option('--allow-software-adapter', 'let webgpu use a software adapter (SwiftShader and the like)')
    .option('--no-time', 'only say what is available')
    .action(async (o: OptionValues, cmd: Command) => {
      const probe = await withDispatcher(cmd, (dsp) =>
        dsp.call('probeBackends', {
          model: o.model,
          imageShape: o.shape === undefined ? undefined : parseShape(String(o.shape)),
          batchSize: o.batch,
          steps: o.steps,
          budgetSeconds: o.budget,
          threads: o.threads,
          allowSoftwareAdapter: o.allowSoftwareAdapter,
          noTiming: o.time === false || undefined,
        }),
      );
      emit(globals(cmd), probe, () => describeProbe(probe));
    });
}
