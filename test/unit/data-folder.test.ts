import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { stratifiedHoldout } from '../../src-main/core/data/holdout';
import { importDataset } from '../../src-main/core/data/import';
import { datasetPart } from '../../src-main/core/store/datasets';
import { assertImportFailsCleanly, classColor, EMPTY_STATE, storeState, tempStore, writeImage, writeImageFolder, type TempStore } from '../helpers/fixtures';

/** Every image of a part must be the solid colour of its label. */
function assertSolidByLabel(pixels: Buffer, labels: Int32Array, size: number, channels: 1 | 3, tolerance = 0) {
  const per = size * size * channels;
  assert.equal(pixels.length, labels.length * per);
  for (let i = 0; i < labels.length; i++) {
    const want = classColor(labels[i], channels);
    for (let p = 0; p < size * size; p++) {
      for (let c = 0; c < channels; c++) {
        const got = pixels[i * per + p * channels + c];
        assert.ok(Math.abs(got - want[c]) <= tolerance, `image ${i} pixel ${p} channel ${c}: ${got}, want ${want[c]}`);
      }
    }
  }
}

describe('stratified hold-out', () => {
  const labels = [...Array(10).fill(0), ...Array(5).fill(1), 2, ...Array(4).fill(3)];

  it('holds out round(n * fraction) per class, keeping at least one training image', () => {
    const s = stratifiedHoldout(labels, 4, 0.2, 7);
    const count = (idx: number[], c: number) => idx.filter((i) => labels[i] === c).length;
    // 10 -> 2, 5 -> 1, 1 -> 0 (never the only one), 4 -> round(0.8) = 1
    assert.deepEqual([0, 1, 2, 3].map((c) => count(s.test, c)), [2, 1, 0, 1]);
    assert.deepEqual([0, 1, 2, 3].map((c) => count(s.train, c)), [8, 4, 1, 3]);
    assert.deepEqual([...s.train, ...s.test].sort((a, b) => a - b), labels.map((_, i) => i));
    assert.deepEqual(s.test, [...s.test].sort((a, b) => a - b));
  });

  it('is fixed by the seed', () => {
    assert.deepEqual(stratifiedHoldout(labels, 4, 0.5, 3), stratifiedHoldout(labels, 4, 0.5, 3));
    const seeds = [1, 2, 3, 4].map((s) => stratifiedHoldout(labels, 4, 0.5, s).test.join());
    assert.ok(new Set(seeds).size > 1, 'different seeds give different hold-outs');
  });
});

describe('folder import', () => {
  let t: TempStore;
  let dir: string;
  before(() => {
    t = tempStore();
    dir = t.dir; // fixtures live beside the store and go with it
  });
  after(() => t.cleanup());

  it('imports train and test folders: sorted class names, labels and pixels in file order', async () => {
    await writeImageFolder(join(dir, 'a', 'train'), { dog: 2, cat: 3, ant: 1 });
    await writeImageFolder(join(dir, 'a', 'test'), { dog: 1, cat: 1, ant: 1 });
    // files that are not images are ignored
    writeFileSync(join(dir, 'a', 'train', 'cat', 'notes.txt'), 'hello');
    const info = await importDataset(t.store, { format: 'folder', name: 'a', train: join(dir, 'a', 'train'), test: join(dir, 'a', 'test'), size: 8 });
    assert.equal(info.format, 'folder');
    assert.deepEqual(info.classNames, ['ant', 'cat', 'dog']);
    assert.deepEqual(info.imageShape, [8, 8, 3]);
    assert.deepEqual(info.train.counts, [1, 3, 2]);
    assert.deepEqual(info.test.counts, [1, 1, 1]);
    const train = datasetPart(t.store, 'a', 'train');
    assert.deepEqual(train.labels, Int32Array.from([0, 1, 1, 1, 2, 2]));
    assertSolidByLabel(readFileSync(train.pixelsPath), train.labels, 8, 3);
    assert.equal(info.source.channels, 3);
  });

  it('chooses 1 channel when every image is grayscale', async () => {
    await writeImageFolder(join(dir, 'g'), { x: 3, y: 3 }, { channels: 1 });
    const info = await importDataset(t.store, { format: 'folder', name: 'g', train: join(dir, 'g'), size: 8, testFraction: 0.34 });
    assert.deepEqual(info.imageShape, [8, 8, 1]);
    const p = datasetPart(t.store, 'g', 'train');
    assertSolidByLabel(readFileSync(p.pixelsPath), p.labels, 8, 1);
  });

  it('chooses 3 channels when one image is colour, and turns gray images into R = G = B', async () => {
    await writeImageFolder(join(dir, 'm'), { x: 2, y: 2 }, { channels: 1 });
    await writeImage(join(dir, 'm', 'y', 'zz-colour.png'), { color: [10, 20, 30] });
    const info = await importDataset(t.store, { format: 'folder', name: 'm', train: join(dir, 'm'), size: 8, testFraction: 0.1 });
    assert.equal(info.imageShape[2], 3);
    const px = readFileSync(datasetPart(t.store, 'm', 'train').pixelsPath);
    const g = classColor(0, 1)[0];
    assert.deepEqual([...px.subarray(0, 3)], [g, g, g]);
    assert.deepEqual([...px.subarray(px.length - 3)], [10, 20, 30]);
  });

  it('holds out a seeded stratified test share when there is no test folder', async () => {
    await writeImageFolder(join(dir, 'h'), { a: 10, b: 5, c: 1 });
    const req = { format: 'folder' as const, train: join(dir, 'h'), size: 8, testFraction: 0.2, seed: 5 };
    const one = await importDataset(t.store, { ...req, name: 'h1' });
    assert.deepEqual(one.train.counts, [8, 4, 1]);
    assert.deepEqual(one.test.counts, [2, 1, 0]);
    const expected = stratifiedHoldout([...Array(10).fill(0), ...Array(5).fill(1), 2], 3, 0.2, 5);
    assert.equal(datasetPart(t.store, 'h1', 'test').count, expected.test.length);
    const two = await importDataset(t.store, { ...req, name: 'h2' });
    assert.deepEqual(two.test.counts, one.test.counts);
  });

  it('resizes with a centre crop (cover), drops alpha, reads JPEG and WebP', async () => {
    const root = join(dir, 'r');
    // 24x8: red | green | blue bands of 8 columns; cover to 8x8 keeps only the green centre
    const bands = Buffer.alloc(24 * 8 * 3);
    for (let y = 0; y < 8; y++) for (let x = 0; x < 24; x++) bands[(y * 24 + x) * 3 + Math.floor(x / 8)] = 255;
    mkdirSync(join(root, 'bands'), { recursive: true });
    await sharp(bands, { raw: { width: 24, height: 8, channels: 3 } }).png().toFile(join(root, 'bands', 'wide.png'));
    await writeImage(join(root, 'rgba', 'a.png'), { color: [200, 100, 50], alpha: true });
    await writeImage(join(root, 'jpeg', 'a.jpg'), { color: [40, 160, 220], width: 16, height: 16, format: 'jpeg' });
    await writeImage(join(root, 'webp', 'a.webp'), { color: [90, 30, 250], width: 4, height: 4, format: 'webp' });
    const info = await importDataset(t.store, { format: 'folder', name: 'r', train: root, test: root, size: 8 });
    assert.deepEqual(info.classNames, ['bands', 'jpeg', 'rgba', 'webp']);
    const px = readFileSync(datasetPart(t.store, 'r', 'train').pixelsPath);
    const img = (i: number) => px.subarray(i * 192, (i + 1) * 192);
    for (let p = 0; p < 64; p++) assert.deepEqual([...img(0).subarray(p * 3, p * 3 + 3)], [0, 255, 0], `bands pixel ${p}`);
    const near = (got: Buffer, want: number[], tol: number) => want.forEach((w, c) => assert.ok(Math.abs(got[c] - w) <= tol, `${[...got.subarray(0, 3)]} vs ${want}`));
    near(img(1), [40, 160, 220], 3);
    assert.deepEqual([...img(2).subarray(0, 3)], [200, 100, 50]);
    near(img(3), [90, 30, 250], 8);
  });
});

