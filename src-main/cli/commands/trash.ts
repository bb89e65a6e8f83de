// `dive delete KIND NAME [--cascade] [--dry-run]` and `dive trash list|restore|empty`: a delete moves
// what it takes into the trash (a refusal names all of it), a restore brings an entry back whole,
// emptying removes rows and files for good.
import type { Command } from 'commander';
import { TRASH_KINDS, type DeletePlan, type Deleted, type TrashEntry, type TrashKind } from '../../core/domain/trash-types';
import { UserError } from '../../core/domain/errors';
import type { Dispatcher } from '../../core/app/dispatch';
import { emit, table } from '../output';
import { globals, withDispatcher } from '../options';

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
const list = (xs: readonly string[]) => xs.join(', ');

function del(d: Dispatcher, kind: TrashKind, name: string, cascade: boolean): Promise<Deleted & { name: string }> {
  switch (kind) {
    case 'dataset':
      return d.call('deleteDataset', { name, cascade });
    case 'split':
      return d.call('deleteSplit', { name, cascade });
    case 'run':
      return d.call('deleteRun', { name, cascade });
    case 'study':
      return d.call('deleteStudy', { name, cascade });
  }
}

/** What a delete would take, a line per kind: the --dry-run answer. */
export function describePlan(p: DeletePlan): string {
  const lines = [`deleting ${p.kind} ${p.name} would move to the trash:`];
  if (p.splits.length) lines.push(`  splits:  ${list(p.splits)}`);
  if (p.studies.length) lines.push(`  studies: ${list(p.studies)}`);
  if (p.runs.length) lines.push(`  runs:    ${list(p.runs.map((r) => `${r.name}${r.student ? ` (student, on ${r.split})` : ''}`))}`);
  if (p.notes) lines.push(`  tags and notes of ${p.notes} run(s) or stud(ies)`);
  for (const s of p.studiesLosingRuns) lines.push(`  study ${s.study} stays but loses ${list(s.runs)} (\`dive study run ${s.study}\` would train ${s.runs.length === 1 ? 'it' : 'them'} again)`);
  if (p.queued.length) lines.push(`  queued runs taken off the queue: ${list(p.queued)}`);
  lines.push(`  data files: ${mb(p.bytes)} (removed when the trash is emptied)`);
  if (p.running.length) lines.push(`refused while ${list(p.running)} ${p.running.length === 1 ? 'runs' : 'run'}: cancel first`);
  else if (p.needsCascade) lines.push('it takes more than the thing named: add --cascade to delete');
  return lines.join('\n');
}

/** The entry `ref` names: its id, or the name it was deleted by when exactly one entry has it. */
async function entryId(d: Dispatcher, ref: string): Promise<number> {
  if (/^\d+$/.test(ref.trim())) return Number(ref);
  const hits = (await d.call('listTrash', undefined)).filter((e) => e.name === ref);
  if (hits.length === 1) return hits[0].id;
  if (!hits.length) throw new UserError(`nothing named "${ref}" is in the trash (see \`dive trash list\`)`);
  throw new UserError(`${hits.length} trash entries are named "${ref}" (${hits.map((h) => `${h.id}: ${h.kind}`).join(', ')}); give the id`);
}

function entryLine(e: TrashEntry): (string | number)[] {
  const holds = [
    e.datasets.length && `${e.datasets.length} dataset${e.datasets.length === 1 ? '' : 's'}`,
    e.splits.length && `${e.splits.length} split${e.splits.length === 1 ? '' : 's'}`,
    e.studies.length && `${e.studies.length} stud${e.studies.length === 1 ? 'y' : 'ies'}`,
    e.runs.length && `${e.runs.length} run${e.runs.length === 1 ? '' : 's'}`,
  ].filter(Boolean);
  return [e.id, e.kind, e.name, e.deletedAt.replace('T', ' ').slice(0, 19), holds.join(', '), mb(e.bytes), e.needs.length ? `restore ${[...new Set(e.needs.map((n) => n.id))].join(', ')} first` : ''];
}

