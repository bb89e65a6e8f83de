import type { Command } from 'commander';
import type { DoctorReport } from '../../core/domain/types';
import { emit } from '../output';
import { globals, withDispatcher } from '../options';

function describeReport(r: DoctorReport, fix: boolean): string {
  const lines = [`checked ${r.blobsChecked} data files (${(r.bytesChecked / 1e6).toFixed(1)} MB) in ${r.dataDir} against ${r.dbPath}`];
  for (const p of r.problems) lines.push(`${p.fixed ? 'fixed  ' : 'PROBLEM'} ${p.kind}: ${p.path}: ${p.detail}`);
  if (r.trash.entries) lines.push(`the trash holds ${r.trash.entries} entr${r.trash.entries === 1 ? 'y' : 'ies'} (${(r.trash.bytes / 1e6).toFixed(1)} MB of data files): \`dive trash list\`, \`dive trash empty\``);
  if (r.problems.length === 0) lines.push('no problems: every row has its file and every file its row');
  else if (r.unresolved === 0) lines.push('everything found was repaired');
  else lines.push(`${r.unresolved} problem${r.unresolved === 1 ? '' : 's'} left${fix ? '' : '; `dive doctor --fix` repairs what can be repaired without losing data'}`);
  return lines.join('\n');
}

export function registerDoctorCommand(program: Command): void {
  program
    .command('doctor')
    .description('check every data file against its row (size, SHA-256) and every file against a row; --fix repairs')
    .option('--fix', 'remove orphan and stray files and what an interrupted emptying of the trash left, mark runs of dead workers interrupted (the trash itself is kept)')
    .action((o: { fix?: boolean }, cmd: Command) =>
      withDispatcher(cmd, async (dispatcher) => {
        const report = await dispatcher.call('doctor', { fix: o.fix });
        emit(globals(cmd), report, () => describeReport(report, o.fix ?? false));
        // a problem left is a failure for scripts; the report is already printed
        if (report.unresolved > 0) process.exitCode = 1;
      }),
    );
}
