// The foundation issue end to end through the real CLI: Debian's Fashion-MNIST in, an rho = 100 split out.
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { dive, tempDir } from '../helpers/cli';

const FMNIST = '/usr/share/datasets/fashion-mnist';

describe('dive CLI on the real Fashion-MNIST', () => {
  assert.ok(existsSync(FMNIST), `${FMNIST} is missing: apt-get install dataset-fashion-mnist`);
  const t = tempDir();
  const db = join(t.dir, 'dive.sqlite');
  before(() => {
    const r = dive(db, ['import', 'fashion-mnist', '--json']);
    assert.equal(r.code, 0, r.stderr);
  });
  after(() => t.cleanup());

  it('lists the dataset with its real class names and counts', () => {
    const list = dive(db, ['datasets', '--json']).json() as { name: string; numClasses: number }[];
    assert.deepEqual(list.map((d) => [d.name, d.numClasses]), [['fashion-mnist', 10]]);
    const d = dive(db, ['dataset', 'fashion-mnist', '--json']).json() as {
      imageShape: number[]; classNames: string[]; train: { counts: number[] }; test: { counts: number[] };
    };
    assert.deepEqual(d.imageShape, [28, 28, 1]);
    assert.equal(d.classNames[0], 'T-shirt/top');
    assert.equal(d.classNames[9], 'Ankle boot');
    assert.deepEqual(d.train.counts, Array(10).fill(6000));
    assert.deepEqual(d.test.counts, Array(10).fill(1000));
  });

  it('previews without writing, then builds an rho = 100 split with the LDAM-DRW counts', () => {
    const expected = Array.from({ length: 10 }, (_, i) => Math.floor(500 * (1 / 100) ** (i / 9)));
    const p = dive(db, ['split', '--dataset', 'fashion-mnist', '--ratio', '100', '--max-per-class', '500', '--preview', '--json']);
    assert.equal(p.code, 0, p.stderr);
    assert.deepEqual((p.json() as { counts: number[] }).counts, expected);
    assert.deepEqual(dive(db, ['splits', '--json']).json(), []);

    const r = dive(db, ['split', '--dataset', 'fashion-mnist', '--name', 'fm-lt100', '--ratio', '100', '--max-per-class', '500', '--seed', '7', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const s = r.json() as { name: string; dataset: string; counts: number[]; total: number; ratio: number; maxPerClass: number; seed: number; groups: Record<string, number[]> };
    assert.equal(s.dataset, 'fashion-mnist');
    assert.deepEqual(s.counts, expected);
    assert.equal(s.total, expected.reduce((a, b) => a + b, 0));
    assert.equal(s.maxPerClass, 500);
    // 500, 299, 179, 107 are many-shot (> 100); 64, 38, 23 medium; 13, 8, 5 few (< 20)
    assert.deepEqual(s.groups, { many: [0, 1, 2, 3], medium: [4, 5, 6], few: [7, 8, 9] });
    const listed = dive(db, ['splits', '--dataset', 'fashion-mnist', '--json']).json() as { name: string }[];
    assert.deepEqual(listed.map((x) => x.name), ['fm-lt100']);
  });

  it('reports bad input as one line on stderr with a non-zero exit', () => {
    const dup = dive(db, ['import', 'fashion-mnist', '--json']);
    assert.equal(dup.code, 1);
    assert.match(dup.stderr, /already exists/);
    assert.equal(dup.stdout, '');
    assert.equal(dup.stderr.trim().split('\n').length, 1);

    const rho = dive(db, ['split', '--dataset', 'fashion-mnist', '--name', 'bad', '--ratio', '0.5', '--json']);
    assert.equal(rho.code, 1);
    assert.match(rho.stderr, /ratio/);
    const big = dive(db, ['split', '--dataset', 'fashion-mnist', '--name', 'bad', '--ratio', '10', '--max-per-class', '7000']);
    assert.equal(big.code, 1);
    assert.match(big.stderr, /6000/);
    const missing = dive(db, ['dataset', 'nope']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /no dataset named "nope"/);
  });

  it('deletes a split and then the dataset into the trash; emptying it removes the files', () => {
    assert.equal(dive(db, ['delete', 'split', 'fm-lt100']).code, 0);
    assert.deepEqual(dive(db, ['splits', '--json']).json(), []);
    assert.equal(dive(db, ['delete', 'dataset', 'fashion-mnist']).code, 0);
    assert.equal(readdirSync(join(t.dir, 'data', 'datasets')).length, 1, 'kept while in the trash');
    // emptying the dataset's entry takes the split's entry with it (the split's rows depend on the dataset's)
    const empty = dive(db, ['trash', 'empty', 'fashion-mnist']);
    assert.equal(empty.code, 0, empty.stderr);
    assert.match(empty.stdout, /^removed 2 trash entries for good \(\d+\.\d MB\), with 1 \(split fm-lt100\), which depended on what was removed\n$/);
    assert.deepEqual(readdirSync(join(t.dir, 'data', 'datasets')), []);
  });
});
