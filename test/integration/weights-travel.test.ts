// Weights that travel, end to end through the real CLI on Fashion-MNIST-LT (tiny runs: one epoch):
// - ONNX: ONNX Runtime (onnxruntime-web's wasm) gives the workbench's argmax on >= 99.9% of the
//   10,000 test images, and Debian's python3-onnx checker accepts the file;
// - safetensors: PyTorch 1.13 (Debian's python3-torch) loads it into docs/pytorch/models.py with
//   load_state_dict(strict=True), and its test-set top-1 equals the run's to four decimals, for a
//   cnn, a resnet8 (LDAM-DRW's names) and a cnn with LDAM-DRW's cosine classifier;
// - --init-weights starts a run from the file's tensors; another class count needs --reset-head;
// - import-run registers the file as a completed run with the same test top-1, usable as a teacher;
// - predict gives each image its top classes, and one line for an image that does not decode;
// - bad input (a run not completed, a file that is not safetensors) gets one line and writes nothing.
// Without python3-torch / python3-onnx the PyTorch checks report "not run"; under CI=true they fail.
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as ort from 'onnxruntime-web';
import sharp from 'sharp';
import type { PredictResult } from '../../src-main/core/domain/contract';
import type { RunInfo, RunSummary } from '../../src-main/core/domain/types';
import { argmaxRows } from '../../src-main/core/eval/metrics';
import { runFilePath } from '../../src-main/core/store/runs';
import { openStore } from '../../src-main/core/store/store';
import { readWeights } from '../../src-main/core/train/checkpoint';
import { loadSplitData } from '../../src-main/core/train/data';
import { asPixelSource, type PixelSource } from '../../src-main/core/train/pixel-source';
import { decodeSafeTensors, encodeSafeTensors } from '../../src-main/core/train/safetensors';
import { dive, tempDir } from '../helpers/cli';

/** Images first .. first + n - 1 of 28x28x1 pixels, read from wherever they are (a split's pixels are a file-backed source). */
function imagesOf(src: Uint8Array | PixelSource, first: number, n: number): Uint8Array {
  const out = new Uint8Array(n * 784);
  asPixelSource(src, 784).read(Int32Array.from({ length: n }, (_, i) => first + i), 0, n, out);
  return out;
}

const FMNIST = '/usr/share/datasets/fashion-mnist';
const EVAL = join(import.meta.dirname, '..', 'helpers', 'pytorch_eval.py');
const inCi = /^(1|true)$/i.test(process.env.CI ?? '');
const ONE_EPOCH = ['--epochs', '1', '--batch', '64', '--lr', '0.02', '--backend', 'wasm', '--seed', '5', '--augment', 'none'];

/** The first Python with torch and onnx (Debian's python3-torch, python3-onnx), or why there is none. */
function torchPython(): { py: string } | { missing: string } {
  for (const py of ['/usr/bin/python3', 'python3']) {
    if (spawnSync(py, ['-c', 'import torch, onnx'], { stdio: 'ignore', timeout: 120_000 }).status === 0) return { py };
  }
  return { missing: 'no Python here imports torch and onnx: apt-get install python3-torch python3-onnx' };
}

