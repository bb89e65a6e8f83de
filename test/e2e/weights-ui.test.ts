// Weights that travel, in Chromium against `dive serve`: the run page's export offers TF.js, ONNX
// and safetensors and downloads the chosen one; "Try it" takes dropped and chosen images and shows
// the top classes with bars (one line for an image that does not decode); the Train screen's
// "Initialise from" starts a run from a safetensors file, which its page then names; the teacher
// list shows an imported run with its origin. Screenshots to test/e2e/screenshots/ (21-*).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import sharp from 'sharp';
import onnxProto from 'onnx-proto';
import { createDispatcher, type Dispatcher } from '../../src-main/core/app/dispatch';
import { commitDataset } from '../../src-main/core/store/datasets';
import { RecordWriter, Staging } from '../../src-main/core/store/files';
import { decodeSafeTensors } from '../../src-main/core/train/safetensors';
import { startServer, type RunningServer } from '../../src-main/server/server';
import { tempStore, type TempStore } from '../helpers/fixtures';
import { ROOT } from './serve';

const ARTIFACTS = join(ROOT, 'test/e2e/screenshots');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const COLOURS: Record<string, number[]> = { red: [220, 30, 30], green: [30, 200, 40], blue: [30, 40, 220] };

let t: TempStore;
let d: Dispatcher;
let s: RunningServer;
let context: BrowserContext;
let page: Page;
let profile: string;
let files: string;
const problems: string[] = [];

/** 8x8 RGB images, one colour per class with a little noise: something a tiny model learns in a few epochs. */
function addDataset(): void {
  const staging = new Staging(t.store.dataDir);
  const size = 8 * 8 * 3;
  const part = (labels: number[], file: string) => {
    const w = new RecordWriter(staging.path(file), size);
    labels.forEach((l, n) => w.append(Uint8Array.from({ length: size }, (_, k) => Object.values(COLOURS)[l][k % 3] + ((n * 7 + k * 13) % 21) - 10)));
    return { pixels: w.close(), labels: Int32Array.from(labels) };
  };
  commitDataset(t.store, 'colours', staging, {
    format: 'folder', source: { path: '/synthetic' }, imageShape: [8, 8, 3], classNames: Object.keys(COLOURS),
    train: part(Array.from({ length: 90 }, (_, n) => n % 3), 'train.u8'), test: part(Array.from({ length: 30 }, (_, n) => n % 3), 'test.u8'),
  });
}

const TINY = { model: 'cnn' as const, epochs: 4, batchSize: 8, lr: 0.05, backend: 'cpu' as const, seed: 1, augment: { crop: false, flip: false } };

before(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  if (!existsSync(join(ROOT, 'out/renderer/index.html'))) {
    const b = spawnSync(process.execPath, [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'src-renderer/vite.config.ts'], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(b.status, 0, b.stderr);
  }
  t = tempStore();
  files = join(t.dir, 'files');
  mkdirSync(files);
  addDataset();
  d = createDispatcher(t.store, { frontDoor: 'web', closeGraceMs: 10_000 });
  await d.call('createSplit', { dataset: 'colours', name: 'lt', ratio: 3, maxPerClass: 30 });
  await d.call('train', { split: 'lt', name: 'teacher', config: { method: 'bsce', ...TINY } });
  assert.equal((await d.runEnded('teacher')).status, 'completed');
  // the same weights "trained elsewhere": exported, then registered with import-run
  await d.call('exportRun', { run: 'teacher', format: 'safetensors', out: join(files, 'lab-teacher.safetensors') });
  const imported = await d.call('importRun', { file: join(files, 'lab-teacher.safetensors'), split: 'lt', name: 'lab-teacher' });
  assert.equal(imported.origin?.kind, 'imported');
  s = await startServer({ dispatcher: d, rendererDir: join(ROOT, 'out/renderer'), port: 0, log: () => {} });
  profile = mkdtempSync(join(tmpdir(), 'dive-e2e-weights-'));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    acceptDownloads: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1360, height: 900 },
  });
  page = context.pages()[0] ?? (await context.newPage());
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' || /Content Security Policy/i.test(m.text())) problems.push(`console ${m.type()}: ${m.text()}`);
  });
});

after(async () => {
  await context?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
  await s?.close();
  await d?.close();
  t?.cleanup();
});

const url = (hash: string) => `http://127.0.0.1:${s.port}/${hash}${hash.includes('?') ? '&' : '?'}token=${s.token}`;

