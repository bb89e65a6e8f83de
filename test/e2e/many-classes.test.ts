// A thousand classes and more in Chromium (issue 25): a generated ImageNet-LT-shaped dataset of
// 1,000 classes (30 down to 2 training images a class) taken as it is (a natural split), a CE run,
// its post-hoc logit adjustment and a cRT run from it; then a quick check at iNaturalist's 8,142
// classes. The split builder draws a sorted curve; the run page and Compare show a searchable,
// sortable per-class table with only the rows in view in the page, and the largest confusions as
// a list whose entries open their test images; the post-hoc sweep, the stage-1 picker and the
// virtual examples work. Screenshots to test/e2e/screenshots/ (12-*), to be looked at.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { createDispatcher, type Dispatcher } from '../../src-main/core/app/dispatch';
import { startServer, type RunningServer } from '../../src-main/server/server';
import { tempStore, type TempStore } from '../helpers/fixtures';
import { addGeneratedDataset, longTail } from '../helpers/many-classes';
import { ROOT } from './serve';

const ARTIFACTS = join(ROOT, 'test/e2e/screenshots');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const FAST = { model: 'mlp', batchSize: 128, lr: 0.1, backend: 'wasm', threads: 1, augment: { crop: false, flip: false } } as const;

let t: TempStore;
let d: Dispatcher;
let s: RunningServer;
let context: BrowserContext;
let page: Page;
let profile: string;
const problems: string[] = [];

async function trained(name: string, split: string, config: Record<string, unknown>, from?: string): Promise<void> {
  await d.call('train', { split, name, from, config: { ...config } as { method: 'ce' } });
  const r = await d.runEnded(name);
  assert.equal(r.status, 'completed', `${name}: ${r.error}`);
}

before(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  if (!existsSync(join(ROOT, 'out/renderer/index.html'))) {
    const b = spawnSync(process.execPath, [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'src-renderer/vite.config.ts'], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(b.status, 0, b.stderr);
  }
  t = tempStore();
  addGeneratedDataset(t.store, 'in1k', { classes: 1000, trainCount: longTail(1000, 30, 2), testPerClass: 3, shape: [4, 4, 1], seed: 2 });
  addGeneratedDataset(t.store, 'inat', { classes: 8142, trainCount: (c) => 1 + (c % 3 === 0 ? 1 : 0), testPerClass: 1, shape: [4, 4, 1], seed: 3 });
  d = createDispatcher(t.store, { frontDoor: 'web', closeGraceMs: 10_000 });
  await d.call('createSplit', { dataset: 'in1k', name: 'in1k-natural', profile: 'natural' });
  await d.call('createSplit', { dataset: 'inat', name: 'inat-natural', profile: 'natural' });
  await trained('ce1k', 'in1k-natural', { ...FAST, method: 'ce', epochs: 2, seed: 1 });
  await trained('la1k', 'in1k-natural', { method: 'logit-adjust', backend: 'wasm', threads: 1 }, 'ce1k');
  await trained('crt1k', 'in1k-natural', { method: 'crt', epochs: 1, backend: 'wasm', threads: 1 }, 'ce1k');
  await trained('ce8k', 'inat-natural', { ...FAST, method: 'ce', epochs: 1, seed: 1 });
  s = await startServer({ dispatcher: d, rendererDir: join(ROOT, 'out/renderer'), port: 0, log: () => {} });
  profile = mkdtempSync(join(tmpdir(), 'dive-e2e-many-'));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1400, height: 900 },
  });
  page = context.pages()[0] ?? (await context.newPage());
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push(`${r.status()} ${new URL(r.url()).pathname} ${r.request().postData()?.slice(0, 200) ?? ''}`);
  });
  page.on('console', (m) => {
    if (m.type() === 'error' || /Content Security Policy/i.test(m.text())) problems.push(`console ${m.type()}: ${m.text()}`);
  });
  await page.goto(`${s.url.split('#')[0]}#/datasets?token=${s.token}`);
});

after(async () => {
  await context?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
  await s?.close();
  await d?.close();
  t?.cleanup();
});

