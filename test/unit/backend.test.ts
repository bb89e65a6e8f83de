import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as tf from '@tensorflow/tfjs-core';
import { isUserError } from '../../src-main/core/domain/errors';
import { BACKENDS, BackendUnavailable, checkSharedCore, nativeLoadReason, packageDir, selectBackend } from '../../src-main/core/train/backend';
import { effectiveWasmThreads } from '../../src-main/core/train/wasm-kernels/loader';

// tfjs-node and tfjs-node-gpu are optional dependencies: installed where their libtensorflow
// download works, missing elsewhere. What each test expects follows from what is installed here,
// so the tests hold on any machine.
const NATIVE = { 'tensorflow-gpu': '@tensorflow/tfjs-node-gpu', tensorflow: '@tensorflow/tfjs-node' } as const;
const installed = (pkg: string) => {
  try {
    packageDir(pkg);
    return true;
  } catch {
    return false;
  }
};

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

  test('the default order picks the first backend that loads and says why each better one was not used', async () => {
    const r = await selectBackend(undefined, { env: {} });
    const rank = BACKENDS.indexOf(r.name);
    assert.ok(rank >= 0 && r.name !== 'cpu', `wasm always loads, so the default is never cpu (got ${r.name})`);
    assert.equal(r.reasons.length, rank);
    r.reasons.forEach((reason, i) => assert.ok(reason.startsWith(`${BACKENDS[i]}: `), reason));
    for (const [name, pkg] of Object.entries(NATIVE)) {
      const i = BACKENDS.indexOf(name as keyof typeof NATIVE);
      if (!installed(pkg)) assert.equal(r.reasons[i], `${name}: ${pkg} is not installed`);
    }
    assert.ok(Number.isInteger(r.threads) && r.threads >= 1);
    // wasm is what a machine without a working native backend gets; check it explicitly
    const w = r.name === 'wasm' ? r : await selectBackend('wasm');
    assert.equal(w.tfBackend, 'wasm');
    assert.equal(tf.getBackend(), 'wasm');
    assert.equal(w.device, 'cpu');
    assert.match(w.detail, /^wasm .*SIMD.* build, \d+ threads?$/);
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
      "tensorflow: not tried ('wasm' was requested by DIVE_BACKEND)",
    ]);
    const c = await selectBackend('cpu', { env: { DIVE_BACKEND: 'wasm' } });
    assert.equal(c.name, 'cpu');
    await selectBackend('wasm'); // back to wasm, started once per process
    assert.equal(tf.getBackend(), 'wasm');
  });

  test('forcing a native backend: refused with the reason where it is not installed, else it loads or says why not', async () => {
    const esc = (x: string) => x.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    for (const [name, pkg] of Object.entries(NATIVE)) {
      for (const [how, attempt] of [
        ['requested', () => selectBackend(name as keyof typeof NATIVE, { env: {} })],
        ['requested by DIVE_BACKEND', () => selectBackend(undefined, { env: { DIVE_BACKEND: name } })],
      ] as const) {
        const prefix = `backend '${name}' was ${how} but cannot be used: `;
        if (!installed(pkg)) {
          await rejectsWithUserError(attempt(), new RegExp(`^${esc(prefix)}${esc(pkg)} is not installed$`));
        } else {
          const outcome = await attempt().then((r) => r.name, (e: unknown) => e);
          if (outcome !== name) {
            assert.ok(isUserError(outcome), `expected ${name} or a UserError, got ${String(outcome)}`);
            assert.ok((outcome as Error).message.startsWith(prefix), (outcome as Error).message);
          }
        }
      }
    }
    await selectBackend('wasm');
  });

  test('bad names and thread counts are user errors', async () => {
    await rejectsWithUserError(selectBackend(undefined, { env: { DIVE_BACKEND: 'cuda' } }), /^DIVE_BACKEND: unknown backend 'cuda' \(use one of tensorflow-gpu, tensorflow, wasm, cpu\)$/);
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
    assert.throws(() => packageDir('@tensorflow/tfjs-no-such-package'), (e: unknown) => e instanceof BackendUnavailable && e.message === '@tensorflow/tfjs-no-such-package is not installed');
  });

  test('XNNPACK threads: half the logical cores, at most 8, at least 1', () => {
    assert.equal(effectiveWasmThreads(undefined, 2), 1);
    assert.equal(effectiveWasmThreads(undefined, 8), 4);
    assert.equal(effectiveWasmThreads(undefined, 32), 8);
    assert.equal(effectiveWasmThreads(2, 8), 2);
    assert.equal(effectiveWasmThreads(6, 8), 4);
    assert.equal(effectiveWasmThreads(1, 16), 1);
  });
});
