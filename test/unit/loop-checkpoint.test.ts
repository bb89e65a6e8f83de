import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '../../src-main/core/domain/errors';
import {
  decodeCheckpoint,
  encodeCheckpoint,
  readCheckpoint,
  readWeights,
  writeCheckpoint,
  writeFileAtomic,
  writeWeights,
  type Checkpoint,
} from '../../src-main/core/train/checkpoint';
import { parseRunConfig } from '../../src-main/core/domain/run-config';

const dir = mkdtempSync(join(tmpdir(), 'dive-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const ck: Checkpoint = {
  config: parseRunConfig({ method: 'dive', epochs: 4 }),
  epochsDone: 2,
  records: [
    { epoch: 1, loss: 1.5, lr: 0.05, trainAcc: 0.25, testAcc: 0.3, seconds: 1.25, imagesPerSec: 100 },
    { epoch: 2, loss: 1.1, lr: 0.1, trainAcc: 0.5, testAcc: 0.45, seconds: 1.5, imagesPerSec: 90 },
  ],
  best: { top1: 0.45, many: 0.5, medium: null, few: 0.1, ece: 0.07, perClass: [0.5, null, 0.1], confusion: [[1, 0], [2, 3]], epoch: 2 },
  rngState: [1, -2, 3, 0x7fffffff],
  weights: [
    { name: 'conv1.weight', shape: [1, 1, 1, 3], data: Float32Array.of(0.1, -2.5, 1e-30) },
    { name: 'bn1.running_var', shape: [3], data: Float32Array.of(1, 2, Math.PI) },
  ],
  momentum: [{ name: 'conv1.weight', shape: [1, 1, 1, 3], data: Float32Array.of(0, -0, 7) }],
};

describe('checkpoint files', () => {
  test('write / read round trip keeps every value bit for bit', () => {
    const path = join(dir, 'a.ckpt');
    writeCheckpoint(path, ck);
    assert.deepEqual(readCheckpoint(path), ck);
    assert.deepEqual(
      readdirSync(dir).filter((f) => f.includes('.tmp')),
      [],
      'no temporary file left',
    );
  });

  test('the header is 4-byte aligned so the values start on a float boundary', () => {
    const buf = Buffer.concat(encodeCheckpoint(ck));
    const headerLen = buf.readUInt32LE(8);
    const start = 12 + headerLen + ((4 - ((12 + headerLen) % 4)) % 4);
    assert.equal(start % 4, 0);
    assert.equal(buf.length - start, 4 * (3 + 3 + 3));
    assert.equal(buf.readFloatLE(start + 4), -2.5);
  });

  test('rewriting replaces the file atomically', () => {
    const path = join(dir, 'b.ckpt');
    writeCheckpoint(path, ck);
    writeCheckpoint(path, { ...ck, epochsDone: 3 });
    assert.equal(readCheckpoint(path).epochsDone, 3);
  });

  test('damaged or foreign files are a UserError naming the file', () => {
    const good = Buffer.concat(encodeCheckpoint(ck));
    const cases: [string, Buffer, RegExp][] = [
      ['magic', Buffer.from('NOTACKPT-and-some-more'), /wrong magic bytes/],
      ['cut', good.subarray(0, good.length - 2), /truncated at tensor/],
      ['long', Buffer.concat([good, Buffer.alloc(4)]), /trailing bytes/],
      ['header', Buffer.concat([good.subarray(0, 12), Buffer.from('{oops')]), /truncated header|corrupt header/],
    ];
    for (const [name, buf, re] of cases) {
      const path = join(dir, `${name}.ckpt`);
      writeFileSync(path, buf);
      assert.throws(
        () => readCheckpoint(path),
        (e: unknown) => e instanceof UserError && e.message.startsWith(path) && re.test(e.message),
        name,
      );
    }
  });

  test('a weights file is not a checkpoint and vice versa', () => {
    const w = join(dir, 'w.bin');
    const meta = { model: 'resnet8' as const, imageShape: [4, 4, 1] as [number, number, number], numClasses: 3, normHead: false, mean: [0.5], std: [0.25] };
    writeWeights(w, meta, ck.weights);
    assert.deepEqual(readWeights(w), { meta, weights: ck.weights });
    assert.throws(() => readCheckpoint(w), /not a readable checkpoint file \(it holds a weights\)/);
    assert.throws(() => decodeCheckpoint(readFileSync(w), 'x'), UserError);
  });

  test('a failed write leaves nothing behind', () => {
    assert.throws(() => writeFileAtomic(join(dir, 'missing-folder', 'c.ckpt'), encodeCheckpoint(ck)));
    const before = readdirSync(dir).length;
    assert.throws(() => writeCheckpoint(join(dir, 'bad.ckpt'), { ...ck, weights: [{ name: 'x', shape: [2], data: new Float32Array(3) }] }), /3 values for shape \[2\]/);
    assert.equal(readdirSync(dir).length, before);
  });
});