const go = async (hash: string) => page.evaluate(`location.hash = ${JSON.stringify(hash)}`);
/** the page fits the window: nothing sticks out to the right */
const fits = async () => {
  const [scroll, inner] = await page.evaluate<[number, number]>('[document.documentElement.scrollWidth, innerWidth]');
  assert.ok(scroll <= inner, `${scroll} px wide in a ${inner} px window`);
};
const rowsInPage = (table: string) => page.locator(`[data-testid=${table}] [role=row][data-class]`).count();

test('1,000 classes: natural split as a sorted curve, virtual per-class table, largest confusions, post-hoc sweep, stage-1 picker', { timeout: 300_000 }, async () => {
  // the saved split's page draws the sorted curve; "Edit as a new split" opens the builder as a natural split
  await go('#/splits/in1k-natural');
  await page.getByTestId('count-curve').waitFor({ timeout: 30_000 });
  assert.equal(await page.getByTestId('view-histogram').getAttribute('data-classes'), '1000');
  await page.getByTestId('edit-as-new').click();
  await page.getByTestId('split-histogram').locator('[data-testid=count-curve]').waitFor({ timeout: 30_000 });
  assert.equal(await page.getByTestId('split-histogram').getAttribute('data-classes'), '1000');
  assert.equal(await page.getByTestId('natural-split').isChecked(), true);
  assert.equal(await page.getByTestId('ratio-input').isDisabled(), true);
  assert.equal(await page.getByTestId('stat-rho').textContent(), '15');
  await fits();
  await page.screenshot({ path: join(ARTIFACTS, '12-split-natural-1000.png'), fullPage: true });

  const t0 = Date.now();
  await go('#/runs/ce1k');
  await page.getByTestId('large-class-table').waitFor({ timeout: 30_000 });
  process.stdout.write(`# run page of a 1,000-class run shown in ${Date.now() - t0} ms\n`);
  assert.equal(await page.getByTestId('large-class-table-count').textContent(), '1,000 of 1,000 classes');
  await page.getByTestId('large-class-table').scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(ARTIFACTS, '12-run-1000-table.png') });
  const inPage = await rowsInPage('large-class-table');
  assert.ok(inPage > 10 && inPage < 60, `${inPage} of 1,000 rows in the page`);
  // search by name, then by number
  await page.getByTestId('large-class-table-search').fill('class-00042');
  assert.equal(await page.getByTestId('large-class-table-count').textContent(), '1 of 1,000 classes');
  assert.equal(await page.locator('[data-testid=large-class-table] [data-class]').first().getAttribute('data-class'), '42');
  await page.getByTestId('large-class-table-search').fill('');
  // sort by training images, smallest first, then scroll to the end: the largest classes come into the page
  await page.locator('[data-testid=large-class-table] [role=columnheader] button', { hasText: 'Train images' }).click();
  assert.equal(await page.locator('[data-testid=large-class-table] [role=columnheader][aria-sort=descending]').count(), 0);
  await page.locator('[data-testid=large-class-table] .body').evaluate((el) => (el.scrollTop = el.scrollHeight));
  await page.waitForTimeout(200);
  const last = Number(await page.locator('[data-testid=large-class-table] [data-class]').last().getAttribute('data-class'));
  assert.ok(last < 20, `the largest classes (label order: the head) at the end, got class ${last}`);
  assert.ok((await rowsInPage('large-class-table')) < 60);
  // the largest confusions, one of them opened
  const first = page.getByTestId('top-confusions').locator('button.row').first();
  await first.click();
  await page.getByTestId('cell-heading').waitFor({ timeout: 60_000 });
  assert.match((await page.getByTestId('cell-heading').textContent())!, /^\d+ images?: true class-\d{5}, predicted class-\d{5}$/);
  assert.equal(await page.locator('[data-testid=confusion]').count(), 0, 'no full matrix at 1,000 classes');
  await fits();
  await page.screenshot({ path: join(ARTIFACTS, '12-run-1000.png'), fullPage: true });

  // the post-hoc run: its sweep of tau, its stage 1 in the lineage
  await go('#/runs/la1k');
  await page.getByTestId('posthoc-sweep').waitFor({ timeout: 30_000 });
  assert.equal(await page.getByTestId('teacher-link').textContent(), 'ce1k');
  assert.ok(await page.getByText('Stage 1', { exact: true }).isVisible());
  await page.screenshot({ path: join(ARTIFACTS, '12-run-logit-adjust-1000.png'), fullPage: true });

  // Compare: one table, a column per run; the largest confusions per run; virtual examples as curves
  await go('#/compare?runs=ce1k,la1k,crt1k');
  await page.getByTestId('compare-class-table').waitFor({ timeout: 30_000 });
  const heads = await page.locator('[data-testid=compare-class-table] [role=columnheader]').allTextContents();
  assert.deepEqual(heads.slice(4).map((h) => h.replace(/[▲▼]/g, '').trim()), ['ce1k', 'la1k', 'crt1k']);
  assert.equal(await page.locator('.heat [data-testid=top-confusions]').count(), 3);
  await page.locator('.ve canvas').waitFor({ timeout: 120_000 });
  await fits();
  await page.getByTestId('compare-class-table').scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(ARTIFACTS, '12-compare-1000.png') });
  await page.locator('.ve').scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(ARTIFACTS, '12-compare-ve-1000.png') });

  // Train: a stage-2 method asks for its stage-1 run, plain CE preselected
  await go('#/train');
  await page.getByTestId('train-split').selectOption('in1k-natural');
  await page.getByTestId('method-crt').click();
  await page.getByTestId('stage1-picker').waitFor();
  assert.equal(await page.locator('[data-testid=stage1-picker] input[value=ce1k]').isChecked(), true);
  await page.getByTestId('method-tau-norm').click();
  await page.getByTestId('posthoc-note').waitFor();
  assert.equal(await page.getByTestId('model-mlp').isDisabled(), true, 'the stage-1 run\'s model');
  assert.equal(await page.getByTestId('run-name').getAttribute('placeholder'), 'tau-norm-mlp-in1k-natural');
  await page.getByTestId('stage1-picker').scrollIntoViewIfNeeded();
  assert.equal(await page.getByTestId('epochs').count(), 0, 'a post-hoc method trains nothing: no optimisation settings');
  await page.screenshot({ path: join(ARTIFACTS, '12-train-stage1.png'), fullPage: true });
  assert.deepEqual(problems, []);
});