export function registerTrashCommands(program: Command): void {
  program
    .command('delete <kind> <name>')
    .description('move a dataset, split, run or study to the trash (`dive trash restore` brings it back)')
    .option('--cascade', 'also take what it holds or teaches: runs, studies, splits, students on other splits (all listed without it)')
    .option('--dry-run', 'print what it would take, and change nothing')
    .action((kind: string, name: string, o: { cascade?: boolean; dryRun?: boolean }, cmd: Command) =>
      withDispatcher(cmd, async (d) => {
        const k = TRASH_KINDS.find((x) => x === kind);
        if (!k) throw new UserError(`unknown kind "${kind}": use ${TRASH_KINDS.join(', ')}`);
        if (o.dryRun) {
          const plan = await d.call('planDelete', { kind: k, name });
          return emit(globals(cmd), plan, () => describePlan(plan));
        }
        const out = await del(d, k, name, o.cascade ?? false);
        const also = [
          out.deletedSplits.length && `splits ${list(out.deletedSplits)}`,
          out.deletedStudies.length && `studies ${list(out.deletedStudies)}`,
          out.deletedRuns.length && `${out.deletedRuns.length === 1 ? 'run' : 'runs'} ${list(out.deletedRuns)}`,
        ].filter(Boolean);
        emit(globals(cmd), out, () => `moved ${kind} ${name}${also.length ? ` and ${also.join(', ')}` : ''} to the trash (entry ${out.trashId}; \`dive trash restore ${out.trashId}\` brings it back)`);
      }, { slots: 0 }),
    );

  const trash = program.command('trash').description('what was deleted: list, restore, or empty it for good');
  trash
    .command('list')
    .description('every trash entry, newest first: what it holds, its size, and what must be restored first')
    .action((_o, cmd: Command) =>
      withDispatcher(cmd, async (d) => {
        const entries = await d.call('listTrash', undefined);
        emit(globals(cmd), entries, () =>
          entries.length
            ? `${table(entries.map(entryLine), ['id', 'kind', 'name', 'deleted (UTC)', 'holds', 'files', ''])}\n${entries.length} entr${entries.length === 1 ? 'y' : 'ies'}, ${mb(entries.reduce((s, e) => s + e.bytes, 0))}; \`dive trash empty\` removes ${entries.length === 1 ? 'it' : 'them'} for good`
            : 'the trash is empty',
        );
      }, { slots: 0 }),
    );
  trash
    .command('restore <entry>')
    .description('bring a trash entry (its id, or the name it was deleted by) back whole')
    .option('--rename', 'give names a new dataset, split, run or study has taken meanwhile a -restored suffix')
    .action((ref: string, o: { rename?: boolean }, cmd: Command) =>
      withDispatcher(cmd, async (d) => {
        const out = await d.call('restoreTrash', { id: await entryId(d, ref), rename: o.rename });
        const e = out.entry;
        const lines = [`restored ${e.kind} ${e.name}${e.runs.length ? ` with ${e.runs.length} run${e.runs.length === 1 ? '' : 's'}` : ''}`];
        for (const r of out.renamed) lines.push(`  ${r.kind} ${r.from} is now ${r.to} (a new ${r.kind} has its name)`);
        for (const x of out.detached) lines.push(`  run ${x.run} is back outside study ${x.study} (a new run took its place there)`);
        emit(globals(cmd), out, () => lines.join('\n'));
      }, { slots: 0 }),
    );
  trash
    .command('empty [entries...]')
    .description('remove trash entries (ids or names; all of them when none is given) and their files for good')
    .action((refs: string[], _o, cmd: Command) =>
      withDispatcher(cmd, async (d) => {
        const ids = refs.length ? await Promise.all(refs.map((r) => entryId(d, r))) : undefined;
        const out = await d.call('emptyTrash', ids ? { ids } : undefined);
        const asked = new Set(ids ?? out.emptied.map((e) => e.id));
        const extra = out.emptied.filter((e) => !asked.has(e.id));
        emit(globals(cmd), out, () =>
          out.emptied.length
            ? `removed ${out.emptied.length} trash entr${out.emptied.length === 1 ? 'y' : 'ies'} for good (${mb(out.bytes)})${extra.length ? `, with ${list(extra.map((e) => `${e.id} (${e.kind} ${e.name})`))}, which depended on what was removed` : ''}`
            : 'the trash was already empty',
        );
      }, { slots: 0 }),
    );
}