test('weights that travel, in the UI', { timeout: 600_000 }, async (tt) => {
  await tt.test('the run page downloads the chosen format: ONNX, then safetensors', async () => {
    await page.goto(url('#/runs/teacher'));
    await page.getByTestId('export-format').waitFor();
    await page.getByTestId('export-format-onnx').check();
    assert.match(await page.getByTestId('export-blurb').innerText(), /ONNX Runtime/);
    const [onnxDownload] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-model').click()]);
    assert.equal(onnxDownload.suggestedFilename(), 'teacher.onnx');
    const onnxPath = join(files, 'got.onnx');
    await onnxDownload.saveAs(onnxPath);
    const model = onnxProto.onnx.ModelProto.decode(readFileSync(onnxPath));
    assert.deepEqual(model.graph?.output?.map((o) => o.name), ['probabilities', 'logits']);
    assert.deepEqual(JSON.parse(model.metadataProps.find((p) => p.key === 'classNames')!.value!), ['red', 'green', 'blue']);

    await page.getByTestId('export-format-safetensors').check();
    const [stDownload] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-model').click()]);
    assert.equal(stDownload.suggestedFilename(), 'teacher.safetensors');
    const stPath = join(files, 'got.safetensors');
    await stDownload.saveAs(stPath);
    assert.equal(decodeSafeTensors(readFileSync(stPath), 'got').metadata.model, 'cnn');
  });

  await tt.test('Try it: a chosen image and a dropped one get their top classes with bars; a broken file one line', async () => {
    const red = join(files, 'red.png');
    await sharp(Buffer.alloc(16 * 16 * 3, Buffer.from(COLOURS.red)), { raw: { width: 16, height: 16, channels: 3 } }).png().toFile(red);
    writeFileSync(join(files, 'broken.png'), 'this is not a picture');
    await page.getByTestId('try-input').setInputFiles([red, join(files, 'broken.png')]);
    const results = page.getByTestId('try-result');
    await page.getByTestId('try-error').waitFor({ timeout: 60_000 });
    await results.filter({ hasText: 'red.png' }).getByTestId('try-class').first().waitFor({ timeout: 60_000 });
    assert.match(await page.getByTestId('try-error').innerText(), /^cannot decode image broken\.png/);
    const rows = results.filter({ hasText: 'red.png' }).getByTestId('try-class');
    assert.equal(await rows.count(), 3, 'three classes: all three listed');
    assert.match(await rows.first().innerText(), /^red\s+\d+\.\d%$/);
    // dropped: a green image made in the page, as a file dragged from the desktop arrives
    // (a string: the test's TypeScript has no DOM types, the page runs it)
    const dt = await page.evaluateHandle(`(async () => {
      const c = document.createElement('canvas');
      c.width = c.height = 12;
      const g = c.getContext('2d');
      g.fillStyle = 'rgb(30, 200, 40)';
      g.fillRect(0, 0, 12, 12);
      const blob = await new Promise((r) => c.toBlob((b) => r(b), 'image/png'));
      const transfer = new DataTransfer();
      transfer.items.add(new File([blob], 'green.png', { type: 'image/png' }));
      return transfer;
    })()`);
    await page.getByTestId('try-zone').dispatchEvent('drop', { dataTransfer: dt });
    await results.filter({ hasText: 'green.png' }).getByTestId('try-class').first().waitFor({ timeout: 60_000 });
    assert.match(await results.filter({ hasText: 'green.png' }).getByTestId('try-class').first().innerText(), /^green/);
    await page.getByTestId('try-it').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(ARTIFACTS, '21-run-export-try-it.png'), fullPage: true });
  });

  await tt.test('the teacher list shows the imported run with its origin', async () => {
    await page.goto(url('#/train'));
    await page.getByTestId('method-dive').click();
    const origin = page.getByTestId('teacher-origin');
    await origin.first().waitFor();
    assert.equal(await origin.count(), 1, 'only the imported run has an origin');
    assert.equal(await origin.first().innerText(), 'imported from lab-teacher.safetensors (run teacher)');
    await page.getByTestId('teachers-recommended').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(ARTIFACTS, '21-teacher-origin.png') });
  });

  await tt.test('Initialise from a safetensors file: the run starts from it and its page says so', async () => {
    await page.getByTestId('method-bsce').click();
    await page.getByTestId('model-cnn').click();
    await page.getByTestId('run-name').fill('warm');
    await page.getByTestId('epochs').fill('1');
    await page.getByTestId('batch').fill('8');
    await page.getByTestId('backend').selectOption('cpu');
    const options = await page.getByTestId('init-select').locator('option').allInnerTexts();
    assert.ok(options.some((o) => o.startsWith('run teacher (bsce')), options.join(' | '));
    await page.getByTestId('init-select').selectOption('file');
    await page.getByTestId('init-file').fill(join(files, 'lab-teacher.safetensors'));
    await page.getByTestId('init-from').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(ARTIFACTS, '21-train-init-from.png'), fullPage: false });
    await page.getByTestId('start-training').click();
    assert.equal((await d.runEnded('warm')).status, 'completed');
    await page.goto(url('#/runs/warm'));
    await page.getByTestId('run-origin').waitFor();
    assert.match(await page.getByTestId('run-origin').innerText(), /^initialised from lab-teacher\.safetensors/);
  });

  assert.deepEqual(problems, []);
});
