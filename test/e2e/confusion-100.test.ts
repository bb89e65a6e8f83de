// Confusion matrices of a 100-class dataset (CIFAR-100's class names) in Chromium: on Compare
// and on the run page at 1024x700 and 1400x900 the page stays within the window, the matrix scrolls
// in its own box with compact cells, long names are cut with "…" and whole in the tooltip, and a
// click on a cell shows its test images. Screenshots to test/e2e/screenshots/ (11-*) to be looked at.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { createDispatcher, type Dispatcher } from '../../src-main/core/app/dispatch';
import { commitDataset } from '../../src-main/core/store/datasets';
import { RecordWriter, Staging } from '../../src-main/core/store/files';
import { startServer, type RunningServer } from '../../src-main/server/server';
import { tempStore, type TempStore } from '../helpers/fixtures';
import { ROOT } from './serve';

const ARTIFACTS = join(ROOT, 'test/e2e/screenshots');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const CIFAR100 = `apple aquarium_fish baby bear beaver bed bee beetle bicycle bottle bowl boy bridge bus butterfly camel can castle
caterpillar cattle chair chimpanzee clock cloud cockroach couch crab crocodile cup dinosaur dolphin elephant flatfish forest fox girl
hamster house kangaroo keyboard lamp lawn_mower leopard lion lizard lobster man maple_tree motorcycle mountain mouse mushroom oak_tree
orange orchid otter palm_tree pear pickup_truck pine_tree plain plate poppy porcupine possum rabbit raccoon ray road rocket rose sea
seal shark shrew skunk skyscraper snail snake spider squirrel streetcar sunflower sweet_pepper table tank telephone television tiger
tractor train trout tulip turtle wardrobe whale willow_tree wolf woman worm`.split(/\s+/);

let t: TempStore;
let d: Dispatcher;
let s: RunningServer;
let context: BrowserContext;
let page: Page;
let profile: string;
const problems: string[] = [];

function addDataset(): void {
  assert.equal(CIFAR100.length, 100);
  const staging = new Staging(t.store.dataDir);
  const size = 4 * 4 * 3;
  const part = (labels: number[], file: string) => {
    const w = new RecordWriter(staging.path(file), size);
    labels.forEach((l, n) => w.append(Uint8Array.from({ length: size }, (_, k) => (l * 37 + k * 11 + n * 3) & 255)));
    return { pixels: w.close(), labels: Int32Array.from(labels) };
  };
  const train = Array.from({ length: 600 }, (_, n) => n % 100);
  const test = Array.from({ length: 1000 }, (_, n) => n % 100);
  commitDataset(t.store, 'c100', staging, { format: 'folder', source: { path: '/synthetic' }, imageShape: [4, 4, 3], classNames: CIFAR100, train: part(train, 'train.u8'), test: part(test, 'test.u8') });
}

