// Issue 22 part B in a real browser against `dive serve`: a link opened in a new tab works without
// the token (the session cookie), a browser without the session is told what to do; Compare groups
// a two-seed study by method with a min-max or std band, and no curve is drawn through a value
// that was not logged (the lr's drawn maximum is its logged one, read from the chart's drawn data);
// short runs have a test curve; the runs search takes metric conditions. Screenshots go to
// test/e2e/screenshots/ (gitignored) to be looked at.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import type { RunInfo } from '../../src-main/core/domain/types';
import { api, ROOT, serve, type Served } from './serve';
import { buildRenderer, CHROMIUM, openBrowser, type Browser, drawn, shotOf, until, waitForRuns } from './walk-helpers';

const ARTIFACTS = join(ROOT, 'test/e2e/screenshots');
const RUNS = ['grp-ce-s1', 'grp-ce-s2', 'grp-bsce-s1', 'grp-bsce-s2'];

let served: Served;
let context: BrowserContext;
let page: Page;
let browser: Browser;
let problems: string[] = [];
let shot: (name: string, dark?: boolean) => Promise<void>;

before(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  buildRenderer();
  served = await serve();
  // a two-seed study of CE and BSCE, 5 epochs each: short runs, whose test curve is sampled
  const call = async <T>(name: string, args: unknown): Promise<T> => {
    const r = await api<T>(served, name, args);
    assert.ok(r.body.ok, `${name}: ${r.body.error}`);
    return r.body.result!;
  };
  await call('importDataset', { request: { format: 'fashion-mnist' } });
  await call('createSplit', { dataset: 'fashion-mnist', name: 'fm-lt100', ratio: 100, maxPerClass: 500 });
  await call('createStudy', { name: 'grp', split: 'fm-lt100', methods: ['ce', 'bsce'], seeds: 2, config: { model: 'mlp', epochs: 5, batchSize: 64, backend: 'wasm' } });
  await call('runStudy', { name: 'grp' });
  await waitForRuns(served, RUNS, 240_000);
  browser = await openBrowser();
  ({ context, page, problems } = browser);
  shot = shotOf(() => page, ARTIFACTS);
});

after(async () => {
  await browser?.close();
  await served?.stop();
});

const getRun = async (name: string) => (await api<RunInfo>(served, 'getRun', { name })).body.result!;

