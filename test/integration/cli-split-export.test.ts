// `dive split export NAME --format json|csv|list [--out F]` (issue 22, item 7) through the real CLI:
// the JSON's indices into the training part reproduce the split's counts and are the store's own;
// the CSV is the class counts; the list names each image of a folder dataset with its label;
// datasets without image files, bad formats and missing folders are refused in one line.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { dive, tempDir } from '../helpers/cli';
import { writeIdxDataset, writeImageFolder } from '../helpers/fixtures';

interface SplitJson { name: string; dataset: string; counts: number[]; classNames: string[]; indices: number[]; indexBase: number }

describe('dive split export', () => {
  const t = tempDir();
  const db = join(t.dir, 'dive.sqlite');
  // class 0: 30 images, class 1: 20, class 2: 12, interleaved so indices are not trivially contiguous
  const trainLabels = [...Array(62)].map((_, i) => (i < 36 ? i % 3 : i < 52 ? (i % 2 ? 0 : 1) : 0));
  const run = (args: string[]) => dive(db, args);

  before(async () => {
    const f = writeIdxDataset(join(t.dir, 'idx'), { trainLabels, testLabels: [0, 1, 2] });
    const i = run(['import', 'idx', '--name', 'tiny', '--train-images', f.trainImages, '--train-labels', f.trainLabels, '--test-images', f.testImages, '--test-labels', f.testLabels]);
    assert.equal(i.code, 0, i.stderr);
    const s = run(['split', '--dataset', 'tiny', '--name', 'lt', '--ratio', '4', '--max-per-class', '12', '--seed', '3']);
    assert.equal(s.code, 0, s.stderr);
    await writeImageFolder(join(t.dir, 'flowers', 'train'), { daisy: 6, rose: 4, tulip: 3 });
    await writeImageFolder(join(t.dir, 'flowers', 'test'), { daisy: 1, rose: 1, tulip: 1 });
    const fi = run(['import', 'folder', '--name', 'flowers', '--train', join(t.dir, 'flowers', 'train'), '--test', join(t.dir, 'flowers', 'test'), '--size', '8']);
    assert.equal(fi.code, 0, fi.stderr);
    const fs = run(['split', '--dataset', 'flowers', '--name', 'flowers-lt', '--ratio', '3', '--max-per-class', '6', '--seed', '1']);
    assert.equal(fs.code, 0, fs.stderr);
  });
  after(() => t.cleanup());

  it('json: the indices into the training part reproduce the split counts', () => {
    const out = join(t.dir, 'lt.json');
    const r = run(['split', 'export', 'lt', '--format', 'json', '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(readFileSync(out, 'utf8')) as SplitJson;
    const stored = (run(['splits', '--json']).json() as { name: string; counts: number[]; total: number }[]).find((s) => s.name === 'lt')!;
    assert.deepEqual([j.name, j.dataset, j.indexBase], ['lt', 'tiny', 0]);
    assert.deepEqual(j.counts, stored.counts);
    assert.deepEqual(j.counts, [12, 6, 3]); // exp profile, rho 4, n_max 12: 12, 12 * 4^-0.5, 12 * 4^-1
    assert.equal(j.indices.length, stored.total);
    // counting the training labels at those indices gives the counts
    const counted = [0, 0, 0];
    for (const i of j.indices) counted[trainLabels[i]]++;
    assert.deepEqual(counted, j.counts);
    assert.ok(j.indices.every((v, k) => Number.isInteger(v) && v >= 0 && v < trainLabels.length && (k === 0 || v > j.indices[k - 1])), 'ascending, unique, in range');
    assert.deepEqual(j.classNames, ['0', '1', '2']);
    // stdout without --out: the same document
    assert.deepEqual(JSON.parse(run(['split', 'export', 'lt', '--format', 'json']).stdout), j);
  });

  it('csv: one row per class with its training images and shot group', () => {
    const r = run(['split', 'export', 'lt', '--format', 'csv']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'class_index,class,train_images,shot_group\r\n0,0,12,few\r\n1,1,6,few\r\n2,2,3,few\r\n');
  });

  it('list: "path label" per image of a folder dataset, paths below the train folder, labels its classes', () => {
    const out = join(t.dir, 'flowers.txt');
    const r = run(['--json', 'split', 'export', 'flowers-lt', '--format', 'list', '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual((r.json() as { file: string }).file, out);
    const lines = readFileSync(out, 'utf8').trimEnd().split('\n');
    const split = (run(['splits', '--json']).json() as { name: string; counts: number[] }[]).find((s) => s.name === 'flowers-lt')!;
    const names = ['daisy', 'rose', 'tulip'];
    const counted = [0, 0, 0];
    for (const line of lines) {
      const m = /^(\S+) (\d+)$/.exec(line);
      assert.ok(m, line);
      const [dir, file] = m[1].split('/');
      assert.equal(dir, names[Number(m[2])], `${line}: the class folder is the label's class`);
      assert.ok(existsSync(join(t.dir, 'flowers', 'train', dir, file)), line);
      counted[Number(m[2])]++;
    }
    assert.deepEqual(counted, split.counts);
    assert.equal(new Set(lines).size, lines.length);
  });

  it('refuses in one line: a list of an array dataset, an unknown split, a missing folder; a bad format is a usage error', () => {
    const idx = run(['split', 'export', 'lt', '--format', 'list']);
    assert.equal(idx.code, 1);
    assert.equal(idx.stderr.trim().split('\n').length, 1, idx.stderr);
    assert.match(idx.stderr, /^dive: split "lt": no list: dataset "tiny" \(idx\) holds decoded arrays, not image files, so its images have no paths; --format json gives the split's indices into its training part\n$/);
    const missing = run(['split', 'export', 'nope', '--format', 'json']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /^dive: no split named "nope"/);
    const before = readdirSync(t.dir).sort();
    const noDir = run(['split', 'export', 'lt', '--format', 'json', '--out', join(t.dir, 'no', 'such', 'x.json')]);
    assert.equal(noDir.code, 1);
    assert.match(noDir.stderr, /^dive: --out .+x\.json: folder .+ does not exist\n$/);
    assert.deepEqual(readdirSync(t.dir).sort(), before, 'nothing written');
    assert.equal(run(['split', 'export', 'lt', '--format', 'xml']).code, 2);
    assert.equal(run(['split', 'export', 'lt']).code, 2);
    // `dive split` itself still requires its options
    const bare = run(['split', '--name', 'x', '--ratio', '3']);
    assert.equal(bare.code, 2);
    assert.match(bare.stderr, /required option '--dataset <name>' not specified/);
  });
});
