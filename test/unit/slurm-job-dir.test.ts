// `--job-dir` (issue 23, item 7): a shared scratch folder (mode 1777) is where many users put their
// jobs; the workbench must not chmod it. Each submission gets its own sub-folder, created 0700 (it
// holds the worker token), and every existing folder keeps its mode.
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { it } from 'node:test';
import { makeJobDir } from '../../src-main/cli/commands/study-slurm';
import { tempDir } from '../helpers/cli';

const mode = (p: string) => statSync(p).mode & 0o7777;

it('creates the submission its own 0700 folder inside --job-dir and leaves a shared 1777 folder as it was', () => {
  const t = tempDir();
  try {
    const shared = join(t.dir, 'scratch');
    mkdirSync(shared);
    chmodSync(shared, 0o1777);
    const a = makeJobDir(shared, join(t.dir, 'data'), 'my study/1');
    const b = makeJobDir(shared, join(t.dir, 'data'), 'my study/1');
    assert.equal(mode(shared), 0o1777, 'the shared folder keeps its mode');
    for (const j of [a, b]) {
      assert.equal(relative(shared, join(j.dir, '..')), '', `${j.dir} is a sub-folder of --job-dir`);
      assert.equal(mode(j.dir), 0o700);
    }
    assert.notEqual(a.dir, b.dir, 'two submissions of one study in the same second get two folders');
    // a --job-dir that does not exist yet is created, private, with the submission's folder inside
    const fresh = makeJobDir(join(t.dir, 'new', 'jobs'), join(t.dir, 'data'), 's');
    assert.equal(mode(join(t.dir, 'new', 'jobs')), 0o700);
    assert.equal(mode(fresh.dir), 0o700);
    // without --job-dir: DATA_DIR/slurm/<study>-<time>, as before
    const dflt = makeJobDir(undefined, join(t.dir, 'data'), 's');
    assert.equal(relative(join(t.dir, 'data', 'slurm'), join(dflt.dir, '..')), '');
  } finally {
    t.cleanup();
  }
});