test('links, grouped comparison and curves as logged, in the browser', { timeout: 600_000 }, async (t) => {
  await t.test('the printed address sets an HttpOnly, SameSite=Strict session cookie and leaves no token in the address', async () => {
    await page.goto(served.url);
    await page.getByTestId('nav-runs').waitFor();
    assert.ok(!page.url().includes('token'), page.url());
    const cookies = await context.cookies(served.origin);
    assert.equal(cookies.length, 1);
    assert.deepEqual({ httpOnly: cookies[0].httpOnly, sameSite: cookies[0].sameSite, value: cookies[0].value }, { httpOnly: true, sameSite: 'Strict', value: served.token });
  });

  await t.test('a run name is a real link: Ctrl-click opens it in a new tab, with no token in its address', async () => {
    await page.getByTestId('nav-runs').click();
    const link = page.locator('tr[data-run="grp-ce-s1"] a.open');
    assert.equal(await link.getAttribute('href'), '#/runs/grp-ce-s1');
    const opened = context.waitForEvent('page');
    await link.click({ modifiers: ['Control'] });
    const tab = await opened;
    await tab.getByTestId('run-title').filter({ hasText: 'grp-ce-s1' }).waitFor({ timeout: 30_000 });
    assert.equal(tab.url(), `${served.origin}/#/runs/grp-ce-s1`);
    // split, dataset and study names on the run page are links too
    assert.equal(await tab.locator('header a', { hasText: 'fm-lt100' }).getAttribute('href'), '#/splits/fm-lt100');
    assert.equal(await tab.locator('header a', { hasText: 'grp' }).getAttribute('href'), '#/studies/grp');
    // a copied address pasted into another tab of the same browser
    const pasted = await context.newPage();
    await pasted.goto(`${served.origin}/#/compare?runs=grp-ce-s1,grp-bsce-s1`);
    await pasted.locator('[data-testid=group-table] tr[data-run="grp-bsce-s1"]').waitFor({ timeout: 30_000 });
    assert.ok(!pasted.url().includes('token'));
    await tab.close();
    await pasted.close();
  });

  await t.test('a browser without the session is told to open the printed address once', async () => {
    const other = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
    try {
      const p = await other.newPage();
      await p.goto(`${served.origin}/#/runs/grp-ce-s1`);
      const fatal = p.getByTestId('fatal');
      await fatal.waitFor({ timeout: 30_000 });
      assert.match((await fatal.textContent())!, /Open the workbench from its address once/);
      assert.ok((await fatal.textContent())!.includes(`Open the address that dive serve printed (${served.origin}/?token=…) once in this browser`));
      await p.screenshot({ path: join(ARTIFACTS, '20-no-session.png') });
    } finally {
      await other.close();
    }
  });

  await t.test('a 5-epoch run has a test curve: epochs 1-4 on the fixed sample, the last on the whole test set', async () => {
    const r = await getRun('grp-bsce-s1');
    assert.deepEqual(r.epochs.map((e) => e.testAcc !== null), [true, true, true, true, true]);
    // the plan's sample of 1,158 (a quarter of training time), drawn as the same share of each
    // class: round(1,000 x 0.1158) = 116 of each of the 10 classes
    assert.deepEqual(r.epochs.map((e) => e.testImages), [1160, 1160, 1160, 1160, 10000]);
    assert.equal(r.epochs[4].testAcc, r.metrics!.top1);
    await page.evaluate(`location.hash = '#/runs/grp-bsce-s1'`);
    await page.getByTestId('test-points-note').waitFor();
    assert.equal(await page.getByTestId('test-points-note').textContent(), 'Test accuracy: epochs 1–4 tested on a fixed sample of 1,160 of the 10,000 test images (hollow points); epoch 5 on all of them.');
    // accuracies drawn in percent: the last test point is top-1 × 100
    const curves = await drawn(page, 'run-curves');
    const test = curves.find((c) => c.label === 'test accuracy')!;
    const pcts = r.epochs.map((e) => e.testAcc! * 100);
    assert.ok(Math.abs(test.max! - Math.max(...pcts)) < 1e-6 && Math.abs(test.min! - Math.min(...pcts)) < 1e-6, JSON.stringify(test));
  });

  await t.test('the learning rate is drawn as logged: no value above its maximum, on the run page and on Compare', async () => {
    const lr = await drawn(page, 'lr-chart');
    const logged = (await getRun('grp-bsce-s1')).epochs.map((e) => e.lr);
    assert.equal(lr.length, 1);
    // read back through the chart's pixel scale: equal to within rounding
    const close = (a: number, b: number) => Math.abs(a - b) <= Math.abs(b) * 1e-9;
    assert.ok(lr[0].max! <= Math.max(...logged) * (1 + 1e-9) && close(lr[0].max!, Math.max(...logged)), `drawn up to ${lr[0].max}, logged at most ${Math.max(...logged)}`);
    assert.ok(close(lr[0].min!, Math.min(...logged)), `drawn down to ${lr[0].min}, logged ${Math.min(...logged)}`);
    await shot('21-run-curves');
    await page.evaluate(`location.hash = '#/compare?runs=${RUNS.join(',')}'`);
    await page.locator('[data-testid=group-table] tr[data-run="grp-bsce-s2"]').waitFor({ timeout: 30_000 });
    await page.getByTestId('curve-lr').click();
    await page.waitForTimeout(300);
    const lines = await drawn(page, 'compare-curves');
    assert.deepEqual(lines.map((l) => l.label), RUNS);
    for (const name of RUNS) {
      const max = Math.max(...(await getRun(name)).epochs.map((e) => e.lr));
      const l = lines.find((x) => x.label === name)!;
      assert.ok(l.max! <= max * (1 + 1e-9), `${name}: drawn up to ${l.max}, logged at most ${max}`);
      assert.ok(Math.abs(l.max! - max) <= max * 1e-9);
    }
    // the loss too: drawn through its logged values only
    await page.getByTestId('curve-loss').click();
    await page.waitForTimeout(300);
    for (const l of await drawn(page, 'compare-curves')) {
      const losses = (await getRun(l.label)).epochs.map((e) => e.loss);
      assert.ok(l.max! <= Math.max(...losses) * (1 + 1e-9) && l.min! >= Math.min(...losses) * (1 - 1e-9), `${l.label}: ${JSON.stringify(l)} against ${losses.join(', ')}`);
    }
  });

  await t.test('Compare groups the study by method: mean lines with a min-max or std band, the summary from the stored figures', async () => {
    await page.getByTestId('curve-testAcc').click();
    await page.getByTestId('group-by').selectOption('method');
    await page.locator('[data-testid=group-summary] tr[data-group="bsce"]').waitFor();
    assert.match(page.url(), /#\/compare\?runs=grp-ce-s1,grp-ce-s2,grp-bsce-s1,grp-bsce-s2&group=method$/);
    for (const method of ['ce', 'bsce']) {
      const top1 = await Promise.all([1, 2].map(async (s) => (await getRun(`grp-${method}-s${s}`)).metrics!.top1 * 100));
      const mean = (top1[0] + top1[1]) / 2;
      const std = Math.abs(top1[0] - top1[1]) / Math.SQRT2;
      const cell = (await page.locator(`[data-testid=group-summary] tr[data-group="${method}"] td[data-k=top1]`).textContent())!;
      // shown to 2 decimals (a mean ending in 5 rounds either way in binary floating point)
      const m = /^(\d+\.\d\d) ± (\d+\.\d\d)(\d+\.\d\d)–(\d+\.\d\d)$/.exec(cell);
      assert.ok(m, `${method}: ${cell}`);
      const near = (shown: string, want: number) => Math.abs(Number(shown) - want) <= 0.005 + 1e-9;
      assert.ok(near(m[1], mean) && near(m[2], std) && near(m[3], Math.min(...top1)) && near(m[4], Math.max(...top1)), `${method}: ${cell} against mean ${mean}, std ${std}, ${top1.join(' and ')}`);
    }
    let lines = await drawn(page, 'compare-curves');
    assert.deepEqual(lines.map((l) => l.label), ['ce min–max (low)', 'ce min–max (high)', 'ce (mean of 2)', 'bsce min–max (low)', 'bsce min–max (high)', 'bsce (mean of 2)']);
    for (const g of ['ce', 'bsce']) {
      const [lo, hi, mean] = lines.filter((l) => l.label.startsWith(`${g} `));
      assert.ok(lo.min! <= mean.min! && mean.max! <= hi.max!, `${g}: the band holds the mean`);
    }
    await shot('22-compare-grouped');
    await page.getByTestId('band-kind').selectOption('std');
    await until(page, `location.hash.endsWith('&band=std')`);
    lines = await drawn(page, 'compare-curves');
    assert.equal(lines[0].label, 'ce ± 1 std (low)');
    await shot('22-compare-grouped-std', true);
    // the grouping is part of the address: reopened, it is there
    await page.reload();
    await page.locator('[data-testid=group-summary] tr[data-group="ce"]').waitFor({ timeout: 30_000 });
    assert.equal(await page.getByTestId('band-kind').inputValue(), 'std');
    await page.setViewportSize({ width: 1024, height: 700 });
    await page.waitForTimeout(400);
    const wide = await page.evaluate<number>(`(() => { const m = document.querySelector('main'); return m.scrollWidth - m.clientWidth; })()`);
    assert.ok(wide <= 0, `grouped Compare is ${wide} px wider than the page at 1024x700`);
    await shot('22-compare-grouped-1024');
    await page.setViewportSize({ width: 1400, height: 900 });
  });

  await t.test('the history export is long format with one row per run and epoch', async () => {
    const download = page.waitForEvent('download');
    await page.getByTestId('export-history').click();
    const file = join(served.dir, 'history.csv');
    await (await download).saveAs(file);
    const { readFileSync } = await import('node:fs');
    const lines = readFileSync(file, 'utf8').trimEnd().split('\r\n');
    assert.equal(lines[0], 'run,method,split,seed,epoch,loss,lr,train_acc,test_acc,test_images,val_acc,seconds,images_per_sec');
    assert.equal(lines.length, 1 + 4 * 5);
    assert.ok(!lines.some((l) => l.includes('—')));
  });

  await t.test('the runs search takes metric conditions in % or fractions, and names an unknown key', async () => {
    await page.getByTestId('nav-runs').click();
    const all = await Promise.all(RUNS.map(getRun));
    // a threshold between the second and third best top-1 (figures of k / 10,000: two decimals in %)
    const sorted = all.map((r) => r.metrics!.top1).sort((a, b) => b - a);
    const thr = (sorted[1] + sorted[2]) / 2;
    const above = all.filter((r) => r.metrics!.top1 > thr).map((r) => r.name).sort();
    const shownRows = () => page.locator('[data-testid=runs-table] tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-run')!).sort());
    await page.getByTestId('runs-search').fill(`top1>${(thr * 100).toFixed(3)}`);
    await page.getByTestId('search-reading').filter({ hasText: `Filtering: top-1 > ${Number((thr * 100).toFixed(3))}%` }).waitFor();
    assert.deepEqual(await shownRows(), above);
    // the same as a fraction of 1
    await page.getByTestId('runs-search').fill(`top1>${thr.toFixed(5)}`);
    await page.getByTestId('search-reading').filter({ hasText: `Filtering: top-1 > ${Number((Number(thr.toFixed(5)) * 100).toFixed(4))}%` }).waitFor();
    assert.deepEqual(await shownRows(), above);
    await page.getByTestId('runs-search').fill('top>50');
    await page.getByTestId('search-reading').filter({ hasText: 'unknown key "top": use top1, many, medium, few' }).waitFor();
    await shot('23-runs-search-unknown');
    await page.getByTestId('runs-search').fill('');
  });

  await t.test('no page errors and no CSP violations', () => {
    assert.deepEqual(problems, []);
  });
});
