// Deletes that say everything, the trash, and the study table for a paper, in Chromium against
// `dive serve` (issue 22, items 1 and 4): a two-seed study's page with its n < 3 warning, Holm p
// beside every interval, and its table copied as LaTeX and Markdown and downloaded as CSV (each the
// same text as `formatStudy` of the stored study); the split delete dialog listing the study, its
// runs and a student on another split, asking for the name typed; the address and Compare's
// selection left; the Trash screen restoring the entry with new names once a new split took its
// name; a run deleted from its page, then deleted forever.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { formatStudy } from '../../src-main/core/domain/study-export';
import type { StudyDetail } from '../../src-main/core/domain/study-types';
import type { TrashEntry } from '../../src-main/core/domain/trash-types';
import type { RunInfo, RunSummary, SplitInfo } from '../../src-main/core/domain/types';
import { ARTIFACTS, openBrowser, waitForRuns, type Browser } from './browser';
import { api, ok, serve, type Served } from './serve';

let served: Served;
let b: Browser;
let page: Page;
const FAST = { model: 'mlp', epochs: 1, batchSize: 64, backend: 'wasm' };

const call = <T>(name: string, args: unknown): Promise<T> => ok<T>(served, name, args);
/** Whether the page fits the window's width (it scrolls inside <main>: nothing wider than it). */
async function fitsWidth(): Promise<boolean> {
  return page.evaluate<boolean>(`(() => { const m = document.querySelector('main'); return document.documentElement.scrollWidth <= innerWidth && m.scrollWidth <= m.clientWidth; })()`);
}
const getRun = async (name: string) => (await api<RunInfo>(served, 'getRun', { name })).body.result;
/** Waits for the address bar's hash (polled from here: the page's CSP forbids the string predicates waitForFunction evaluates). */
async function hashIs(want: string, timeoutMs = 10_000): Promise<void> {
  const t0 = Date.now();
  while (new URL(page.url()).hash !== want) {
    if (Date.now() - t0 > timeoutMs) assert.equal(new URL(page.url()).hash, want);
    await new Promise((r) => setTimeout(r, 100));
  }
}

before(async () => {
  served = await serve();
  b = await openBrowser(served.origin);
  page = b.page;
  await call('importDataset', { request: { format: 'fashion-mnist' } });
  for (const name of ['s1', 's2']) await call('createSplit', { dataset: 'fashion-mnist', name, ratio: 10, maxPerClass: 60 });
  await call('createStudy', { name: 'st', split: 's1', methods: ['ce', 'bsce'], seeds: 2, config: FAST });
  await call('runStudy', { name: 'st' });
  await waitForRuns(getRun, ['st-ce-s1', 'st-ce-s2', 'st-bsce-s1', 'st-bsce-s2'], 180_000, () => served.stderr());
  // a student on the other split, distilled from one of the study's runs, with a note
  await call('train', { split: 's2', name: 'far-student', teacher: 'st-bsce-s1', config: { ...FAST, method: 'kd', seed: 7 } });
  await waitForRuns(getRun, ['far-student'], 90_000, () => served.stderr());
  await call('annotate', { run: 'far-student', note: 'keep for the paper' });
  await page.goto(served.url);
  await page.getByTestId('nav-datasets').waitFor();
});

after(async () => {
  await b?.close();
  await served?.stop();
});