before(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  if (!existsSync(join(ROOT, 'out/renderer/index.html'))) {
    const b = spawnSync(process.execPath, [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'src-renderer/vite.config.ts'], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(b.status, 0, b.stderr);
  }
  t = tempStore();
  addDataset();
  d = createDispatcher(t.store, { frontDoor: 'web', closeGraceMs: 10_000 });
  await d.call('createSplit', { dataset: 'c100', name: 'lt', ratio: 3, maxPerClass: 6 });
  for (const [name, seed] of [['first', 1], ['second', 2]] as const) {
    await d.call('train', { split: 'lt', name, config: { method: 'ce', model: 'mlp', epochs: 1, batchSize: 16, backend: 'cpu', seed, augment: { crop: false, flip: false } } });
    assert.equal((await d.runEnded(name)).status, 'completed');
  }
  s = await startServer({ dispatcher: d, rendererDir: join(ROOT, 'out/renderer'), port: 0, log: () => {} });
  profile = mkdtempSync(join(tmpdir(), 'dive-e2e-c100-'));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1024, height: 700 },
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

interface Layout {
  scroll: number;
  inner: number;
  boxes: { right: number; client: number; scroll: number }[];
  /** the outermost elements sticking out of the window */
  culprits: string[];
}
const layout = (): Promise<Layout> =>
  page.evaluate<Layout>(`({
    scroll: document.documentElement.scrollWidth,
    inner: innerWidth,
    boxes: [...document.querySelectorAll('[data-testid=confusion]')].map((b) => ({ right: b.getBoundingClientRect().right, client: b.clientWidth, scroll: b.scrollWidth })),
    culprits: [...document.querySelectorAll('main *')].filter((el) => {
      const p = el.parentElement;
      return el.getBoundingClientRect().right > innerWidth + 0.5 && !(p && p.getBoundingClientRect().right > innerWidth + 0.5);
    }).slice(0, 5).map((el) => el.tagName.toLowerCase() + '.' + [...el.classList].join('.') + ' (' + Math.round(el.getBoundingClientRect().right) + ')'),
  })`);

test('100 classes: compact, abbreviated, scrolling in their own box, cells clickable, at both sizes', { timeout: 180_000 }, async () => {
  const base = `${s.url.split('#')[0]}`;
  await page.goto(`${base}#/compare?runs=first,second&token=${s.token}`);
  await page.locator('.heat[data-run="second"] [data-testid=confusion]').waitFor({ timeout: 30_000 });
  for (const [w, h] of [[1024, 700], [1400, 900]]) {
    await page.setViewportSize({ width: w, height: h });
    await page.waitForTimeout(400);
    const l = await layout();
    assert.ok(l.scroll <= l.inner, `Compare is ${l.scroll} px wide in a ${l.inner} px window: ${l.culprits.join(', ')}`);
    assert.equal(l.boxes.length, 2);
    for (const b of l.boxes) {
      assert.ok(b.right <= l.inner + 0.5, `a matrix box ends at ${b.right} in a ${l.inner} px window`);
      assert.ok(b.scroll > b.client, 'the 100-column matrix scrolls inside its box');
    }
  }
  const heads = page.locator('.heat[data-run="first"] th.col');
  assert.equal(await heads.count(), 100);
  assert.equal(await heads.nth(1).textContent(), 'aquarium…');
  assert.equal(await heads.nth(1).getAttribute('title'), 'aquarium_fish');
  assert.equal(await page.locator('.heat[data-run="first"] th.rowh').nth(47).textContent(), 'maple_tr…');
  const box = (await page.locator('.heat[data-run="first"] td button').first().boundingBox())!;
  assert.deepEqual([Math.round(box.width), Math.round(box.height)], [24, 17]);
  await page.screenshot({ path: join(ARTIFACTS, '11-compare-100-1400.png'), fullPage: true });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: join(ARTIFACTS, '11-compare-100-1400-dark.png'), fullPage: true });
  await page.emulateMedia({ colorScheme: 'light' });

  // a cell of the second run: its images under or beside its matrix, still within the window
  const cell = page.locator('.heat[data-run="second"] [data-testid=confusion] td:not(.zero) button').first();
  const n = Number(await cell.textContent());
  const at = (await cell.getAttribute('data-cell'))!.split(',').map(Number);
  await cell.click();
  const view = page.locator('.heat[data-run="second"] [data-testid=cell-view]');
  await view.locator('canvas.thumb').first().waitFor({ timeout: 60_000 });
  assert.equal(await view.locator('canvas.thumb').count(), Math.min(n, 48));
  assert.match((await view.getByTestId('cell-heading').textContent())!, new RegExp(`^${n} images?: true ${CIFAR100[at[0]]}, predicted ${CIFAR100[at[1]]}`));
  await page.setViewportSize({ width: 1024, height: 700 });
  await page.waitForTimeout(300);
  const l = await layout();
  assert.ok(l.scroll <= l.inner, `Compare with a cell open is ${l.scroll} px wide in a ${l.inner} px window: ${l.culprits.join(', ')}`);
  await page.screenshot({ path: join(ARTIFACTS, '11-compare-100-1024.png'), fullPage: true });

  // the run page shows the same matrix the same way
  await page.evaluate(`location.hash = '#/runs/first'`);
  await page.getByTestId('run-detail').locator('[data-testid=confusion]').waitFor();
  await page.waitForTimeout(300);
  const r = await layout();
  assert.ok(r.scroll <= r.inner, `the run page is ${r.scroll} px wide in a ${r.inner} px window: ${r.culprits.join(', ')}`);
  assert.equal(await page.locator('[data-testid=class-table] tbody tr').count(), 100);
  await page.screenshot({ path: join(ARTIFACTS, '11-run-100-1024.png'), fullPage: true });
  assert.deepEqual(problems, []);
});