describe('weights that travel (dive export, predict, import-run, --init-weights)', () => {
  assert.ok(existsSync(FMNIST), 'apt-get install dataset-fashion-mnist');
  const t = tempDir();
  const db = join(t.dir, 'dive.sqlite');
  const out = (f: string) => join(t.dir, f);
  const runs: Record<string, RunInfo> = {};
  /** the workbench's own prediction for each test image, from the run's stored weights (once per run) */
  const argmaxes = new Map<string, Int32Array>();
  const workbenchArgmax = async (run: string): Promise<Int32Array> => {
    const known = argmaxes.get(run);
    if (known) return known;
    const store = openStore({ db });
    try {
      const [{ selectBackend }, inference] = await Promise.all([import('../../src-main/core/train/backend'), import('../../src-main/core/train/inference')]);
      await selectBackend('wasm');
      const data = await loadSplitData(store, 'lt');
      const m = inference.loadModel(runFilePath(store, run, 'weights')!);
      try {
        const out = argmaxRows(await inference.logitsOf(m, data.testImages, data.testLabels), data.numClasses);
        argmaxes.set(run, out);
        return out;
      } finally {
        m.model.dispose();
      }
    } finally {
      store.close();
    }
  };
  const files = () => readdirSync(t.dir).sort();

  before(() => {
    assert.equal(dive(db, ['import', 'fashion-mnist']).code, 0);
    assert.equal(dive(db, ['split', '--dataset', 'fashion-mnist', '--name', 'lt', '--ratio', '100', '--max-per-class', '500']).code, 0);
    for (const [name, args] of [['cnn', ['--method', 'bsce', '--model', 'cnn']], ['r8', ['--method', 'bsce', '--model', 'resnet8']], ['ldam', ['--method', 'ldam-drw', '--model', 'cnn']]] as const) {
      const r = dive(db, ['train', '--split', 'lt', '--name', name, ...args, ...ONE_EPOCH, '--json']);
      assert.equal(r.code, 0, r.stderr);
      runs[name] = r.json() as RunInfo;
      assert.ok(runs[name].metrics!.top1 > 0.2, `${name} learnt something: ${runs[name].metrics!.top1}`);
    }
  });
  after(() => t.cleanup());

  it('ONNX: ONNX Runtime agrees with the workbench on >= 99.9% of the test images', async (ctx) => {
    const r = dive(db, ['export', 'cnn', '--format', 'onnx', '--out', out('cnn.onnx'), '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((r.json() as { path: string }).path, out('cnn.onnx'));
    const store = openStore({ db });
    const data = await loadSplitData(store, 'lt').finally(() => store.close());
    ort.env.wasm.numThreads = 1;
    const session = await ort.InferenceSession.create(readFileSync(out('cnn.onnx')));
    const n = data.testLabels.length;
    const got = new Int32Array(n);
    for (let s = 0; s < n; s += 1000) {
      const count = Math.min(1000, n - s);
      const x = Float32Array.from(imagesOf(data.testImages, s, count));
      const res = await session.run({ image: new ort.Tensor('float32', x, [count, 28, 28, 1]) });
      got.set(argmaxRows(res.probabilities.data as Float32Array, 10), s);
    }
    await session.release();
    const ours = await workbenchArgmax('cnn');
    const agree = got.reduce((a, v, i) => a + (v === ours[i] ? 1 : 0), 0) / n;
    assert.ok(agree >= 0.999, `ONNX Runtime agrees on ${(agree * 100).toFixed(2)}% of the test images`);
    const py = torchPython();
    if ('missing' in py) {
      assert.ok(!inCi, py.missing);
      return ctx.skip(`onnx.checker not run: ${py.missing}`);
    }
    const check = spawnSync(py.py, [EVAL, '--onnx', out('cnn.onnx')], { encoding: 'utf8' });
    assert.equal(check.status, 0, check.stderr);
    assert.deepEqual(JSON.parse(check.stdout), { onnxChecked: true });
  });

  it('safetensors: PyTorch loads it strictly and gets the run\'s test top-1 to four decimals', async (ctx) => {
    const py = torchPython();
    if ('missing' in py) {
      assert.ok(!inCi, py.missing);
      return ctx.skip(`not run: ${py.missing}`);
    }
    for (const name of ['cnn', 'r8', 'ldam']) {
      const r = dive(db, ['export', name, '--format', 'safetensors', '--out', out(`${name}.safetensors`)]);
      assert.equal(r.code, 0, r.stderr);
      const resave = name === 'r8' ? ['--resave', out('r8-from-torch.safetensors')] : [];
      const ev: SpawnSyncReturns<string> = spawnSync(py.py, [EVAL, '--weights', out(`${name}.safetensors`), '--idx', FMNIST, ...resave], { encoding: 'utf8', maxBuffer: 1 << 26 });
      assert.equal(ev.status, 0, ev.stderr);
      const { top1, argmax } = JSON.parse(ev.stdout) as { top1: number; argmax: number[] };
      assert.equal(top1.toFixed(4), runs[name].metrics!.top1.toFixed(4), `${name}: PyTorch ${top1}, workbench ${runs[name].metrics!.top1}`);
      assert.equal(argmax.length, 10_000);
    }
    // the other way: the resnet8 as PyTorch saves it (docs/pytorch/models.py's export_run) imports with the same test top-1
    const back = dive(db, ['import-run', out('r8-from-torch.safetensors'), '--split', 'lt', '--name', 'r8-from-torch', '--json']);
    assert.equal(back.code, 0, back.stderr);
    const imported = back.json() as RunInfo;
    assert.equal(imported.metrics!.top1.toFixed(4), runs.r8.metrics!.top1.toFixed(4));
    assert.match(String(imported.origin?.source?.trainedWith), /^PyTorch 1\./);
    // the file names its own model and normalisation (metadata), in PyTorch's state_dict layout
    const f = decodeSafeTensors(readFileSync(out('r8.safetensors')), 'r8');
    assert.equal(f.metadata.model, 'resnet8');
    assert.deepEqual(JSON.parse(f.metadata.imageShape), [28, 28, 1]);
    assert.equal(JSON.parse(f.metadata.classNames).length, 10);
    assert.deepEqual(f.tensors.find((x) => x.name === 'layer2.0.conv1.weight')?.shape, [32, 16, 3, 3]);
    assert.equal(f.tensors.find((x) => x.name === 'bn1.num_batches_tracked')?.data[0], 20, '1,236 images at batch 64: 20 steps');
  });

  it('--init-weights starts from the file; another class count is refused unless --reset-head; bad files get one line', () => {
    if (!existsSync(out('cnn.safetensors'))) assert.equal(dive(db, ['export', 'cnn', '--format', 'safetensors', '--out', out('cnn.safetensors')]).code, 0);
    // lr ~ 0, no momentum or weight decay: the trained weights are the file's
    const r = dive(db, ['train', '--split', 'lt', '--method', 'bsce', '--model', 'cnn', '--name', 'warm', '--init-weights', out('cnn.safetensors'), ...ONE_EPOCH, '--lr', '1e-12', '--momentum', '0', '--weight-decay', '0', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const warm = r.json() as RunInfo;
    assert.equal(warm.origin?.kind, 'initialised');
    assert.equal(warm.origin?.file, 'cnn.safetensors');
    const store = openStore({ db });
    try {
      const a = readWeights(runFilePath(store, 'cnn', 'weights')!).weights;
      const b = readWeights(runFilePath(store, 'warm', 'weights')!).weights;
      for (const name of ['conv1.weight', 'conv2.weight', 'linear.weight']) {
        const x = a.find((w) => w.name === name)!.data;
        const y = b.find((w) => w.name === name)!.data;
        assert.ok(x.every((v, i) => Math.abs(v - y[i]) < 1e-6), `${name} starts where the file is`);
      }
    } finally {
      store.close();
    }
    // a 7-class classifier: refused, then accepted with --reset-head (the features kept, the head fresh)
    const f = decodeSafeTensors(readFileSync(out('cnn.safetensors')), 'cnn');
    const seven = f.tensors.map((x) =>
      x.name === 'linear.weight' ? { name: x.name, shape: [7, x.shape[1]], data: x.data.slice(0, 7 * x.shape[1]) }
        : x.name === 'linear.bias' ? { name: x.name, shape: [7], data: x.data.slice(0, 7) }
          : x.dtype === 'I64' ? { name: x.name, shape: x.shape, int64: Array.from(x.data) } : { name: x.name, shape: x.shape, data: x.data });
    writeFileSync(out('seven.safetensors'), Buffer.concat(encodeSafeTensors(seven, f.metadata)));
    writeFileSync(out('not.safetensors'), 'these are not weights');
    const before = files();
    const refused = dive(db, ['train', '--split', 'lt', '--method', 'bsce', '--model', 'cnn', '--name', 'seven', '--init-weights', out('seven.safetensors'), ...ONE_EPOCH]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr.trim(), /^dive: .*seven\.safetensors: its classifier has 7 classes and this split 10; add --reset-head/);
    assert.equal(refused.stderr.trim().split('\n').length, 1);
    const wrongModel = dive(db, ['train', '--split', 'lt', '--method', 'bsce', '--model', 'resnet8', '--name', 'x', '--init-weights', out('cnn.safetensors'), ...ONE_EPOCH]);
    assert.match(wrongModel.stderr.trim(), /^dive: .*cnn\.safetensors holds a cnn, the run trains a resnet8: add --model cnn$/);
    const notWeights = dive(db, ['train', '--split', 'lt', '--method', 'bsce', '--model', 'cnn', '--name', 'x', '--init-weights', out('not.safetensors'), ...ONE_EPOCH]);
    assert.match(notWeights.stderr.trim(), /^dive: .*not\.safetensors is not a safetensors file \(.*\)/);
    assert.deepEqual((dive(db, ['runs', '--json']).json() as RunSummary[]).map((x) => x.name).filter((n) => n === 'seven' || n === 'x'), [], 'no run created');
    assert.deepEqual(files(), before, 'nothing written');
    const reset = dive(db, ['train', '--split', 'lt', '--method', 'bsce', '--model', 'cnn', '--name', 'seven', '--init-weights', out('seven.safetensors'), '--reset-head', ...ONE_EPOCH, '--json']);
    assert.equal(reset.code, 0, reset.stderr);
    assert.equal((reset.json() as RunInfo).origin?.resetHead, true);
  });

  it('import-run: a completed run with the same test top-1, with its origin, usable as a DiVE teacher', () => {
    if (!existsSync(out('cnn.safetensors'))) assert.equal(dive(db, ['export', 'cnn', '--format', 'safetensors', '--out', out('cnn.safetensors')]).code, 0);
    const r = dive(db, ['import-run', out('cnn.safetensors'), '--split', 'lt', '--name', 'from-torch', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const imported = r.json() as RunInfo;
    assert.equal(imported.status, 'completed');
    assert.equal(imported.method, 'bsce');
    assert.equal(imported.metrics!.top1, runs.cnn.metrics!.top1, 'the same weights and normalisation give the same test predictions');
    assert.equal(imported.origin?.kind, 'imported');
    assert.equal(imported.origin?.file, 'cnn.safetensors');
    assert.match(imported.origin!.sha256, /^[0-9a-f]{64}$/);
    assert.equal(imported.origin?.source?.name, 'cnn', 'the file says which run it was exported from');
    const listed = (dive(db, ['runs', '--json']).json() as RunSummary[]).find((x) => x.name === 'from-torch')!;
    assert.equal(listed.origin?.kind, 'imported');
    const student = dive(db, ['train', '--split', 'lt', '--method', 'dive', '--teacher', 'from-torch', '--model', 'cnn', '--name', 'student', ...ONE_EPOCH, '--json']);
    assert.equal(student.code, 0, student.stderr);
    assert.equal((student.json() as RunInfo).teacherInfo?.name, 'from-torch');
    // a file that is not safetensors, and a name taken: one line each, no run
    const bad = dive(db, ['import-run', out('not.safetensors'), '--split', 'lt', '--name', 'bad']);
    assert.equal(bad.code, 1);
    assert.equal(bad.stderr.trim().split('\n').length, 1);
    assert.match(bad.stderr, /is not a safetensors file/);
    assert.ok(!(dive(db, ['runs', '--json']).json() as RunSummary[]).some((x) => x.name === 'bad'));
  });

  it('predict: the top classes of image files, and one line for an image that does not decode', async () => {
    // test images 0 and 1 as PNG files, as a user would have them
    const store = openStore({ db });
    const data = await loadSplitData(store, 'lt').finally(() => store.close());
    for (const i of [0, 1]) await sharp(Buffer.from(imagesOf(data.testImages, i, 1)), { raw: { width: 28, height: 28, channels: 1 } }).png().toFile(out(`img${i}.png`));
    writeFileSync(out('broken.png'), 'not an image');
    const r = dive(db, ['predict', 'cnn', out('img0.png'), out('broken.png'), out('img1.png'), '--top', '3', '--json']);
    assert.equal(r.code, 1, 'an image failed');
    assert.equal(r.stderr.trim().split('\n').length, 1);
    assert.match(r.stderr, /^dive: cannot decode image .*broken\.png/);
    const p = r.json() as PredictResult;
    assert.deepEqual(p.predictions.map((x) => x.file), [out('img0.png'), out('broken.png'), out('img1.png')]);
    const ours = await workbenchArgmax('cnn');
    for (const [k, i] of [[0, 0], [2, 1]]) {
      const top = p.predictions[k].top!;
      assert.equal(top.length, 3);
      assert.equal(top[0].class, ours[i], 'the most probable class is the workbench\'s prediction for that test image');
      assert.ok(top[0].p >= top[1].p && top[1].p >= top[2].p && top[0].p <= 1);
      assert.equal(typeof top[0].label, 'string');
    }
    // a run that is not completed (marked failed here): one line, nothing written
    const store2 = openStore({ db });
    store2.db.prepare("UPDATE runs SET status = 'failed' WHERE name = 'ldam'").run();
    store2.close();
    const before = files();
    for (const args of [['predict', 'ldam', out('img0.png')], ['export', 'ldam', '--format', 'onnx', '--out', out('l.onnx')], ['export', 'ldam', '--format', 'safetensors', '--out', out('l.safetensors')]]) {
      const x = dive(db, args);
      assert.equal(x.code, 1);
      assert.equal(x.stderr.trim(), 'dive: run "ldam" is failed; only completed runs have a trained model');
    }
    assert.deepEqual(files(), before);
  });
});
