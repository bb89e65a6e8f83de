// `dive delete` through the real CLI (issue 13, item 2): a split holding the teacher of a student on
// another split is refused with exit 1 naming the student; --cascade deletes both and lists them.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, it } from 'node:test';
import Database from 'better-sqlite3';
import { dive, tempDir } from '../helpers/cli';
import { writeIdxDataset } from '../helpers/fixtures';

const t = tempDir();
after(() => t.cleanup());

it('refuses, then cascades, naming the runs', () => {
  const db = join(t.dir, 'dive.sqlite');
  const f = writeIdxDataset(join(t.dir, 'idx'), { trainLabels: [0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2], testLabels: [0, 1, 2] });
  assert.equal(dive(db, ['import', 'idx', '--name', 'd', '--train-images', f.trainImages, '--train-labels', f.trainLabels, '--test-images', f.testImages, '--test-labels', f.testLabels]).code, 0);
  for (const s of ['s1', 's2']) assert.equal(dive(db, ['split', '--dataset', 'd', '--name', s, '--ratio', '2', '--max-per-class', '4']).code, 0);
  // finished runs, as training would leave them: teacher T on s1, student S on s2
  const raw = new Database(db);
  raw.prepare(`INSERT INTO runs (id, name, split_id, method, model, config, status, dir) VALUES (1, 'T', 1, 'bsce', 'mlp', '{}', 'completed', 'runs/T-1')`).run();
  raw.prepare(`INSERT INTO runs (name, split_id, teacher_id, method, model, config, status, dir) VALUES ('S', 2, 1, 'dive', 'mlp', '{}', 'completed', 'runs/S-1')`).run();
  raw.close();
  const refused = dive(db, ['delete', 'split', 's1']);
  assert.equal(refused.code, 1);
  assert.equal(refused.stderr, 'dive: split "s1" holds the teacher of "S", distilled from it; delete that run first, or add --cascade to delete it too\n');
  const done = dive(db, ['delete', 'split', 's1', '--cascade']);
  assert.equal(done.code, 0, done.stderr);
  assert.equal(done.stdout, 'deleted split s1 and runs T, S\n');
  assert.deepEqual(dive(db, ['runs', '--json']).json(), []);
});
