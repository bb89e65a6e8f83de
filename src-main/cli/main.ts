import { Command, CommanderError } from 'commander';
import { describeError } from '../core/domain/describe-error';
import { registerDataCommands } from './commands/data';
import { registerRunCommands } from './commands/runs';
import { registerSplitCommands } from './commands/splits';
import { registerTrainCommands } from './commands/train';
import { registerServeCommand } from './commands/serve';
import { registerQueueCommands } from './commands/queue';
import { registerWorkerTokenCommands } from './commands/remote';
import { registerStudyCommands } from './commands/study';
import { registerBackendsCommand } from './commands/backends';
import { registerDoctorCommand } from './commands/doctor';
import { registerWeightsCommands } from './commands/weights';
import { registerTrashCommands } from './commands/trash';

export function buildProgram(): Command {
  const program = new Command('dive')
    .description('DiVE Workbench: long-tailed splits, DiVE distillation and baselines, run comparison')
    .option('--db <path>', 'database file (default: $DIVE_DB or the per-user data directory)')
    .option('--json', 'print exactly one JSON document on stdout (progress and logs go to stderr)')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  registerDataCommands(program);
  registerSplitCommands(program);
  registerTrainCommands(program);
  registerRunCommands(program);
  registerWeightsCommands(program);
  registerQueueCommands(program);
  registerWorkerTokenCommands(program);
  registerStudyCommands(program);
  registerServeCommand(program);
  registerBackendsCommand(program);
  registerDoctorCommand(program);
  registerTrashCommands(program);
  return program;
}

/** Runs the CLI; returns the exit code (0 ok, 1 error, 2 usage). */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  program.configureOutput({ writeErr: (s) => process.stderr.write(s) });
  if (argv.length === 0) {
    program.outputHelp();
    return 0;
  }
  try {
    await program.parseAsync(argv, { from: 'user' });
    // a command that printed its result but must still fail (dive doctor with problems left) sets exitCode
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      // help and version exit with 0; usage errors were already printed by commander
      return e.exitCode === 0 ? 0 : 2;
    }
    process.stderr.write(`dive: ${describeError(e)}\n`);
    if (process.env.DIVE_DEBUG && e instanceof Error) process.stderr.write(`${e.stack}\n`);
    return 1;
  }
}
