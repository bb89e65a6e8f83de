// The ONNX export (train/onnx-graph.ts) run in ONNX Runtime (onnxruntime-web's wasm, in Node):
// every model kind, with random weights and random batch-norm statistics, gives the logits our
// engine gives in eval mode on the same raw-pixel images, and the probabilities are their softmax.
// The real-data check (99.9% of Fashion-MNIST's test images) is test/integration/weights-travel.test.ts.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as ort from 'onnxruntime-web';
import onnxProto from 'onnx-proto';
import { Rng } from '../../src-main/core/rng';
import { createModel } from '../../src-main/core/train/models';
import { normalizationTable } from '../../src-main/core/train/augment';
import { encodeOnnx, ONNX_OPSET } from '../../src-main/core/train/onnx-graph';
import type { ModelKind } from '../../src-main/core/domain/run-config';

before(async () => {
  await tf.setBackend('cpu');
  ort.env.wasm.numThreads = 1;
});

const cases: { kind: ModelKind; normHead: boolean; shape: [number, number, number] }[] = [
  { kind: 'mlp', normHead: false, shape: [6, 6, 3] },
  { kind: 'cnn', normHead: false, shape: [9, 9, 3] },
  { kind: 'cnn', normHead: true, shape: [8, 8, 1] },
  { kind: 'resnet8', normHead: false, shape: [7, 7, 3] },
  { kind: 'resnet20', normHead: true, shape: [8, 8, 1] },
];

describe('ONNX export in ONNX Runtime', () => {
  for (const c of cases) {
    test(`${c.kind}${c.normHead ? ' (cosine classifier)' : ''} on ${c.shape.join('x')}: the engine's logits and their softmax`, async () => {
      const rng = new Rng(7);
      const spec = { kind: c.kind, imageShape: c.shape, numClasses: 5, normHead: c.normHead };
      const model = createModel(spec, rng);
      // batch-norm statistics and affine parameters away from their init, so the graph has to use them
      model.restore(model.snapshot().map((a) => ({ ...a, data: a.data.map((v) => (a.name.endsWith('running_var') ? 0.5 + rng.float() : a.name.includes('bn') ? v + rng.float() - 0.5 : v)) })));
      const C = c.shape[2];
      const norm = { mean: Array.from({ length: C }, (_, i) => 0.3 + 0.1 * i), std: Array.from({ length: C }, (_, i) => 0.2 + 0.05 * i) };
      const bytes = encodeOnnx(spec, model.snapshot(), { classNames: ['a', 'b', 'c', 'd', 'e'], ...norm, run: { name: 'r' }, producerVersion: 'test' });

      const n = 3;
      const pixels = Uint8Array.from({ length: n * c.shape[0] * c.shape[1] * C }, () => rng.int(0, 255));
      const lut = normalizationTable(norm);
      const x = Float32Array.from(pixels, (v, i) => lut[(i % C) * 256 + v]);
      const ours = model.apply(tf.tensor4d(x, [n, ...c.shape]), false);
      const want = (await ours.data()) as Float32Array;
      ours.dispose();
      model.dispose();

      const session = await ort.InferenceSession.create(bytes);
      const out = await session.run({ image: new ort.Tensor('float32', Float32Array.from(pixels), [n, ...c.shape]) });
      const logits = out.logits.data as Float32Array;
      const probs = out.probabilities.data as Float32Array;
      assert.deepEqual(out.logits.dims, [n, 5]);
      const scale = Math.max(...Array.from(want, Math.abs));
      for (let i = 0; i < want.length; i++) assert.ok(Math.abs(logits[i] - want[i]) <= 1e-4 * Math.max(1, scale), `logit ${i}: ${logits[i]} vs ${want[i]}`);
      for (let r = 0; r < n; r++) {
        const row = Array.from(logits.subarray(r * 5, r * 5 + 5));
        const e = row.map((z) => Math.exp(z - Math.max(...row)));
        const s = e.reduce((a, b) => a + b, 0);
        e.forEach((v, k) => assert.ok(Math.abs(probs[r * 5 + k] - v / s) < 1e-5));
      }
      await session.release();
    });
  }

  test('the file: opset 13, IR 7, input image [N, H, W, C], outputs probabilities and logits, metadata', () => {
    const spec = { kind: 'cnn' as const, imageShape: [8, 8, 1] as [number, number, number], numClasses: 2, normHead: false };
    const m = createModel(spec, new Rng(1));
    const bytes = encodeOnnx(spec, m.snapshot(), { classNames: ['cat', 'dog'], mean: [0.5], std: [0.25], run: { name: 'r', id: 3 }, producerVersion: '1.2.3' });
    m.dispose();
    const decoded = onnxProto.onnx.ModelProto.decode(bytes);
    assert.equal(Number(decoded.irVersion), 7);
    assert.equal(Number(decoded.opsetImport[0].version), ONNX_OPSET);
    assert.equal(decoded.graph?.input?.[0].name, 'image');
    assert.deepEqual(decoded.graph?.input?.[0].type?.tensorType?.shape?.dim?.map((d) => d.dimParam || Number(d.dimValue)), ['N', 8, 8, 1]);
    assert.deepEqual(decoded.graph?.output?.map((o) => o.name), ['probabilities', 'logits']);
    const meta = Object.fromEntries(decoded.metadataProps.map((p) => [p.key, p.value]));
    assert.deepEqual(JSON.parse(meta.classNames!), ['cat', 'dog']);
    assert.deepEqual([meta.model, meta.mean, meta.std, JSON.parse(meta.run!).id], ['cnn', '[0.5]', '[0.25]', 3]);
  });
});
