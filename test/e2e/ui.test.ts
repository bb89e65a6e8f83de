// The workbench in a real browser against `dive serve`: first start, Fashion-MNIST import, a
// rho = 100 split built with the slider, a BSCE teacher and a DiVE student trained to the end,
// the run page, a deep link opened cold, reload and Back, a study with two seeds, the queue,
// the comparison checked against the stored metrics, a cancelled run, and the token check.
// Every screen is visited at 1024x700 and 1400x900 (no page wider than the window) and
// screenshotted, light and dark, into test/e2e/screenshots/ (gitignored) to be looked at.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import type { RunInfo } from '../../src-main/core/domain/types';
import { pct } from '../../src-renderer/lib/format';
import { cellGridChecks, modelDownloadChecks } from './run-page-checks';
import { api, ROOT, serve, type Served } from './serve';

const ARTIFACTS = join(ROOT, 'test/e2e/screenshots');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

let served: Served;
let context: BrowserContext;
let page: Page;
let profile: string;
const problems: string[] = [];

async function shot(name: string, dark = false): Promise<void> {
  if (dark) await page.emulateMedia({ colorScheme: 'dark' });
  // transient toasts would take the strip below the page
  for (const x of await page.locator('.toast .x').all()) await x.click().catch(() => {});
  await page.waitForTimeout(150);
  // the page scrolls inside <main> (the app shell): a window as tall as the page shows all of it
  const size = page.viewportSize()!;
  const tall = await page.evaluate<number>(`(() => { const m = document.querySelector('main'); return m ? Math.ceil(m.scrollHeight + innerHeight - m.clientHeight) : innerHeight; })()`);
  if (tall > size.height) {
    await page.setViewportSize({ width: size.width, height: Math.min(tall, 8000) });
    await page.waitForTimeout(200);
  }
  await page.screenshot({ path: join(ARTIFACTS, `${name}${dark ? '-dark' : ''}.png`), fullPage: true });
  if (tall > size.height) await page.setViewportSize(size);
  if (dark) await page.emulateMedia({ colorScheme: 'light' });
}

/** The message an input's aria-describedby names (its problem, shown under it), or null when it is not marked invalid. */
async function fieldProblem(input: ReturnType<Page['locator']>): Promise<string | null> {
  if ((await input.getAttribute('aria-invalid')) !== 'true') return null;
  const id = await input.getAttribute('aria-describedby');
  assert.ok(id, 'an invalid input names its message');
  return page.locator(`[id="${id}"]`).textContent();
}

/**
 * Visible controls (button, input, select, textarea, link) that a shown toast's box overlaps: each
 * control's box clipped to the window and to every scrolling ancestor, so a control scrolled out of
 * view does not count.
 */
async function controlsUnderToasts(): Promise<string[]> {
  return page.evaluate<string[]>(`(() => {
    const toasts = [...document.querySelectorAll('.toast')].map((t) => t.getBoundingClientRect());
    const out = [];
    for (const el of document.querySelectorAll('button, input, select, textarea, a[href]')) {
      if (el.closest('[data-testid=toasts]')) continue;
      const st = getComputedStyle(el);
      if (st.visibility === 'hidden' || st.display === 'none') continue;
      let r = el.getBoundingClientRect();
      let box = { l: Math.max(r.left, 0), t: Math.max(r.top, 0), r: Math.min(r.right, innerWidth), b: Math.min(r.bottom, innerHeight) };
      for (let a = el.parentElement; a; a = a.parentElement) {
        const s = getComputedStyle(a);
        if (s.overflowX === 'visible' && s.overflowY === 'visible') continue;
        const c = a.getBoundingClientRect();
        box = { l: Math.max(box.l, c.left), t: Math.max(box.t, c.top), r: Math.min(box.r, c.right), b: Math.min(box.b, c.bottom) };
      }
      if (box.r - box.l < 1 || box.b - box.t < 1) continue;
      for (const t of toasts) {
        if (box.l < t.right && box.r > t.left && box.t < t.bottom && box.b > t.top) out.push(el.tagName.toLowerCase() + ' "' + (el.textContent || el.getAttribute('name') || el.getAttribute('data-testid') || '').trim().slice(0, 30) + '"');
      }
    }
    return out;
  })()`);
}

