import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as tf from '@tensorflow/tfjs-core';
import { isUserError } from '../../src-main/core/domain/errors';
import { BackendUnavailable, checkSharedCore, nativeLoadReason, packageDir, selectBackend } from '../../src-main/core/train/backend';
import { effectiveWasmThreads } from '../../src-main/core/train/wasm-kernels/loader';

// On this machine tfjs-node and tfjs-node-gpu are not installed (optional dependencies whose
// libtensorflow download is unavailable) and there is no hardware GPU adapter (at most a software
// one, which is never chosen unasked), so the default order lands on wasm.
const GPU_NOT_INSTALLED = 'tensorflow-gpu: @tensorflow/tfjs-node-gpu is not installed';
const CPU_NOT_INSTALLED = 'tensorflow: @tensorflow/tfjs-node is not installed';
/** the webgpu rung's reason on a machine without a hardware GPU adapter */
const NO_HARDWARE_ADAPTER = /^webgpu: (no WebGPU adapter: .+|only a software adapter \(.+\) is available; it is far slower than wasm .+)$/;

async function rejectsWithUserError(p: Promise<unknown>, pattern: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(isUserError(e), `expected a UserError, got ${String(e)}`);
    assert.match((e as Error).message, pattern);
    return true;
  });
}

describe('selectBackend', () => {
  test('importing the module registers nothing', () => {
    // A fresh process: only the import, then a look at what tfjs-core knows.
    const script = `
      import * as tf from '@tensorflow/tfjs-core';
      await import(${JSON.stringify(new URL('../../src-main/core/train/backend.ts', import.meta.url).href)});
      console.log(JSON.stringify({ backends: Object.keys(tf.engine().registryFactory), wasmKernels: tf.getKernelsForBackend('wasm').length, conv2dGrad: !!tf.getGradient('Conv2D') }));`;
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: process.cwd(), encoding: 'utf8' });
    assert.deepEqual(JSON.parse(out.trim().split('\n').pop() ?? ''), { backends: [], wasmKernels: 0, conv2dGrad: false });
  });

  test('the default order picks wasm here and says why the native backends were not used', async () => {
    const r = await selectBackend(undefined, { env: {} });
    assert.equal(r.name, 'wasm');
    assert.equal(r.tfBackend, 'wasm');
    assert.equal(tf.getBackend(), 'wasm');
    assert.equal(r.device, 'cpu');
    assert.ok(Number.isInteger(r.threads) && r.threads >= 1);
    assert.match(r.detail, /^wasm .*SIMD.* build, \d+ threads?$/);
    assert.equal(r.reasons.length, 3);
    assert.equal(r.reasons[0], GPU_NOT_INSTALLED);
    assert.match(r.reasons[1], NO_HARDWARE_ADAPTER);
    assert.equal(r.reasons[2], CPU_NOT_INSTALLED);
    // Training works: the project's kernels and the gradients are registered.
    assert.ok(tf.getGradient('Conv2D'));
    const g = tf.tidy(() => tf.grad((w: tf.Tensor) => tf.sum(tf.conv2d(tf.ones([1, 3, 3, 1]) as tf.Tensor4D, w as tf.Tensor4D, 1, 'valid')))(tf.ones([2, 2, 1, 1])).dataSync());
    assert.deepEqual(Array.from(g), [4, 4, 4, 4]);
  });

  test('forcing cpu works and says the better backends were skipped', async () => {
    const r = await selectBackend('cpu');
    assert.deepEqual([r.name, r.tfBackend, r.device, r.threads], ['cpu', 'cpu', 'cpu', 1]);
    assert.equal(tf.getBackend(), 'cpu');
    assert.deepEqual(r.reasons, [
      "tensorflow-gpu: not tried ('cpu' was requested)",
      "webgpu: not tried ('cpu' was requested)",
      "tensorflow: not tried ('cpu' was requested)",
      "wasm: not tried ('cpu' was requested)",
    ]);
  });

  test('DIVE_BACKEND forces a backend; the argument wins over it', async () => {
    const r = await selectBackend(undefined, { env: { DIVE_BACKEND: 'wasm' } });
    assert.equal(r.name, 'wasm');
    assert.equal(tf.getBackend(), 'wasm');
    assert.deepEqual(r.reasons, [
      "tensorflow-gpu: not tried ('wasm' was requested by DIVE_BACKEND)",
      "webgpu: not tried ('wasm' was requested by DIVE_BACKEND)",
      "tensorflow: not tried ('wasm' was requested by DIVE_BACKEND)",
    ]);
    const c = await selectBackend('cpu', { env: { DIVE_BACKEND: 'wasm' } });
    assert.equal(c.name, 'cpu');
    await selectBackend('wasm'); // back to wasm, started once per process
    assert.equal(tf.getBackend(), 'wasm');
  });

  test('forcing an uninstalled native backend fails and says why', async () => {
    await rejectsWithUserError(selectBackend('tensorflow'), /^backend 'tensorflow' was requested but cannot be used: @tensorflow\/tfjs-node is not installed$/);
    await rejectsWithUserError(
      selectBackend(undefined, { env: { DIVE_BACKEND: 'tensorflow-gpu' } }),
      /^backend 'tensorflow-gpu' was requested by DIVE_BACKEND but cannot be used: @tensorflow\/tfjs-node-gpu is not installed$/,
    );
  });

  test('bad names and thread counts are user errors', async () => {
    await rejectsWithUserError(selectBackend(undefined, { env: { DIVE_BACKEND: 'cuda' } }), /^DIVE_BACKEND: unknown backend 'cuda' \(use one of tensorflow-gpu, webgpu, tensorflow, wasm, cpu\)$/);
    await rejectsWithUserError(selectBackend('wasm', { threads: 0 }), /^threads: must be a whole number >= 1, got 0$/);
  });
});

describe('backend helpers', () => {
  test('native load failures are told apart', () => {
    assert.equal(
      nativeLoadReason('@tensorflow/tfjs-node-gpu', new Error('libcudart.so.11.0: cannot open shared object file: No such file or directory')),
      'CUDA libraries missing: libcudart.so.11.0: cannot open shared object file: No such file or directory',
    );
    assert.equal(
      nativeLoadReason('@tensorflow/tfjs-node', new Error('libtensorflow.so.2: cannot open shared object file\nmore')),
      '@tensorflow/tfjs-node native library failed to load: libtensorflow.so.2: cannot open shared object file',
    );
    assert.equal(nativeLoadReason('@tensorflow/tfjs-node', 'odd'), '@tensorflow/tfjs-node failed to load: odd');
  });

  test('the backend packages share the app tfjs-core; missing packages are named', () => {
    checkSharedCore('@tensorflow/tfjs-backend-wasm');
    checkSharedCore('@tensorflow/tfjs-backend-cpu');
    assert.throws(() => packageDir('@tensorflow/tfjs-node'), (e: unknown) => e instanceof BackendUnavailable && e.message === '@tensorflow/tfjs-node is not installed');
  });

  test('XNNPACK threads: one per logical core by default, never more than the cores, at least 1', () => {
    assert.equal(effectiveWasmThreads(undefined, 2), 2);
    assert.equal(effectiveWasmThreads(undefined, 8), 8);
    assert.equal(effectiveWasmThreads(undefined, 64), 64);
    assert.equal(effectiveWasmThreads(undefined, 1), 1);
    assert.equal(effectiveWasmThreads(2, 8), 2);
    assert.equal(effectiveWasmThreads(12, 8), 8);
    assert.equal(effectiveWasmThreads(1, 16), 1);
  });
});
