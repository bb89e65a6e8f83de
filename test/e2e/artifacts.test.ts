// Issue 22 part B in a real browser: a saved split's page (read-only, class counts, the same files
// `dive split export` writes, "Edit as a new split"), the split builder at 1024x700 (histogram in
// view while the slider moves, ticks at their log positions, stale statistics greyed), a training
// run's live progress on its page, the V-against-n figure on a run page, and notes that save as
// typed, also when the page is left at once. Screenshots go to test/e2e/screenshots/.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { SplitExport } from '../../src-main/core/domain/split-schema';
import type { RunInfo, SplitInfo } from '../../src-main/core/domain/types';
import { api, ROOT, serve, type Served } from './serve';
import { buildRenderer, openBrowser, type Browser, shotOf, until, waitForRuns } from './walk-helpers';

const ARTIFACTS = join(ROOT, 'test/e2e/screenshots');

let served: Served;
let page: Page;
let browser: Browser;
let problems: string[] = [];
let shot: (name: string, dark?: boolean) => Promise<void>;

async function call<T>(name: string, args: unknown): Promise<T> {
  const r = await api<T>(served, name, args);
  assert.ok(r.body.ok, `${name}: ${r.body.error}`);
  return r.body.result!;
}

before(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  buildRenderer();
  served = await serve();
  await call('importDataset', { request: { format: 'fashion-mnist' } });
  await call('createSplit', { dataset: 'fashion-mnist', name: 'fm-lt100', ratio: 100, maxPerClass: 500 });
  await call('train', { split: 'fm-lt100', name: 'base', config: { method: 'bsce', model: 'mlp', epochs: 2, batchSize: 64, backend: 'wasm' } });
  await waitForRuns(served, ['base'], 180_000);
  browser = await openBrowser();
  ({ page, problems } = browser);
  shot = shotOf(() => page, ARTIFACTS);
  await page.goto(served.url);
  await page.getByTestId('nav-runs').waitFor();
});

after(async () => {
  await browser?.close();
  await served?.stop();
});

async function downloaded(testid: string, file: string): Promise<string> {
  const d = page.waitForEvent('download');
  await page.getByTestId(testid).click();
  const got = await d;
  const path = join(served.dir, file);
  await got.saveAs(path);
  return readFileSync(path, 'utf8');
}