async function waitForRun(name: string, status: string, timeoutMs: number): Promise<RunInfo> {
  const t0 = Date.now();
  for (;;) {
    const r = await api<RunInfo>(served, 'getRun', { name });
    if (r.body.result?.status === status) return r.body.result;
    if (r.body.result && ['failed', 'cancelled', 'interrupted', 'completed'].includes(r.body.result.status) && r.body.result.status !== status) {
      throw new Error(`run ${name} ended ${r.body.result.status}: ${r.body.result.error ?? ''}\n${served.stderr()}`);
    }
    if (Date.now() - t0 > timeoutMs) throw new Error(`run ${name} not ${status} after ${timeoutMs} ms (${r.body.result?.status})`);
    await new Promise((res) => setTimeout(res, 250));
  }
}

async function train(opts: { method: string; name: string; epochs: number; teacher?: string }): Promise<void> {
  await page.getByTestId('nav-train').click();
  await page.getByTestId(`model-mlp`).click();
  await page.getByTestId(`method-${opts.method}`).click();
  if (opts.teacher) await page.locator(`input[name=teacher][value="${opts.teacher}"]`).check();
  await page.getByTestId('run-name').fill(opts.name);
  await page.getByTestId('epochs').fill(String(opts.epochs));
  await page.getByTestId('batch').fill('64');
  await page.getByTestId('backend').selectOption('wasm');
  await page.getByTestId('start-training').click();
  await page.locator(`tr[data-run="${opts.name}"]`).waitFor();
}

before(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  if (!existsSync(join(ROOT, 'out/renderer/index.html'))) {
    const b = spawnSync(process.execPath, [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'src-renderer/vite.config.ts'], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(b.status, 0, b.stderr);
  }
  served = await serve();
  profile = mkdtempSync(join(tmpdir(), 'dive-e2e-chromium-'));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1360, height: 900 },
    acceptDownloads: true,
  });
  page = context.pages()[0] ?? (await context.newPage());
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    // a 400 is a core UserError the page shows as a message (the test provokes one on purpose)
    if (/status of 400/.test(m.text())) return;
    if (m.type() === 'error' || /Content Security Policy/i.test(m.text())) problems.push(`console ${m.type()}: ${m.text()}`);
  });
});

after(async () => {
  await context?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
  await served?.stop();
});

