// The safetensors codec and the PyTorch state_dict layout (train/safetensors.ts, torch-layout.ts,
// model-shapes.ts). docs/pytorch's test (test/integration/pytorch-export.test.ts) loads real
// exports into PyTorch; these pin the format and the layouts by hand.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { Rng } from '../../src-main/core/rng';
import { createModel } from '../../src-main/core/train/models';
import { modelTensorShapes } from '../../src-main/core/train/model-shapes';
import { decodeSafeTensors, encodeSafeTensors } from '../../src-main/core/train/safetensors';
import { fromStateDict, fromTorchTensor, inferArchitecture, toStateDict, toTorchTensor, type LayoutSpec } from '../../src-main/core/train/torch-layout';
import { MODELS } from '../../src-main/core/domain/run-config';
import { UserError } from '../../src-main/core/domain/errors';

before(async () => {
  await tf.setBackend('cpu');
});

/** A safetensors file from a header object and raw data, as another writer would make it. */
function rawFile(header: Record<string, unknown>, data: Buffer): Buffer {
  const json = Buffer.from(JSON.stringify(header));
  const pre = Buffer.alloc(8);
  pre.writeBigUInt64LE(BigInt(json.length));
  return Buffer.concat([pre, json, data]);
}

describe('safetensors', () => {
  test('round trip: float32 tensors, an int64 scalar, string metadata, header padded to 8 bytes', () => {
    const buf = Buffer.concat(encodeSafeTensors([
      { name: 'a.weight', shape: [2, 3], data: Float32Array.from([1, -2, 3.5, 0, 1e-8, -7]) },
      { name: 'bn.num_batches_tracked', shape: [], int64: [100] },
    ], { model: 'cnn', mean: '[0.5]' }));
    const headerLength = Number(buf.readBigUInt64LE(0));
    assert.equal(headerLength % 8, 0);
    // 6 float32 + 1 int64 after the header
    assert.equal(buf.length, 8 + headerLength + 24 + 8);
    const f = decodeSafeTensors(buf, 'x.safetensors');
    assert.deepEqual(f.metadata, { model: 'cnn', mean: '[0.5]' });
    assert.deepEqual(f.tensors.map((t) => [t.name, t.dtype, t.shape]), [['a.weight', 'F32', [2, 3]], ['bn.num_batches_tracked', 'I64', []]]);
    assert.deepEqual(Array.from(f.tensors[0].data), Array.from(Float32Array.from([1, -2, 3.5, 0, 1e-8, -7])));
    assert.deepEqual(Array.from(f.tensors[1].data), [100]);
  });

  test('F16, BF16 and F64 tensors read as float32 (values by hand)', () => {
    const data = Buffer.alloc(4 + 4 + 8);
    data.writeUInt16LE(0x3c00, 0); // 1.0 in half precision
    data.writeUInt16LE(0xc100, 2); // -2.5
    data.writeUInt16LE(0x3f80, 4); // 1.0 in bfloat16
    data.writeUInt16LE(0x4049, 6); // 3.140625
    data.writeDoubleLE(0.25, 8);
    const f = decodeSafeTensors(rawFile({
      h: { dtype: 'F16', shape: [2], data_offsets: [0, 4] }, b: { dtype: 'BF16', shape: [2], data_offsets: [4, 8] }, d: { dtype: 'F64', shape: [1], data_offsets: [8, 16] },
    }, data), 'x');
    assert.deepEqual(f.tensors.map((t) => Array.from(t.data)), [[1, -2.5], [1, 3.140625], [0.25]]);
  });

  const refused = (buf: Buffer, why: RegExp) => assert.throws(() => decodeSafeTensors(buf, '/tmp/m.safetensors'), (e: unknown) => e instanceof UserError && /^\/tmp\/m\.safetensors is not a safetensors file/.test(e.message) && why.test(e.message));
  test('anything else is one line naming the file', () => {
    refused(Buffer.from('PK\x03\x04 a zip file, not weights'), /header length/);
    refused(Buffer.from('tiny'), /too short/);
    refused(rawFile({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } }, Buffer.alloc(4)), /truncated/);
    refused(rawFile({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, Buffer.alloc(8)), /after its last tensor/);
    refused(rawFile({ a: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, Buffer.alloc(8)), /holds 8 bytes for shape \[3\]/);
    refused(rawFile({ a: { dtype: 'C64', shape: [1], data_offsets: [0, 8] } }, Buffer.alloc(8)), /unsupported dtype/);
    refused(rawFile({ a: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, Buffer.alloc(8)), /does not start/);
    const notJson = Buffer.concat([Buffer.from([5, 0, 0, 0, 0, 0, 0, 0]), Buffer.from('hello')]);
    refused(notJson, /not JSON/);
  });
});

describe('PyTorch layout', () => {
  test('modelTensorShapes is every model tensor createModel makes, in its order', () => {
    for (const kind of MODELS) {
      for (const normHead of [false, true]) {
        const spec = { kind, imageShape: [12, 12, 3] as [number, number, number], numClasses: 7, normHead };
        const m = createModel(spec, new Rng(0));
        assert.deepEqual(modelTensorShapes(spec), m.snapshot().map((a) => ({ name: a.name, shape: a.shape })), `${kind} normHead=${normHead}`);
        m.dispose();
      }
    }
  });

  test('a conv weight [kh, kw, in, out] becomes OIHW', () => {
    // [1, 2, 2, 3]: value = 100*y + 10*x... indexed (y, x, i, o) -> 1000*y + 100*x + 10*i + o
    const shape = [1, 2, 2, 3];
    const data = new Float32Array(12);
    for (let x = 0; x < 2; x++) for (let i = 0; i < 2; i++) for (let o = 0; o < 3; o++) data[(x * 2 + i) * 3 + o] = 100 * x + 10 * i + o;
    const spec: LayoutSpec = { kind: 'cnn', imageShape: [8, 8, 1], numClasses: 2, normHead: false };
    const t = toTorchTensor(spec, { name: 'conv1.weight', shape, data });
    // torch [o, i, y, x]: o = 2, i = 1, x = 1 -> 100 + 10 + 2
    assert.equal(t[((2 * 2 + 1) * 1 + 0) * 2 + 1], 112);
    assert.deepEqual(Array.from(t.slice(0, 4)), [0, 100, 10, 110]);
    assert.deepEqual(fromTorchTensor(spec, 'conv1.weight', shape, t), data);
  });

  test("the cnn's classifier takes its inputs in NCHW flatten order, [out, in]", () => {
    // 8x8 images: the last map is 2x2x32; our input index (h*2 + w)*32 + c, PyTorch's c*4 + h*2 + w
    const spec: LayoutSpec = { kind: 'cnn', imageShape: [8, 8, 1], numClasses: 2, normHead: false };
    const data = new Float32Array(128 * 2);
    data[((1 * 2 + 0) * 32 + 5) * 2 + 1] = 7; // h = 1, w = 0, c = 5, class 1
    const t = toTorchTensor(spec, { name: 'linear.weight', shape: [128, 2], data });
    assert.equal(t[1 * 128 + (5 * 4 + 1 * 2 + 0)], 7);
    assert.equal(t.reduce((a, b) => a + b, 0), 7);
    // LDAM-DRW's NormedLinear keeps [in, out]; the rows are still reordered
    const normed = toTorchTensor({ ...spec, normHead: true }, { name: 'linear.weight', shape: [128, 2], data });
    assert.equal(normed[(5 * 4 + 1 * 2 + 0) * 2 + 1], 7);
    assert.deepEqual(fromTorchTensor({ ...spec, normHead: true }, 'linear.weight', [128, 2], normed), data);
  });

  test('state_dict order and names: each batch norm with its buffers and num_batches_tracked', () => {
    const spec: LayoutSpec = { kind: 'resnet8', imageShape: [8, 8, 3], numClasses: 4, normHead: false };
    const m = createModel(spec, new Rng(1));
    const sd = toStateDict(spec, m.snapshot(), 42);
    m.dispose();
    assert.deepEqual(sd.slice(0, 7).map((t) => t.name), ['conv1.weight', 'bn1.weight', 'bn1.bias', 'bn1.running_mean', 'bn1.running_var', 'bn1.num_batches_tracked', 'layer1.0.conv1.weight']);
    assert.deepEqual(sd.find((t) => t.name === 'linear.weight')?.shape, [4, 64]);
    assert.deepEqual(sd.find((t) => t.name === 'layer3.0.conv1.weight')?.shape, [64, 32, 3, 3]);
    const tracked = sd.find((t) => t.name === 'layer2.0.bn2.num_batches_tracked');
    assert.ok(tracked && 'int64' in tracked && tracked.int64[0] === 42);
    // a ResNet-8: the stem and 3 blocks of 2 give 7 convs and 7 batch norms (5 entries each); linear weight and bias
    assert.equal(sd.length, 7 * 5 + 7 + 2);
  });

  test('read back: same values; missing, extra and mis-shaped tensors named; another class count needs resetHead', () => {
    const spec: LayoutSpec = { kind: 'cnn', imageShape: [8, 8, 1], numClasses: 3, normHead: false };
    const m = createModel(spec, new Rng(2));
    const ours = m.snapshot();
    m.dispose();
    const file = decodeSafeTensors(Buffer.concat(encodeSafeTensors(toStateDict(spec, ours, 0))), 'w.safetensors').tensors;
    const expected = modelTensorShapes(spec);
    assert.deepEqual(fromStateDict(spec, file, expected, 'w'), ours);
    const msg = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return e instanceof UserError ? e.message : 'not a UserError';
      }
      return 'no error';
    };
    assert.match(msg(() => fromStateDict(spec, file.filter((t) => t.name !== 'bn2.running_var'), expected, 'w')), /^w: tensor bn2\.running_var missing for a cnn/);
    assert.match(msg(() => fromStateDict(spec, [...file, { ...file[0], name: 'fc9.weight' }], expected, 'w')), /^w: unexpected tensor fc9\.weight/);
    const badConv = file.map((t) => (t.name === 'conv2.weight' ? { ...t, shape: [32, 16, 1, 9] } : t));
    assert.match(msg(() => fromStateDict(spec, badConv, expected, 'w')), /^w: tensor conv2\.weight is \[32,16,1,9\], the model needs \[32,16,3,3\]$/);
    const five = { ...spec, numClasses: 5 };
    assert.match(msg(() => fromStateDict(five, file, modelTensorShapes(five), 'w')), /classifier has 3 classes and this split 5; add --reset-head/);
    const kept = fromStateDict(five, file, modelTensorShapes(five), 'w', { resetHead: true });
    assert.deepEqual(kept.map((a) => a.name), expected.map((e) => e.name).filter((n) => !n.startsWith('linear.')));
  });

  test('the architecture from the names alone', () => {
    const names = (kind: (typeof MODELS)[number], normHead = false) => {
      const spec: LayoutSpec = { kind, imageShape: [8, 8, 1], numClasses: 6, normHead };
      return toStateDict(spec, modelTensorShapes(spec).map((s) => ({ ...s, data: new Float32Array(s.shape.reduce((a, b) => a * b, 1)) })), 0)
        .map((t) => ({ name: t.name, shape: t.shape, dtype: 'F32', data: new Float32Array(0) }));
    };
    for (const kind of MODELS) assert.deepEqual(inferArchitecture(names(kind), 'w'), { kind, normHead: false, numClasses: 6 });
    assert.deepEqual(inferArchitecture(names('resnet32', true), 'w'), { kind: 'resnet32', normHead: true, numClasses: 6 });
    assert.throws(() => inferArchitecture([{ name: 'encoder.weight', shape: [2], dtype: 'F32', data: new Float32Array(2) }], 'w'), /fit none of the workbench's models/);
  });
});
