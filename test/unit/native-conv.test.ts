// The project's own wasm convolution kernels (src-main/core/train/wasm-kernels/native-conv.ts and
// native/conv-kernels.c), each build (relaxed SIMD and plain SIMD128) and the XNNPACK-only paths
// ('off'), against TF.js's cpu backend on seeded random data: max |wasm - cpu| / max |cpu| < 1e-4.
// The wasm backend runs single-threaded here; native-conv-threads.test.ts runs the threaded build.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '../../src-main/core/rng';
import { selectBackend } from '../../src-main/core/train/backend';
import { forwardScratchFloats, nativeConv, nativeConvBuilds, setNativeConvMode } from '../../src-main/core/train/wasm-kernels/native-conv';
import { kernelSuites, randn, toTensor } from './native-conv-cases';

const inCi = /^(1|true)$/i.test(process.env.CI ?? '');

before(async () => {
  const report = await selectBackend('wasm', { threads: 1 });
  assert.equal(report.name, 'wasm');
  assert.ok(await tf.setBackend('cpu'));
  assert.ok(await tf.setBackend('wasm'));
});

describe('builds', () => {
  test('Node 20 runs both builds of the kernels, relaxed SIMD (after its flag) first', () => {
    assert.deepEqual(nativeConvBuilds(), ['relaxed', 'simd']);
  });

  test('the single-threaded wasm backend gets our kernels, bound to its heap', () => {
    setNativeConvMode('auto');
    assert.equal(nativeConv(tf.backend())?.build, 'relaxed');
    setNativeConvMode('simd');
    assert.equal(nativeConv(tf.backend())?.build, 'simd');
    setNativeConvMode('off');
    assert.equal(nativeConv(tf.backend()), null);
    setNativeConvMode('auto');
  });

  test('forward scratch holds one padded image as far as the windows reach', () => {
    // 32 rows, 3x3 stride 1 pad 1: 32 outputs read rows -1..32, i.e. 34 rows; 16 stride 2 reads 2*15+3 = 33
    assert.equal(forwardScratchFloats(16, 32, 32, 3, 3, 1, 1), 34 * 34 * 16);
    assert.equal(forwardScratchFloats(16, 16, 16, 3, 3, 2, 2), 33 * 33 * 16);
  });

  test('the committed binary is the build of native/*.c', async (t) => {
    const script = new URL('../../src-main/core/train/wasm-kernels/native/build.mjs', import.meta.url).pathname;
    try {
      await promisify(execFile)('clang-19', ['--version']);
    } catch {
      assert.ok(!inCi, 'clang-19 is needed to check the committed wasm in CI (apt-get install clang-19 lld-19)');
      t.skip('not run: clang-19 is not installed (apt-get install clang-19 lld-19)');
      return;
    }
    const { stdout } = await promisify(execFile)(process.execPath, [script, '--check']);
    assert.match(stdout, /matches a build of native\/\*\.c/);
  });
});

kernelSuites();

test('kernels leave the heap as they found it: no tensor or scratch left behind', async () => {
  const rng = new Rng(800);
  const x = toTensor(randn(rng, [2, 8, 8, 8])) as tf.Tensor4D;
  const f = toTensor(randn(rng, [3, 3, 8, 8])) as tf.Tensor4D;
  const before = tf.memory();
  const g = tf.grad((t: tf.Tensor) => tf.sum(tf.conv2d(t as tf.Tensor4D, f, 1, 'same')));
  for (let k = 0; k < 3; k++) tf.tidy(() => g(x).dataSync());
  const after = tf.memory();
  assert.equal(after.numTensors, before.numTensors);
  assert.equal(after.numBytes, before.numBytes);
  x.dispose();
  f.dispose();
});
