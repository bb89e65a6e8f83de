// `dive delete` and `dive trash` through the real CLI (issue 22, item 1): a delete that would take
// more than the thing named is refused with exit 1 naming every run and study; --dry-run lists it;
// --cascade moves it all into one trash entry, which `dive trash list` shows, `dive trash restore`
// brings back (refusing, then renaming, names taken meanwhile) and `dive trash empty` removes.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, it } from 'node:test';
import Database from 'better-sqlite3';
import type { TrashEntry } from '../../src-main/core/domain/trash-types';
import { dive, tempDir } from '../helpers/cli';
import { writeIdxDataset } from '../helpers/fixtures';

const t = tempDir();
after(() => t.cleanup());

it('refuses, lists, cascades into the trash, restores and empties', () => {
  const db = join(t.dir, 'dive.sqlite');
  const f = writeIdxDataset(join(t.dir, 'idx'), { trainLabels: [0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2], testLabels: [0, 1, 2] });
  assert.equal(dive(db, ['import', 'idx', '--name', 'd', '--train-images', f.trainImages, '--train-labels', f.trainLabels, '--test-images', f.testImages, '--test-labels', f.testLabels]).code, 0);
  for (const s of ['s1', 's2']) assert.equal(dive(db, ['split', '--dataset', 'd', '--name', s, '--ratio', '2', '--max-per-class', '4']).code, 0);
  // finished runs, as training would leave them: teacher T on s1, student S on s2, with a note
  const raw = new Database(db);
  raw.prepare(`INSERT INTO runs (id, name, split_id, method, model, config, status, dir) VALUES (1, 'T', 1, 'bsce', 'mlp', '{"method":"bsce","model":"mlp"}', 'completed', 'runs/T-1')`).run();
  raw.prepare(`INSERT INTO runs (name, split_id, teacher_id, method, model, config, status, dir) VALUES ('S', 2, 1, 'dive', 'mlp', '{"method":"dive","model":"mlp"}', 'completed', 'runs/S-1')`).run();
  raw.prepare(`INSERT INTO run_notes (run_id, note) VALUES (2, 'the good one')`).run();
  raw.close();
  const folder = join(t.dir, 'data', 'runs', 'S-1');
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, 'weights.bin'), 'w');

  const refused = dive(db, ['delete', 'split', 's1']);
  assert.equal(refused.code, 1);
  assert.equal(refused.stderr, 'dive: deleting split "s1" would also take 2 runs ("T", "S"), 1 of them a student distilled from its runs ("S"), with the tags and notes of 1; add --cascade to move it all to the trash (`dive trash restore` brings it back), or delete them first\n');
  const dry = dive(db, ['delete', 'split', 's1', '--dry-run']);
  assert.equal(dry.code, 0, dry.stderr);
  assert.equal(dry.stdout, [
    'deleting split s1 would move to the trash:', '  splits:  s1', '  runs:    T, S (student, on s2)', '  tags and notes of 1 run(s) or stud(ies)',
    '  data files: 0.0 MB (removed when the trash is emptied)', 'it takes more than the thing named: add --cascade to delete', '',
  ].join('\n'));
  const done = dive(db, ['delete', 'split', 's1', '--cascade']);
  assert.equal(done.code, 0, done.stderr);
  assert.equal(done.stdout, 'moved split s1 and runs T, S to the trash (entry 1; `dive trash restore 1` brings it back)\n');
  assert.deepEqual(dive(db, ['runs', '--json']).json(), []);
  assert.ok(existsSync(folder), 'files stay while in the trash');
  const list = dive(db, ['trash', 'list', '--json']).json() as TrashEntry[];
  assert.deepEqual(list.map((e) => [e.id, e.kind, e.name, e.splits, e.runs, e.notes]), [[1, 'split', 's1', ['s1'], ['T', 'S'], 1]]);
  assert.match(dive(db, ['trash', 'list']).stdout, /^id\s+kind\s+name\s+deleted \(UTC\)\s+holds\s+files\n[- ]+\n1\s+split\s+s1\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\s+1 split, 2 runs\s+0\.0 MB\n1 entry, 0\.0 MB; `dive trash empty` removes it for good\n$/);
  assert.match(dive(db, ['doctor']).stdout, /the trash holds 1 entry \(0\.0 MB of data files\)/);

  // a new split took the name: the restore says so and changes nothing, --rename restores it beside
  assert.equal(dive(db, ['split', '--dataset', 'd', '--name', 's1', '--ratio', '2', '--max-per-class', '4']).code, 0);
  const clash = dive(db, ['trash', 'restore', 's1']);
  assert.equal(clash.code, 1);
  assert.equal(clash.stderr, 'dive: cannot restore trash entry 1 (split "s1"): a new split is named "s1"; restore with --rename to give what clashes a -restored suffix (`dive trash restore 1 --rename`), or delete the new ones first\n');
  const back = dive(db, ['trash', 'restore', '1', '--rename']);
  assert.equal(back.code, 0, back.stderr);
  assert.equal(back.stdout, 'restored split s1 with 2 runs\n  split s1 is now s1-restored (a new split has its name)\n');
  assert.deepEqual((dive(db, ['runs', '--json']).json() as { name: string; split: string }[]).map((r) => [r.name, r.split]), [['T', 's1-restored'], ['S', 's2']]);
  assert.equal(dive(db, ['trash', 'list']).stdout, 'the trash is empty\n');

  // the student alone, then for good
  assert.equal(dive(db, ['delete', 'run', 'S']).code, 0);
  const gone = dive(db, ['trash', 'empty']);
  assert.equal(gone.code, 0, gone.stderr);
  assert.match(gone.stdout, /^removed 1 trash entry for good \(0\.0 MB\)\n$/);
  assert.equal(existsSync(folder), false);
  assert.deepEqual((dive(db, ['runs', '--json']).json() as { name: string }[]).map((r) => r.name), ['T']);
  const unknown = dive(db, ['trash', 'restore', 'nothing']);
  assert.equal(unknown.code, 1);
  assert.equal(unknown.stderr, 'dive: nothing named "nothing" is in the trash (see `dive trash list`)\n');
});