test('deletes, the trash and the study export in the browser', { timeout: 300_000 }, async (t) => {
  await t.test('the Study page: n < 3 warned, Holm p beside the intervals, the table copied and downloaded as stored', async () => {
    await page.evaluate(`location.hash = '#/studies/st'`);
    await page.getByTestId('study-detail').waitFor();
    const study = await call<StudyDetail>('getStudy', { name: 'st' });
    assert.match((await page.getByTestId('study-warnings').textContent())!, /n < 3: bsce - ce pairs 2 seeds: a 95% interval from 2 seeds is ±12\.7 standard errors wide/);
    assert.match((await page.getByTestId('p-note').textContent())!, /Holm-adjusted across the 1 comparison of each column/);
    const p = study.comparisons[0].diff.top1.pHolm!;
    assert.equal(await page.locator('[data-testid=study-comparisons] td[data-k=top1] [data-testid=p-holm]').textContent(), `p = ${p < 0.001 ? '< 0.001' : p < 0.01 ? p.toFixed(3) : p.toFixed(2)}`);
    await page.getByTestId('copy-markdown').click();
    await page.locator('.toast', { hasText: 'Copied the table as Markdown' }).waitFor();
    assert.equal(await page.evaluate<string>('navigator.clipboard.readText()'), formatStudy(study, 'markdown'));
    await page.getByTestId('copy-latex').click();
    await page.locator('.toast', { hasText: 'Copied the table as LaTeX' }).waitFor();
    const latex = await page.evaluate<string>('navigator.clipboard.readText()');
    assert.equal(latex, formatStudy(study, 'latex'));
    assert.match(latex, /^% warning: n < 3/);
    const download = page.waitForEvent('download');
    await page.getByTestId('download-csv').click();
    const got = await download;
    assert.equal(got.suggestedFilename(), 'st-table.csv');
    const file = join(served.dir, 'st-table.csv');
    await got.saveAs(file);
    assert.equal(readFileSync(file, 'utf8'), formatStudy(study, 'csv'));
    for (const [w, h] of [[1400, 900], [1024, 700]] as const) {
      await page.setViewportSize({ width: w, height: h });
      assert.ok(await fitsWidth(), `the study page fits ${w}x${h}`);
      await b.shot(`20-study-export-${w}`);
    }
    await b.shot('20-study-export-1024', true);
    await page.setViewportSize({ width: 1360, height: 900 });
  });

  await t.test('deleting a split: its own dialog lists the study, every run and the student elsewhere, and wants the name typed', async () => {
    // a comparison holding runs the delete will take
    await page.evaluate(`location.hash = '#/compare?runs=st-ce-s1,far-student'`);
    await hashIs('#/compare?runs=st-ce-s1,far-student');
    await page.evaluate(`location.hash = '#/splits/s1'`);
    // the split's own page (read-only since #/splits/NAME became the saved split) holds its Delete
    await page.getByTestId('split-title').filter({ hasText: 's1' }).waitFor();
    await page.getByTestId('delete-split').click();
    const dialog = page.getByTestId('delete-dialog');
    await dialog.getByTestId('delete-takes').waitFor();
    assert.equal(await dialog.getAttribute('role'), 'dialog');
    const takes = (await dialog.getByTestId('delete-takes').textContent())!;
    assert.match(takes, /1 study with its statistics: st/);
    assert.deepEqual((await dialog.locator('tr[data-run]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-run')))).sort(), ['far-student', 'st-bsce-s1', 'st-bsce-s2', 'st-ce-s1', 'st-ce-s2']);
    assert.match((await dialog.locator('tr[data-run="far-student"]').textContent())!, /student of a run it takes\s*s2/);
    assert.match((await dialog.textContent())!, /The tags and notes of 1 of them go too/);
    const confirm = dialog.getByTestId('delete-confirm');
    assert.ok(await confirm.isDisabled(), 'a cascade needs the name typed');
    await dialog.getByTestId('delete-confirm-name').fill('s2');
    assert.ok(await confirm.isDisabled(), 'another name does not do');
    await dialog.getByTestId('delete-confirm-name').fill('s1');
    assert.ok(await confirm.isEnabled());
    for (const [w, h] of [[1400, 900], [1024, 700]] as const) {
      await page.setViewportSize({ width: w, height: h });
      await page.screenshot({ path: join(ARTIFACTS, `21-delete-dialog-${w}.png`) });
    }
    await page.setViewportSize({ width: 1360, height: 900 });
    await confirm.click();
    await page.locator('.toast', { hasText: 'Moved split s1 and 5 runs to the trash.' }).waitFor();
    await dialog.waitFor({ state: 'detached' });
    // the address leaves the deleted split, and nothing shows it any more
    await hashIs('#/splits');
    assert.equal(await page.locator('tr[data-split="s1"]').count(), 0);
    assert.deepEqual((await call<RunSummary[]>('listRuns', {})).map((r) => r.name), []);
    // Compare's selection dropped the deleted runs
    await page.getByTestId('nav-compare').click();
    await hashIs('#/compare');
  });

  await t.test('the Trash screen: the entry with everything it took; restored with new names once a new split took its name', async () => {
    await call<SplitInfo>('createSplit', { dataset: 'fashion-mnist', name: 's1', ratio: 5, maxPerClass: 60 });
    await page.getByTestId('nav-trash').click();
    await hashIs('#/trash');
    const row = page.locator('tr[data-name="s1"]');
    await row.waitFor();
    assert.match((await row.textContent())!, /1 split, 1 study, 5 runs, tags and notes of 1/);
    for (const [w, h] of [[1400, 900], [1024, 700]] as const) {
      await page.setViewportSize({ width: w, height: h });
      assert.ok(await fitsWidth(), `the trash fits ${w}x${h}`);
      await b.shot(`22-trash-${w}`);
    }
    await b.shot('22-trash-1024', true);
    await page.setViewportSize({ width: 1360, height: 900 });
    await row.getByTestId('restore').click();
    const why = row.getByTestId('restore-error');
    await why.waitFor();
    assert.match((await why.textContent())!, /cannot restore trash entry \d+ \(split "s1"\): a new split is named "s1"/);
    assert.doesNotMatch((await why.textContent())!, /--rename|`/);
    await b.shot('22-trash-restore-refused-1360');
    await row.getByTestId('restore-renamed').click();
    await page.locator('.toast', { hasText: 'Restored split s1 (s1 is now s1-restored).' }).waitFor();
    await page.getByTestId('trash-empty').waitFor();
    const runs = await call<RunSummary[]>('listRuns', {});
    assert.deepEqual(runs.map((r) => [r.name, r.split]).sort(), [['far-student', 's2'], ['st-bsce-s1', 's1-restored'], ['st-bsce-s2', 's1-restored'], ['st-ce-s1', 's1-restored'], ['st-ce-s2', 's1-restored']]);
    assert.equal((await call<StudyDetail>('getStudy', { name: 'st' })).split, 's1-restored');
    assert.equal((await call<{ runs: Record<string, { note: string }> }>('listNotes', undefined)).runs['far-student'].note, 'keep for the paper');
  });

  await t.test('a run deleted from its page leaves the page; deleted forever, it is gone with its files', async () => {
    await page.evaluate(`location.hash = '#/runs/far-student'`);
    await page.getByTestId('delete-run').click();
    const dialog = page.getByTestId('delete-dialog');
    await dialog.getByText('Nothing else depends on it.').waitFor();
    assert.equal(await dialog.getByTestId('delete-confirm-name').count(), 0, 'nothing to type when it takes nothing else');
    await dialog.getByTestId('delete-confirm').click();
    await hashIs('#/runs');
    await page.getByTestId('nav-trash').click();
    const row = page.locator('tr[data-name="far-student"]');
    await row.getByTestId('delete-forever').click();
    const sure = page.getByTestId('empty-dialog');
    assert.match((await sure.textContent())!, /1 entry with 1 run and .+ of files will be removed for good/);
    await sure.getByTestId('empty-confirm').click();
    await page.locator('.toast', { hasText: /Removed 1 trash entry for good/ }).waitFor();
    assert.deepEqual(await call<TrashEntry[]>('listTrash', undefined), []);
    assert.equal((await api(served, 'getRun', { name: 'far-student' })).status, 400);
  });

  await t.test('no page errors and no CSP violations', () => {
    assert.deepEqual(b.problems, []);
  });
});
