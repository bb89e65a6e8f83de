import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src-main/core/rng';
import { channelStats, drawPlacement, normalizationTable, writeImage, type Placement } from '../../src-main/core/train/augment';
import { BatchAssembler, batchCount, epochOrder } from '../../src-main/core/train/batches';
import type { ImageShape } from '../../src-main/core/domain/run-config';

describe('normalisation', () => {
  test('per-channel mean and population std of pixel / 255, hand values', () => {
    // two 1x2 RGB images: R 0, 255, 255, 0 -> mean 0.5, std 0.5; G all 51 -> 0.2, std 0 -> 1;
    // B 0, 0, 0, 255 -> mean 0.25, std sqrt(0.1875)
    const img = Uint8Array.from([0, 51, 0, 255, 51, 0, 255, 51, 0, 0, 51, 255]);
    const s = channelStats(img, [1, 2, 3]);
    assert.deepEqual(s.mean.map((v) => +v.toFixed(12)), [0.5, 0.2, 0.25]);
    assert.equal(s.std[0], 0.5);
    assert.equal(s.std[1], 1);
    assert.ok(Math.abs(s.std[2] - Math.sqrt(0.1875)) < 1e-12);
  });

  test('lookup table: (v / 255 - mean) / std per channel', () => {
    const lut = normalizationTable({ mean: [0.5, 0.2], std: [0.5, 0.1] });
    assert.equal(lut.length, 512);
    assert.equal(lut[0], -1);
    assert.equal(lut[255], 1);
    assert.ok(Math.abs(lut[256 + 51] - 0) < 1e-6);
    assert.ok(Math.abs(lut[256 + 0] - -2) < 1e-6);
  });
});

describe('crop and flip', () => {
  // 3x3 single-channel image with pixel values 1..9; identity table so outputs are raw values,
  // except the padding value lut[0] = 0 stays 0.
  const shape: ImageShape = [3, 3, 1];
  const src = Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  const lut = Float32Array.from({ length: 256 }, (_, i) => i);
  const place = (p: Placement) => {
    const out = new Float32Array(9);
    writeImage(out, 0, src, 0, shape, lut, p);
    return Array.from(out);
  };

  test('identity', () => assert.deepEqual(place({ dy: 0, dx: 0, flip: false }), [1, 2, 3, 4, 5, 6, 7, 8, 9]));
  test('crop window shifted down-right by one: zero padding enters at the bottom and right', () => {
    assert.deepEqual(place({ dy: 1, dx: 1, flip: false }), [5, 6, 0, 8, 9, 0, 0, 0, 0]);
  });
  test('crop window shifted up-left by one', () => {
    assert.deepEqual(place({ dy: -1, dx: -1, flip: false }), [0, 0, 0, 0, 1, 2, 0, 4, 5]);
  });
  test('flip mirrors the cropped window (crop first, then flip, as torchvision)', () => {
    assert.deepEqual(place({ dy: 0, dx: 0, flip: true }), [3, 2, 1, 6, 5, 4, 9, 8, 7]);
    // crop at dx = +1 gives rows [2,3,0]; mirrored: [0,3,2]
    assert.deepEqual(place({ dy: 0, dx: 1, flip: true }), [0, 3, 2, 0, 6, 5, 0, 9, 8]);
  });
  test('multi-channel pixels stay together and padding is lut[c * 256]', () => {
    const img = Uint8Array.from([10, 20, 30, 40]); // 1x2 image, 2 channels
    const table = Float32Array.from({ length: 512 }, (_, i) => (i < 256 ? i : 1000 + i - 256));
    const out = new Float32Array(4);
    writeImage(out, 0, img, 0, [1, 2, 2], table, { dy: 0, dx: 1, flip: false });
    assert.deepEqual(Array.from(out), [30, 1040, 0, 1000]);
  });

  test('placements: offsets in -padding..padding, fair flips, disabled options draw nothing', () => {
    const rng = new Rng(5);
    const seen = new Set<number>();
    let flips = 0;
    for (let i = 0; i < 2000; i++) {
      const p = drawPlacement(rng, { crop: true, flip: true, padding: 2 });
      assert.ok(p.dy >= -2 && p.dy <= 2 && p.dx >= -2 && p.dx <= 2);
      seen.add(p.dy);
      if (p.flip) flips++;
    }
    assert.equal(seen.size, 5);
    assert.ok(flips > 900 && flips < 1100, `${flips} flips`);
    const a = new Rng(9);
    const before = a.state();
    assert.deepEqual(drawPlacement(a, { crop: false, flip: false, padding: 4 }), { dy: 0, dx: 0, flip: false });
    assert.deepEqual(drawPlacement(a, { crop: true, flip: false, padding: 0 }), { dy: 0, dx: 0, flip: false });
    assert.deepEqual(a.state(), before, 'no random numbers consumed');
  });
});

describe('batches', () => {
  test('epoch order is a seeded permutation', () => {
    const a = epochOrder(50, new Rng(1));
    assert.deepEqual([...a].sort((x, y) => x - y), Array.from({ length: 50 }, (_, i) => i));
    assert.deepEqual(a, epochOrder(50, new Rng(1)));
    assert.notDeepEqual(a, epochOrder(50, new Rng(2)));
  });

  test('batch count keeps the short last batch', () => {
    assert.equal(batchCount(64, 16), 4);
    assert.equal(batchCount(65, 16), 5);
    assert.equal(batchCount(3, 128), 1);
  });

  test('fill gathers images and labels by index into reused buffers', () => {
    const shape: ImageShape = [1, 2, 1];
    const images = Uint8Array.from([0, 1, 10, 11, 20, 21, 30, 31]);
    const labels = Int32Array.from([3, 2, 1, 0]);
    const lut = Float32Array.from({ length: 256 }, (_, i) => i / 10);
    const asm = new BatchAssembler(images, labels, shape, lut, 3);
    const order = Int32Array.from([2, 0, 3, 1]);
    const b1 = asm.fill(order, 0, 3);
    assert.equal(b1.count, 3);
    assert.deepEqual(Array.from(b1.y), [1, 3, 0]);
    assert.deepEqual(Array.from(b1.x, (v) => Math.round(v * 10)), [20, 21, 0, 1, 30, 31]);
    const xBuffer = b1.x.buffer;
    const b2 = asm.fill(order, 3, 1);
    assert.equal(b2.x.buffer, xBuffer, 'same buffer reused');
    assert.deepEqual(Array.from(b2.y), [2]);
    assert.deepEqual(Array.from(b2.x, (v) => Math.round(v * 10)), [10, 11]);
    assert.throws(() => asm.fill(order, 0, 4), /exceeds/);
  });

  test('augmented fills are reproducible from the rng state and differ from plain fills', () => {
    const shape: ImageShape = [4, 4, 1];
    const images = Uint8Array.from({ length: 5 * 16 }, (_, i) => (i * 37) % 251);
    const labels = new Int32Array(5);
    const lut = Float32Array.from({ length: 256 }, (_, i) => i);
    const asm = new BatchAssembler(images, labels, shape, lut, 5);
    const order = Int32Array.from([0, 1, 2, 3, 4]);
    const options = { crop: true, flip: true, padding: 1 };
    const one = Array.from(asm.fill(order, 0, 5, { rng: new Rng(3), options }).x);
    const two = Array.from(asm.fill(order, 0, 5, { rng: new Rng(3), options }).x);
    const plain = Array.from(asm.fill(order, 0, 5).x);
    assert.deepEqual(one, two);
    assert.notDeepEqual(one, plain);
    assert.deepEqual(plain, Array.from(images));
  });
});