test('the workbench end to end in the browser', { timeout: 480_000 }, async (t) => {
  await t.test('first start: the token leaves the URL and the empty state offers Fashion-MNIST', async () => {
    await page.goto(served.url);
    await page.getByTestId('empty-datasets').waitFor();
    assert.ok(!page.url().includes('token'), `token still in the URL: ${page.url()}`);
    assert.ok(await page.getByTestId('import-fmnist').isVisible());
    await shot('01-first-start');
  });

  await t.test('import Fashion-MNIST with progress, then histogram and thumbnails', async () => {
    await page.getByTestId('import-fmnist').click();
    await page.getByTestId('dataset-histogram').waitFor({ timeout: 60_000 });
    await page.locator('canvas.thumb').first().waitFor();
    assert.equal(await page.locator('canvas.thumb').count(), 40);
    const ds = await api<{ train: { total: number } }>(served, 'getDataset', { name: 'fashion-mnist' });
    assert.equal(ds.body.result?.train.total, 60000);
    await page.waitForTimeout(300);
    await shot('02-datasets');
    await shot('02-datasets', true);
  });

  await t.test('the import dialog validates fields and shows the core\'s error as a message', async () => {
    await page.getByTestId('open-import').click();
    const form = page.getByTestId('import-form');
    await form.getByRole('tab', { name: 'Image folder' }).click();
    await form.locator('input[name=name]').fill('flowers');
    await form.getByRole('button', { name: 'Import', exact: true }).click();
    // the problem sits under its field, named by the input's aria-describedby
    assert.equal(await fieldProblem(form.locator('input[name=train]')), 'required');
    assert.equal(await fieldProblem(form.locator('input[name=name]')), null);
    await form.locator('input[name=train]').fill('/nonexistent/flowers/train');
    await form.getByRole('button', { name: 'Import', exact: true }).click();
    await form.locator('input[name=train][aria-invalid=true]').waitFor({ timeout: 30_000 });
    // the core's refusal (outside the folders `dive serve` may read), in the UI's words: no path, no --flag
    const why = (await fieldProblem(form.locator('input[name=train]')))!;
    assert.match(why, /^outside the folders this server may read \(.+\); whoever started the server can allow another folder$/);
    assert.doesNotMatch(why, /nonexistent|--|`/);
    await shot('02-import-dialog');
    await form.getByRole('button', { name: 'Cancel' }).click();
  });

  await t.test('split builder: the slider at rho = 100 with n_max 500 gives the paper profile', async () => {
    await page.getByTestId('nav-splits').click();
    await page.getByTestId('nmax-input').fill('500');
    await page.getByTestId('ratio-slider').fill('300');
    await page.getByTestId('ratio-slider').fill('741');
    assert.equal(await page.getByTestId('ratio-input').inputValue(), '100');
    const hist = page.getByTestId('split-histogram');
    // the preview is asynchronous: wait until the chart shows the latest parameters
    await page.locator('[data-testid=split-histogram][data-counts="[500,299,179,107,64,38,23,13,8,5]"]').waitFor();
    assert.deepEqual(JSON.parse((await hist.getAttribute('data-counts'))!), [500, 299, 179, 107, 64, 38, 23, 13, 8, 5]);
    assert.equal(await page.getByTestId('stat-total').textContent(), '1,236');
    assert.equal(await page.getByTestId('stat-rho').textContent(), '100');
    await page.getByTestId('split-name').fill('fm-lt100');
    await page.getByTestId('save-split').click();
    await page.locator('td', { hasText: 'fm-lt100' }).waitFor();
    // the same name again: the core's refusal under the name field, in the UI's words (not `--name`)
    await page.getByTestId('split-name').fill('fm-lt100');
    await page.getByTestId('save-split').click();
    await page.locator('[data-testid=split-name][aria-invalid=true]').waitFor();
    assert.equal(await fieldProblem(page.getByTestId('split-name')), 'a split named "fm-lt100" already exists; choose another name');
    await shot('03-split-duplicate-name');
    await page.getByTestId('split-name').fill('');
    await shot('03-split-builder');
    await shot('03-split-builder', true);
  });

  await t.test('train a BSCE teacher and watch its progress bar finish', async () => {
    await train({ method: 'bsce', name: 'teacher', epochs: 2 });
    await page.locator('tr[data-run="teacher"] [data-testid=live-progress]').waitFor({ timeout: 30_000 });
    await page.locator('tr[data-run="teacher"][data-status=completed]').waitFor({ timeout: 90_000 });
    assert.equal(await page.locator('tr[data-run="teacher"] [role=progressbar]').getAttribute('aria-valuenow'), '100');
  });

  await t.test('train a DiVE student from it', async () => {
    await train({ method: 'dive', name: 'student', epochs: 2, teacher: 'teacher' });
    // the live line (epoch, batch, images/s, ETA) comes from the worker's batch events
    await page.locator('tr[data-run="student"] [data-testid=live-progress]', { hasText: 'ETA' }).waitFor({ timeout: 30_000 });
    await shot('04-runs-training');
    await page.locator('tr[data-run="student"][data-status=completed]').waitFor({ timeout: 90_000 });
    await waitForRun('student', 'completed', 5_000);
    await page.locator('tr[data-run="student"] a.open').click();
    await page.getByTestId('run-detail').locator('canvas').first().waitFor();
    assert.ok(page.url().endsWith('#/runs/student'), page.url());
    assert.equal(await page.getByTestId('teacher-link').textContent(), 'teacher');
    // per-class table: one row per class, precision and recall beside the train count
    assert.equal(await page.locator('[data-testid=class-table] tbody tr').count(), 10);
    // the confusion matrix names its classes; a click on a cell shows its misclassified test images
    const cellButton = page.locator('[data-testid=confusion] td:not(.zero):not(.diag) button').first();
    const inCell = Number(await cellButton.textContent());
    await cellButton.click();
    await page.getByTestId('cell-view').locator('canvas.thumb').first().waitFor();
    assert.equal(await page.getByTestId('cell-view').locator('canvas.thumb').count(), Math.min(inCell, 48));
    assert.match((await page.getByTestId('run-config').textContent())!, /Backend used\s*wasm/);
    // the version that trained it, as the run recorded it
    const info = (await api<{ version: string }>(served, 'info', {})).body.result!;
    assert.equal(await page.getByTestId('run-app-version').textContent(), info.version);
    // tags and a note, saved and then found from the runs table's search
    await page.getByTestId('tags-input').fill('distilled, first-try');
    await page.getByTestId('note-input').fill('two epochs only');
    await page.getByTestId('save-notes').click();
    await page.getByTestId('save-notes').filter({ hasText: 'Saved' }).waitFor();
    await shot('05-run-page');
    await page.getByTestId('nav-runs').click();
    await page.getByTestId('runs-search').fill('first-try');
    await page.locator('tr[data-run="teacher"]').waitFor({ state: 'detached' });
    assert.equal(await page.locator('tr[data-run="student"]').count(), 1);
    await page.getByTestId('runs-search').fill('');
    await page.goBack();
    await page.getByTestId('run-title').filter({ hasText: 'student' }).waitFor();
  });

  await t.test('a cell with many images: a grid as wide as the page, more on demand, one image larger', () => cellGridChecks(page, served, shot));

  await t.test('the model downloads as one file that holds what the store holds', () => modelDownloadChecks(page, served));

  await t.test('addresses stay: a deep link opened cold, reload, Back and Forward', async () => {
    // a fresh tab knows no token: the link carries it once, and it leaves the address bar
    const cold = await context.newPage();
    await cold.goto(`${served.origin}/#/runs/student?token=${served.token}`);
    await cold.getByTestId('run-title').filter({ hasText: 'student' }).waitFor();
    assert.equal(new URL(cold.url()).hash, '#/runs/student');
    await cold.reload();
    await cold.getByTestId('run-title').filter({ hasText: 'student' }).waitFor();
    await cold.getByTestId('teacher-link').click();
    await cold.getByTestId('run-title').filter({ hasText: 'teacher' }).waitFor();
    assert.equal(new URL(cold.url()).hash, '#/runs/teacher');
    assert.match((await cold.getByTestId('students').textContent())!, /student/);
    await cold.goBack();
    await cold.getByTestId('run-title').filter({ hasText: 'student' }).waitFor();
    await cold.goForward();
    await cold.getByTestId('run-title').filter({ hasText: 'teacher' }).waitFor();
    await cold.goto(`${served.origin}/#/compare?runs=teacher,student`);
    await cold.locator('[data-testid=group-table] tr[data-run="student"]').waitFor();
    await cold.close();
  });

  await t.test('compare shows the stored many / medium / few accuracies', async () => {
    await page.getByTestId('nav-runs').click();
    await page.locator('tr[data-run="teacher"] input[type=checkbox]').check();
    await page.locator('tr[data-run="student"] input[type=checkbox]').check();
    await shot('05-runs');
    await page.getByTestId('compare-selected').click();
    await page.locator('[data-testid=group-table] tr[data-run="student"]').waitFor();
    for (const name of ['teacher', 'student']) {
      const run = (await api<RunInfo>(served, 'getRun', { name })).body.result!;
      assert.ok(run.metrics, `${name} has metrics`);
      for (const k of ['top1', 'many', 'medium', 'few'] as const) {
        const shown = await page.locator(`[data-testid=group-table] tr[data-run="${name}"] td[data-k=${k}]`).textContent();
        assert.equal(shown, pct(run.metrics[k], 2), `${name} ${k}`);
      }
    }
    await page.locator('.ve-table').waitFor({ timeout: 30_000 });
    // each run's confusion matrix, class names on both axes as on the run page, its cells clickable
    await page.locator('.heat[data-run="student"] [data-testid=confusion]').waitFor();
    assert.equal(await page.locator('.heat [data-testid=confusion]').count(), 2);
    const classNames = (await api<{ classNames: string[] }>(served, 'getDataset', { name: 'fashion-mnist' })).body.result!.classNames;
    assert.deepEqual(await page.locator('.heat[data-run="student"] th.col').allTextContents(), classNames);
    assert.deepEqual(await page.locator('.heat[data-run="teacher"] th.rowh').allTextContents(), classNames);
    const cmCell = page.locator('.heat[data-run="teacher"] [data-testid=confusion] td:not(.zero):not(.diag) button').first();
    const cmCount = Number(await cmCell.textContent());
    await cmCell.click();
    await page.locator('.heat[data-run="teacher"] [data-testid=cell-view] canvas.thumb').first().waitFor();
    assert.equal(await page.locator('.heat[data-run="teacher"] [data-testid=cell-view] canvas.thumb').count(), Math.min(cmCount, 48));
    const download = page.waitForEvent('download');
    await page.getByTestId('export-csv').click();
    const csvPath = join(served.dir, 'compare.csv');
    await (await download).saveAs(csvPath);
    const { readFileSync } = await import('node:fs');
    const csv = readFileSync(csvPath, 'utf8').split('\r\n');
    assert.match(csv[0], /^run,status,method,model,split,dataset,teacher,params,epochs,top1,many,medium,few,ece,config\./);
    assert.equal(csv.length, 4, 'header, two runs, final newline');
    await page.waitForTimeout(300);
    await shot('06-compare');
    await shot('06-compare', true);
  });

  await t.test('a study with two seeds from the Train screen: queue, then mean ± std and the paired difference', async () => {
    await page.getByTestId('nav-train').click();
    await page.getByTestId('model-mlp').click();
    await page.getByTestId('method-ce').click();
    await page.getByTestId('epochs').fill('1');
    await page.getByTestId('batch').fill('64');
    await page.getByTestId('backend').selectOption('wasm');
    // before Start: the backend the run will use and why, then an estimate once timed
    await page.getByTestId('backend-plan').waitFor({ timeout: 60_000 });
    assert.match((await page.getByTestId('backend-plan').textContent())!, /will train on wasm: asked for in the form/);
    await page.getByTestId('probe-backends').click();
    await page.getByTestId('estimate').waitFor({ timeout: 90_000 });
    assert.match((await page.getByTestId('estimate').textContent())!, /Estimated time: .+: training .+, evaluation .+, start-up .+ \(\d[\d,]* img\/s training, \d[\d,]* img\/s evaluation, measured just now\)/);
    await page.getByTestId('mode-study').click();
    // errors sit next to their field, in the form's words
    await page.getByTestId('study-method-dive').uncheck();
    await page.getByTestId('start-training').click();
    assert.match((await page.getByTestId('study-section').textContent())!, /give the study a name/);
    await page.getByTestId('study-name').fill('seeds');
    await page.getByTestId('study-seeds').fill('2');
    await page.getByTestId('study-method-ce').check();
    await page.getByTestId('start-training').click();
    await page.getByTestId('study-title').filter({ hasText: 'seeds' }).waitFor();
    assert.equal(new URL(page.url()).hash, '#/studies/seeds');
    await page.getByTestId('nav-queue').click();
    await page.getByTestId('queue-table').or(page.getByTestId('empty-queue')).waitFor();
    await shot('09-queue');
    const t0 = Date.now();
    for (;;) {
      const st = await api<{ runs: { status: string }[] }>(served, 'getStudy', { name: 'seeds' });
      const runs = st.body.result?.runs ?? [];
      if (runs.length === 4 && runs.every((r) => r.status === 'completed')) break;
      if (runs.some((r) => ['failed', 'cancelled', 'interrupted'].includes(r.status))) throw new Error(`study run ended badly: ${JSON.stringify(runs)}\n${served.stderr()}`);
      if (Date.now() - t0 > 120_000) throw new Error(`study not done after 120 s: ${JSON.stringify(runs)}`);
      await new Promise((res) => setTimeout(res, 500));
    }
    await page.goBack();
    await page.getByTestId('study-title').filter({ hasText: 'seeds' }).waitFor();
    await page.locator('[data-testid=paired-lines]', { hasText: 'bsce - ce' }).waitFor({ timeout: 30_000 });
    assert.match((await page.getByTestId('paired-lines').textContent())!, /bsce - ce: [+-]\d+\.\d \[[+-]\d+\.\d, [+-]\d+\.\d\], n = 2/);
    assert.match((await page.locator('[data-testid=study-summary] tr[data-group] td[data-k=top1]').first().textContent())!, /^\d+\.\d ± \d+\.\d$/);
    assert.equal(await page.locator('[data-testid=study-deltas] tbody tr').count(), 10);
  });

  await t.test('cancel a running run from the runs table', async () => {
    await train({ method: 'ce', name: 'to-cancel', epochs: 60 });
    await page.locator('tr[data-run="to-cancel"][data-status=running]').waitFor({ timeout: 30_000 });
    await page.locator('tr[data-run="to-cancel"] [data-testid=cancel-run]').click();
    await page.locator('tr[data-run="to-cancel"][data-status=cancelled]').waitFor({ timeout: 30_000 });
    await waitForRun('to-cancel', 'cancelled', 5_000);
    await shot('07-runs-cancelled');
  });

  await t.test('the train screen, and a core error shown as a readable message', async () => {
    await page.getByTestId('nav-train').click();
    await page.getByTestId('method-dive').click();
    await shot('08-train');
    await shot('08-train', true);
    // an out-of-range hyper-parameter: its problem under its field, in the form's words
    await page.getByTestId('momentum').fill('1');
    await page.getByTestId('param-alpha').fill('1.5');
    await page.getByTestId('start-training').click();
    assert.equal(await fieldProblem(page.getByTestId('momentum')), 'must be below 1');
    assert.equal(await fieldProblem(page.getByTestId('param-alpha')), 'must be at most 1');
    assert.equal(await fieldProblem(page.getByTestId('epochs')), null);
    await page.getByTestId('momentum').scrollIntoViewIfNeeded();
    await shot('08-train-field-errors');
    await page.getByTestId('momentum').fill('0.9');
    await page.getByTestId('param-alpha').fill('0.5');
    await page.getByTestId('nav-splits').click();
    await page.getByTestId('nmax-input').fill('7000');
    await page.getByTestId('preview-error').waitFor();
    // the core's refusal of the preview under n_max, naming the class; the chart says why it is stale
    await page.locator('[data-testid=nmax-input][aria-invalid=true]').waitFor();
    assert.match((await fieldProblem(page.getByTestId('nmax-input')))!, /^class 0 \("T-shirt\/top"\) has 6000 training images but the split needs 7000(; .+)?; lower it$/);
    assert.match((await page.getByTestId('preview-error').textContent())!, /see the highlighted field/);
  });

  await t.test('every screen fits the window at 1024x700 and 1400x900, light and dark', async () => {
    const screens: [string, string][] = [
      ['datasets', '#/datasets/fashion-mnist'], ['splits', '#/splits/fm-lt100'], ['train', '#/train'], ['runs', '#/runs'], ['run', '#/runs/student'],
      ['queue', '#/queue'], ['studies', '#/studies'], ['study', '#/studies/seeds'], ['compare', '#/compare?runs=teacher,student,seeds-ce-s1'],
    ];
    const wide: string[] = [];
    const fits = async (where: string) => {
      // a string, as this file is typed for Node (no DOM): the outermost elements sticking out of the
      // page's area (the page scrolls inside <main>: wider content would make <main> scroll sideways)
      const { scroll, inner, culprits } = await page.evaluate<{ scroll: number; inner: number; culprits: string[] }>(`(() => {
        const main = document.querySelector('main');
        const edge = main.getBoundingClientRect().left + main.clientWidth;
        const out = [];
        for (const el of document.querySelectorAll('main *')) {
          const r = el.getBoundingClientRect();
          const p = el.parentElement;
          if (r.right > edge + 0.5 && !(p && p.getBoundingClientRect().right > edge + 0.5)) out.push(el.tagName.toLowerCase() + '.' + [...el.classList].join('.') + ' (' + Math.round(r.right) + ')');
        }
        const over = Math.max(document.documentElement.scrollWidth - innerWidth, main.scrollWidth - main.clientWidth);
        return { scroll: innerWidth + Math.max(0, over), inner: innerWidth, culprits: out.slice(0, 5) };
      })()`);
      if (scroll > inner) wide.push(`${where} is ${scroll} px wide in a ${inner} px window: ${culprits.join(', ')}`);
    };
    for (const [w, h] of [[1024, 700], [1400, 900]]) {
      await page.setViewportSize({ width: w, height: h });
      for (const [label, hash] of screens) {
        await page.evaluate(`location.hash = ${JSON.stringify(hash)}`);
        await page.waitForFunction(`location.hash === ${JSON.stringify(hash)}`);
        await page.waitForTimeout(label === 'compare' || label === 'run' ? 1200 : 400);
        await fits(`${label} at ${w}x${h}`);
        await shot(`10-${label}-${w}`);
        if (w === 1400) await shot(`10-${label}-${w}`, true);
        // charts re-render on a theme change: still within the window after it
        await fits(`${label} at ${w}x${h} after the dark shot`);
      }
    }
    await page.setViewportSize({ width: 1360, height: 900 });
    assert.deepEqual(wide, []);
  });

  await t.test('toasts: announced, gone after a few seconds, and never over a control, at both sizes, light and dark', async () => {
    for (const [w, h] of [[1024, 700], [1400, 900]]) {
      for (const dark of [false, true]) {
        await page.setViewportSize({ width: w, height: h });
        await page.emulateMedia({ colorScheme: dark ? 'dark' : 'light' });
        await page.evaluate(`location.hash = '#/runs/student'`);
        await page.getByTestId('save-notes').waitFor();
        // the notes form halfway down the page, so controls sit at the bottom edge of the window
        await page.getByTestId('note-input').scrollIntoViewIfNeeded();
        await page.getByTestId('note-input').fill(`noted at ${w}x${h}${dark ? ' in dark' : ''}`);
        await page.getByTestId('save-notes').click();
        const toast = page.locator('[data-testid=toasts] .toast', { hasText: 'Saved the tags and note.' });
        await toast.waitFor();
        // announced: a status inside a live region, with a close button
        assert.equal(await toast.getAttribute('role'), 'status');
        assert.equal(await page.getByTestId('toasts').getAttribute('aria-live'), 'polite');
        assert.equal(await toast.getByRole('button', { name: 'dismiss' }).count(), 1);
        assert.deepEqual(await controlsUnderToasts(), [], `a toast covers controls at ${w}x${h}${dark ? ', dark' : ''}`);
        // and at the very bottom of the page, where the last controls are
        await page.evaluate(`document.querySelector('main').scrollTop = 1e6`);
        assert.deepEqual(await controlsUnderToasts(), [], `a toast covers controls at the end of the page at ${w}x${h}`);
        if (w === 1024 && !dark) await page.screenshot({ path: join(ARTIFACTS, '11-toast-1024.png') });
        if (w === 1400 && dark) await page.screenshot({ path: join(ARTIFACTS, '11-toast-1400-dark.png') });
        // it times out by itself (4 s for a notice)
        await toast.waitFor({ state: 'detached', timeout: 8_000 });
      }
    }
    // an error stays until closed or 12 s, is an alert, and reads in the UI's words: a delete's Undo
    // refused because a new run took the name meanwhile, without the command line's --rename
    await page.setViewportSize({ width: 1024, height: 700 });
    await page.evaluate(`location.hash = '#/runs'`);
    await page.getByRole('button', { name: 'delete to-cancel', exact: true }).click();
    await page.getByTestId('delete-confirm').click();
    const undo = page.locator('[data-testid=toasts] .toast', { hasText: 'Moved run to-cancel to the trash.' });
    await undo.waitFor();
    assert.equal((await api(served, 'train', { split: 'fm-lt100', name: 'to-cancel', config: { method: 'ce', model: 'mlp', epochs: 1, backend: 'wasm' } })).status, 200);
    await undo.getByTestId('toast-action').click();
    const refused = page.locator('[data-testid=toasts] .toast.error');
    await refused.waitFor();
    assert.equal(await refused.getAttribute('role'), 'alert');
    assert.match((await refused.locator('span').textContent())!.trim(), /^cannot restore trash entry \d+ \(run "to-cancel"\): a new run is named "to-cancel"$/);
    assert.deepEqual(await controlsUnderToasts(), []);
    await page.screenshot({ path: join(ARTIFACTS, '11-toast-error-1024.png') });
    await page.waitForTimeout(4_500);
    assert.equal(await refused.count(), 1, 'an error outlasts a notice');
    await refused.getByRole('button', { name: 'dismiss' }).click();
    await refused.waitFor({ state: 'detached' });
    await page.emulateMedia({ colorScheme: 'light' });
    await page.setViewportSize({ width: 1360, height: 900 });
  });

  await t.test('an API call without the token is refused', async () => {
    const none = await api(served, 'listRuns', {}, null);
    assert.equal(none.status, 401);
    assert.equal(none.body.ok, false);
    const wrong = await api(served, 'listRuns', {}, 'not-the-token');
    assert.equal(wrong.status, 401);
    const events = await fetch(`${served.origin}/api/events`);
    assert.equal(events.status, 401);
  });

  await t.test('no page errors and no CSP violations', () => {
    assert.deepEqual(problems, []);
  });
});
