import type { Command } from 'commander';
import type { BackendsProbe, RungProbe } from '../../core/train/probe';
import type { ModelKind } from '../../core/train/config';
import { UserError } from '../../core/errors';
import { MODELS } from '../../core/train/config';
import { emit } from '../output';
import { globals, integer, number } from '../options';

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

export function registerBackendsCommand(program: Command): void {
  program
    .command('backends')
    .description('probe each compute backend now: available or why not, device, threads, and a few timed training steps')
    .option('--model <arch>', 'model to time (mlp, cnn, resnet8, resnet20, resnet32)', 'cnn')
    .option('--shape <HxWxC>', 'input shape to time', '32x32x3')
    .option('--batch <n>', 'batch size', integer, 32)
    .option('--steps <n>', 'timed steps per backend (after one warm-up step)', integer, 3)
    .option('--budget <seconds>', 'stop timing a backend after this long', number, 5)
    .option('--threads <n>', 'wasm compute threads (default: one per logical core)', integer)
    .option('--allow-software-adapter', 'let webgpu use a software adapter (SwiftShader and the like)')
    .option('--no-time', 'only say what is available')
    .action(async (o: Record<string, unknown>, cmd: Command) => {
      if (!MODELS.includes(o.model as ModelKind)) throw new UserError(`--model: unknown model "${String(o.model)}" (use one of ${MODELS.join(', ')})`);
      const { probeBackends } = await import('../../core/train/probe');
      const probe = await probeBackends({
        model: o.model as ModelKind,
        imageShape: parseShape(String(o.shape)),
        batchSize: o.batch as number,
        steps: o.steps as number,
        budgetSeconds: o.budget as number,
        threads: o.threads as number | undefined,
        allowSoftwareAdapter: o.allowSoftwareAdapter === true || undefined,
        noTiming: o.time === false,
      });
      emit(globals(cmd), probe, () => describeProbe(probe));
    });
}