test('8,142 classes: the run opens, its table scrolls a window at a time, virtual examples work', { timeout: 300_000 }, async () => {
  const t0 = Date.now();
  await go('#/runs/ce8k');
  await page.getByTestId('large-class-table').waitFor({ timeout: 60_000 });
  process.stdout.write(`# run page of an 8,142-class run shown in ${Date.now() - t0} ms\n`);
  assert.equal(await page.getByTestId('large-class-table-count').textContent(), '8,142 of 8,142 classes');
  assert.ok((await rowsInPage('large-class-table')) < 60);
  await page.locator('[data-testid=large-class-table] .body').evaluate((el) => (el.scrollTop = el.scrollHeight / 2));
  await page.waitForTimeout(200);
  const mid = Number(await page.locator('[data-testid=large-class-table] [data-class]').nth(10).getAttribute('data-class'));
  assert.ok(mid > 1000, `half-way down a table sorted by count shows class ${mid}`);
  await page.getByTestId('top-confusions').waitFor();
  await fits();
  await page.screenshot({ path: join(ARTIFACTS, '12-run-8142.png'), fullPage: true });

  await go('#/splits/inat-natural');
  await page.getByTestId('count-curve').waitFor({ timeout: 30_000 });
  await page.screenshot({ path: join(ARTIFACTS, '12-split-natural-8142.png'), fullPage: true });

  const t1 = Date.now();
  await go('#/compare?runs=ce8k');
  await page.locator('.ve canvas').waitFor({ timeout: 180_000 });
  process.stdout.write(`# virtual examples of 8,142 classes drawn in ${Date.now() - t1} ms (a pass of the model over the training split)\n`);
  await fits();
  await page.locator('.ve').scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(ARTIFACTS, '12-compare-ve-8142.png') });
  assert.deepEqual(problems, []);
});