describe('folder bad input leaves the store unchanged', () => {
  let t: TempStore;
  let dir: string;
  before(() => {
    t = tempStore();
    dir = t.dir; // fixtures live beside the store and go with it
  });
  after(() => t.cleanup());

  it('a corrupt image is named', async () => {
    const files = await writeImageFolder(join(dir, 'c'), { a: 3, b: 3 });
    writeFileSync(files.b[1], Buffer.from('this is not a PNG'));
    await assertImportFailsCleanly(t.store, { format: 'folder', name: 'x', train: join(dir, 'c'), size: 8, channels: 3 }, new RegExp(`cannot decode image ${files.b[1]}: `));
    assert.deepEqual(storeState(t.store), EMPTY_STATE);
  });

  it('a truncated image is named', async () => {
    const files = await writeImageFolder(join(dir, 'tr'), { a: 2, b: 2 }, { size: 32 });
    const buf = readFileSync(files.a[1]);
    writeFileSync(files.a[1], buf.subarray(0, buf.length - 30));
    await assertImportFailsCleanly(t.store, { format: 'folder', name: 'x', train: join(dir, 'tr'), test: join(dir, 'tr'), size: 8, channels: 3 }, new RegExp(`cannot decode image ${files.a[1]}`));
  });

  it('an empty class folder', async () => {
    await writeImageFolder(join(dir, 'e'), { a: 2, b: 2 });
    mkdirSync(join(dir, 'e', 'c'));
    writeFileSync(join(dir, 'e', 'c', 'readme.txt'), 'no images here');
    await assertImportFailsCleanly(t.store, { format: 'folder', name: 'x', train: join(dir, 'e') }, /e\/c: class folder has no images/);
  });

  it('a folder without class sub-folders', async () => {
    mkdirSync(join(dir, 'flat'));
    await writeImage(join(dir, 'flat', 'a.png'), { color: [1, 2, 3] });
    await assertImportFailsCleanly(t.store, { format: 'folder', name: 'x', train: join(dir, 'flat') }, /flat: no class sub-folders/);
  });

  it('a test class that has no training folder', async () => {
    await writeImageFolder(join(dir, 'tt', 'train'), { a: 2, b: 2 });
    await writeImageFolder(join(dir, 'tt', 'test'), { a: 1, zebra: 1 });
    await assertImportFailsCleanly(t.store, { format: 'folder', name: 'x', train: join(dir, 'tt', 'train'), test: join(dir, 'tt', 'test') }, /class "zebra" has no folder in/);
  });

  it('a single class', async () => {
    await writeImageFolder(join(dir, 'one'), { only: 3 });
    await assertImportFailsCleanly(t.store, { format: 'folder', name: 'x', train: join(dir, 'one') }, /dataset "x" has 1 class; at least 2 are needed/);
  });

  it('a train folder that does not exist', async () => {
    await assertImportFailsCleanly(t.store, { format: 'folder', name: 'x', train: join(dir, 'nowhere') }, /train folder not found: .*nowhere/);
  });
});
