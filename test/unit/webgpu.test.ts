// The webgpu rung, checked on SwiftShader (the software Vulkan driver Debian's chromium ships):
// every kernel training uses gives the cpu backend's results, and a tiny run trains the same.
// It runs in a child process (webgpu-checks.ts) because the Vulkan loader reads its environment
// when it starts. Without SwiftShader the test fails under CI=true (.ci/run installs chromium and
// libvulkan1) and is reported as not run elsewhere, never passed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { WebgpuChecks } from './webgpu-checks';

/** relative error allowed per kernel output (as for the wasm kernels) */
const KERNEL_TOL = 1e-4;
/** the tolerances of train-equivalence.test.ts (measured here: losses 4e-8 rel., logits 7e-6, weights 4e-7) */
const LOSS_RTOL = 2e-6;
const LOGIT_ATOL = 1e-4;
const WEIGHT_ATOL = 1e-5;

const ICD = process.env.VK_ICD_FILENAMES ?? '/usr/lib/chromium/vk_swiftshader_icd.json';
const SYSTEM_VULKAN = ['/usr/lib/x86_64-linux-gnu/libvulkan.so.1', '/usr/lib/aarch64-linux-gnu/libvulkan.so.1', '/usr/lib/libvulkan.so.1'];

/** The environment that makes Dawn see SwiftShader, or why it cannot be made here. */
function swiftshaderEnv(): { env: NodeJS.ProcessEnv } | { missing: string } {
  if (process.platform !== 'linux') return { missing: `SwiftShader checks run on Linux only (this is ${process.platform})` };
  if (!existsSync(ICD)) return { missing: `SwiftShader's Vulkan driver is not at ${ICD} (install chromium, or set VK_ICD_FILENAMES)` };
  const env: NodeJS.ProcessEnv = { ...process.env, VK_ICD_FILENAMES: ICD, XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR ?? mkdtempSync(path.join(os.tmpdir(), 'dive-xdg-')) };
  // Chromium ships its own Vulkan loader beside the driver; use it where libvulkan1 is not installed.
  if (!SYSTEM_VULKAN.some((f) => existsSync(f))) {
    const bundled = path.join(path.dirname(ICD), 'libvulkan.so.1');
    if (!existsSync(bundled)) return { missing: 'no Vulkan loader: install libvulkan1' };
    env.LD_LIBRARY_PATH = [path.dirname(ICD), process.env.LD_LIBRARY_PATH].filter(Boolean).join(':');
  }
  return { env };
}

const inCi = /^(1|true)$/i.test(process.env.CI ?? '');

test('webgpu (SwiftShader): every training kernel matches cpu, and a tiny run trains the same', { timeout: 600_000 }, async (t) => {
  const setup = swiftshaderEnv();
  if ('missing' in setup) {
    assert.ok(!inCi, `webgpu checks cannot run in CI: ${setup.missing}`);
    t.skip(`not run: ${setup.missing}`);
    return;
  }
  const script = new URL('./webgpu-checks.ts', import.meta.url).pathname;
  let stdout: string;
  try {
    ({ stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', script], { env: setup.env, maxBuffer: 64 << 20 }));
  } catch (e) {
    stdout = (e as { stdout?: string }).stdout ?? '';
  }
  let result: WebgpuChecks | { error: string };
  try {
    result = JSON.parse(stdout.trim().split('\n').pop() ?? '') as WebgpuChecks | { error: string };
  } catch {
    result = { error: `webgpu-checks.ts ended without its result: ${stdout.slice(-300)}` };
  }
  if ('error' in result) {
    // no adapter at all (e.g. Dawn refused the driver): a failure in CI, reported as not run elsewhere
    if (!inCi && /no WebGPU adapter|dawn\.node failed to load/.test(result.error)) {
      t.skip(`not run: ${result.error}`);
      return;
    }
    assert.fail(`webgpu checks failed: ${result.error}`);
  }
  t.diagnostic(result.detail);
  assert.ok(result.software, 'SwiftShader is reported as a software adapter');

  // kernels: all of them present on webgpu, the same shapes and values
  assert.ok(result.kernels.length > 50, `only ${result.kernels.length} kernel calls recorded`);
  const names = new Set(result.kernels.map((k) => k.kernel));
  for (const k of ['Conv2D', 'Conv2DBackpropFilter', 'Conv2DBackpropInput', 'BatchMatMul', 'MaxPoolGrad', 'Softmax', 'OneHot', 'Sum', 'Mean']) assert.ok(names.has(k), `${k} was not recorded`);
  const missing = [...new Set(result.kernels.filter((k) => k.relErr === null).map((k) => k.kernel))];
  assert.deepEqual(missing, [], `kernels with no webgpu implementation: ${missing.join(', ')}`);
  for (const k of result.kernels) {
    assert.ok(k.sameShapes, `${k.kernel} (${k.shapes}): output shapes differ`);
    assert.ok((k.relErr ?? Infinity) < KERNEL_TOL, `${k.kernel} (${k.shapes}): relative error ${k.relErr}`);
  }

  // training: the same losses, logits and weights as cpu, nothing leaked
  for (const r of result.train) {
    t.diagnostic(`${r.model}: losses cpu ${r.cpuLosses.join(', ')} webgpu ${r.webgpuLosses.join(', ')}; logits ${r.logitMaxAbs.toExponential(1)}; weights ${r.weightMaxAbs.toExponential(1)}`);
    assert.ok(r.cpuLosses[1] < r.cpuLosses[0], 'the run trained');
    r.cpuLosses.forEach((l, i) => assert.ok(Math.abs(r.webgpuLosses[i] - l) / Math.abs(l) <= LOSS_RTOL, `epoch ${i + 1}: loss cpu ${l} webgpu ${r.webgpuLosses[i]}`));
    assert.ok(r.logitMaxAbs <= LOGIT_ATOL, `test logits differ by up to ${r.logitMaxAbs}`);
    assert.ok(r.weightMaxAbs <= WEIGHT_ATOL, `weights differ by up to ${r.weightMaxAbs}`);
    assert.ok(r.sameTrainAcc, 'training accuracies differ');
    assert.equal(r.tensorsLeft, 0, 'tensors left behind');
  }
});