test('splits as artifacts, the builder at 1024x700, the run page live and its figure, notes as typed', { timeout: 600_000 }, async (t) => {
  await t.test('#/splits/NAME is the saved split, read-only, with its class counts and downloads', async () => {
    await page.evaluate(`location.hash = '#/splits/fm-lt100'`);
    await page.getByTestId('split-view').waitFor();
    assert.equal(await page.getByTestId('split-form').count(), 0, 'no builder form under a saved split');
    const split = await call<SplitInfo>('getSplit', { name: 'fm-lt100' });
    const rows = await page.locator('[data-testid=split-class-table] tbody tr').evaluateAll((trs) => trs.map((tr) => Number(tr.children[2].textContent!.replace(/,/g, ''))));
    assert.deepEqual(rows, split.counts);
    assert.equal(await page.getByTestId('stat-total').textContent(), '1,236');
    // the downloads are the files `dive split export` writes (one implementation: exportSplit)
    const csv = await downloaded('split-download-csv', 'counts.csv');
    assert.equal(csv, (await call<SplitExport>('exportSplit', { name: 'fm-lt100', format: 'csv' })).text);
    const json = JSON.parse(await downloaded('split-download-json', 'split.json')) as { counts: number[]; indices: number[]; classNames: string[] };
    assert.deepEqual(json.counts, split.counts);
    assert.equal(json.indices.length, split.total);
    assert.equal(json.classNames[0], 'T-shirt/top');
    // Fashion-MNIST is IDX: no image paths, so no path list is offered
    assert.equal(await page.getByTestId('split-download-list').count(), 0);
    await shot('24-split-page');
    await shot('24-split-page', true);
    await page.getByTestId('edit-as-new').click();
    await page.getByTestId('split-form').waitFor();
    assert.equal(new URL(page.url()).hash, '#/splits');
    assert.equal(await page.getByTestId('ratio-input').inputValue(), '100');
    assert.equal(await page.getByTestId('nmax-input').inputValue(), '500');
    assert.equal(await page.getByTestId('split-name').inputValue(), '', 'a new split: the name is for the user to give');
  });

  await t.test('the builder at 1024x700: the histogram stays in view while the slider moves, ticks at log positions, stale tiles greyed', async () => {
    await page.setViewportSize({ width: 1024, height: 700 });
    await page.waitForTimeout(300);
    const slider = page.getByTestId('ratio-slider');
    await slider.focus();
    for (let i = 0; i < 6; i++) {
      for (let k = 0; k < 10; k++) await page.keyboard.press(i % 2 ? 'ArrowLeft' : 'ArrowRight');
      const box = await page.getByTestId('split-histogram').boundingBox();
      assert.ok(box && box.y >= 0 && box.y + box.height <= 700, `the histogram at ${JSON.stringify(box)} in a 700 px window`);
      const sb = (await slider.boundingBox())!;
      assert.ok(sb.y >= 0 && sb.y + sb.height <= 700, 'the slider is in view too');
    }
    // each tick label centred where the thumb's centre is at that ratio (16 px thumb, log scale)
    const sb = (await slider.boundingBox())!;
    for (const tick of [1, 10, 100, 500]) {
      const tb = (await page.locator(`.ticks [data-tick="${tick}"]`).boundingBox())!;
      const want = sb.x + 8 + (sb.width - 16) * (Math.log(tick) / Math.log(500));
      assert.ok(Math.abs(tb.x + tb.width / 2 - want) < 2.5, `tick ${tick} at ${tb.x + tb.width / 2}, the thumb's centre at ${want}`);
    }
    await shot('25-builder-1024');
    await page.getByTestId('nmax-input').fill('7000');
    await page.locator('[data-testid=split-stats][data-stale=true]').waitFor();
    const opacity = await page.evaluate<number>(`Number(getComputedStyle(document.querySelector('[data-testid=split-stats]')).opacity)`);
    assert.ok(opacity < 0.5, `stale statistics at opacity ${opacity}`);
    await shot('25-builder-1024-invalid');
    await page.getByTestId('nmax-input').fill('500');
    await page.locator('[data-testid=split-stats]:not([data-stale])').waitFor();
    await page.setViewportSize({ width: 1400, height: 900 });
  });

  await t.test('a training run\'s page shows its epoch, batch, speed and time left', async () => {
    await call('train', { split: 'fm-lt100', name: 'long', config: { method: 'ce', model: 'mlp', epochs: 60, batchSize: 64, backend: 'wasm' } });
    await page.evaluate(`location.hash = '#/runs/long'`);
    await page.getByTestId('run-live').waitFor();
    await page.getByTestId('live-eta').waitFor({ timeout: 60_000 });
    assert.match((await page.getByTestId('live-epoch').textContent())!, /^\d+ \/ 60$/);
    assert.match((await page.getByTestId('live-batch').textContent())!, /^\d+ \/ 20$/); // 1,236 images in batches of 64
    assert.match((await page.getByTestId('live-speed').textContent())!, /img\/s$/);
    assert.match((await page.getByTestId('live-eta').textContent())!, /^\d+(s|m \d\ds|h \d\dm)$/);
    await shot('26-run-live');
    await call('cancelRun', { name: 'long' });
  });

  await t.test('a completed run\'s page has the V-against-n figure with T and p', async () => {
    await page.evaluate(`location.hash = '#/runs/base'`);
    const fig = page.getByTestId('run-virtual-examples');
    // computed once scrolled into view (the model runs over the training split in a worker)
    await fig.waitFor();
    assert.equal(await fig.getByTestId('ve-figure').count(), 0, 'nothing computed out of view');
    await fig.scrollIntoViewIfNeeded();
    await fig.getByTestId('ve-figure').waitFor({ timeout: 60_000 });
    const before = await fig.locator('.ve-table tbody tr').nth(1).textContent();
    await fig.getByTestId('ve-tau').fill('8');
    await until(page, `document.querySelector('[data-testid=run-virtual-examples] .ve-table tbody tr:nth-child(2)').textContent !== ${JSON.stringify(before)}`, 60_000);
    await shot('27-run-ve');
  });

  await t.test('a note saves as it is typed, and what is typed just before leaving is saved too', async () => {
    await page.getByTestId('note-input').fill('typed and left');
    await page.getByTestId('notes-status').filter({ hasText: 'saved as you type' }).waitFor({ timeout: 10_000 });
    assert.equal((await call<RunInfo>('getRun', { name: 'base' })).note, 'typed and left');
    await page.getByTestId('tags-input').fill('quick, left-at-once');
    await page.getByTestId('nav-runs').click();
    const t0 = Date.now();
    while ((await call<RunInfo>('getRun', { name: 'base' })).tags.join() !== 'quick,left-at-once') {
      assert.ok(Date.now() - t0 < 10_000, 'the tags typed before leaving were not saved');
      await new Promise((r) => setTimeout(r, 200));
    }
  });

  await t.test('no page errors and no CSP violations', () => {
    assert.deepEqual(problems, []);
  });
});
