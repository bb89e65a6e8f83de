// The Train form in Chromium against `dive serve` (issue 22, items 2 and 8): a quick start, not the
// paper's 200-epoch ResNet-32; the teacher list ranked by validation accuracy and saying so; a
// student's seed its teacher's + 1, and a warning before Start on the teacher's own seed; a refused
// form scrolled to its field and naming it; the last settings remembered per dataset when `n` opens
// the form again; study mode with the single-run fields disabled and the runs it will queue listed;
// an estimate that counts evaluation and start-up.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { FORM_START } from '../../src-main/core/domain/form-start';
import { rankTeachers, sharedSeedWarning, TEACHER_RULE_TEXT } from '../../src-main/core/domain/teacher-choice';
import type { RunInfo, RunSummary } from '../../src-main/core/domain/types';
import { join } from 'node:path';
import { ARTIFACTS, openBrowser, waitForRuns, type Browser } from './browser';
import { api, ok, serve, type Served } from './serve';

let served: Served;
let b: Browser;
let page: Page;
const FAST = { model: 'mlp', epochs: 1, batchSize: 64, backend: 'wasm' };

const call = <T>(name: string, args: unknown): Promise<T> => ok<T>(served, name, args);
const getRun = async (name: string) => (await api<RunInfo>(served, 'getRun', { name })).body.result;

before(async () => {
  served = await serve();
  b = await openBrowser(served.origin);
  page = b.page;
  await call('importDataset', { request: { format: 'fashion-mnist' } });
  await call('createSplit', { dataset: 'fashion-mnist', name: 'lt', ratio: 10, maxPerClass: 60 });
  // two Balanced-Softmax teachers: T is better on the test set, TV has a validation holdout
  await call('train', { split: 'lt', name: 'T', config: { ...FAST, method: 'bsce', seed: 4, epochs: 3 } });
  await call('train', { split: 'lt', name: 'TV', config: { ...FAST, method: 'bsce', seed: 9, epochs: 3, valFraction: 0.2 } });
  await waitForRuns(getRun, ['T', 'TV'], 120_000, () => served.stderr());
  await page.goto(served.url);
  await page.getByTestId('nav-train').waitFor();
});

after(async () => {
  await b?.close();
  await served?.stop();
});

test('the Train form in the browser', { timeout: 240_000 }, async (t) => {
  await t.test('a fresh form starts quick, not with the paper\'s ResNet-32 for 200 epochs', async () => {
    await page.getByTestId('nav-train').click();
    await page.getByTestId('train-form').waitFor();
    assert.match((await page.getByTestId(`model-${FORM_START.model}`).getAttribute('class'))!, /\bon\b/);
    assert.equal(await page.getByTestId('epochs').inputValue(), String(FORM_START.epochs));
  });

  await t.test('the teacher list says its rule, never ranks by test accuracy, and the student starts on the teacher\'s seed + 1', async () => {
    await page.getByTestId('method-dive').click();
    const rule = page.getByTestId('teacher-rule');
    await rule.waitFor();
    assert.equal(await rule.getAttribute('data-rule'), 'validation');
    assert.equal(await rule.textContent(), TEACHER_RULE_TEXT.validation);
    // the order and the preselection are the domain's ranking of the stored runs: TV has a holdout, T none
    const runs = await call<RunSummary[]>('listRuns', {});
    const want = rankTeachers(runs, 'lt', 'fashion-mnist');
    assert.equal(want.rule, 'validation');
    assert.notEqual(runs.find((r) => r.name === 'TV')?.valAcc, null);
    const order = await page.locator('[data-testid=teachers-recommended] input[name=teacher]').evaluateAll((xs) => xs.map((x) => x.getAttribute('value')));
    assert.deepEqual(order, want.recommended.map((c) => c.run.name));
    assert.ok(want.preselected, 'a teacher without warnings');
    assert.ok(await page.locator(`input[name=teacher][value="${want.preselected}"]`).isChecked());
    assert.equal(await page.getByTestId('seed').inputValue(), String(runs.find((r) => r.name === want.preselected)!.seed + 1));
    await page.locator('input[name=teacher][value="T"]').check();
    assert.equal(await page.getByTestId('seed').inputValue(), '5', 'the seed follows the teacher until typed');
    // the teacher's own seed, typed: warned before Start
    await page.getByTestId('seed').fill('4');
    const warn = page.getByTestId('seed-warning');
    await warn.waitFor();
    assert.equal(await warn.textContent(), `⚠ ${sharedSeedWarning('T', 4)}`);
    await page.getByTestId('seed-warning-start').waitFor();
    await page.getByTestId('teachers-recommended').scrollIntoViewIfNeeded();
    await b.shot('23-train-teacher-seed-1360');
    await page.getByTestId('seed').fill('5');
    await warn.waitFor({ state: 'detached' });
  });

  await t.test('a refused Start scrolls to its field, focuses it and names it', async () => {
    await page.setViewportSize({ width: 1024, height: 700 });
    // a field at the top of the form, wrong; Start at its bottom
    await page.getByTestId('param-alpha').fill('1.5');
    await page.getByTestId('start-training').scrollIntoViewIfNeeded();
    assert.equal(await inView('param-alpha'), false, 'the field is off-screen when Start is pressed');
    await page.getByTestId('start-training').click();
    const line = page.getByTestId('fix-field');
    await line.waitFor();
    assert.equal(await line.textContent(), 'Fix Distillation weight α: must be at most 1.');
    assert.equal(await page.evaluate<string | undefined>('document.activeElement?.dataset.testid'), 'param-alpha');
    assert.ok(await inView('param-alpha'), 'scrolled into view');
    await page.screenshot({ path: join(ARTIFACTS, '24-train-refused-1024.png') });
    await page.getByTestId('param-alpha').fill('0.5');
    await line.waitFor({ state: 'detached' });
    await page.setViewportSize({ width: 1360, height: 900 });
  });

  await t.test('the settings are remembered per dataset: `n` opens the form as it was left', async () => {
    await page.getByTestId('epochs').fill('2');
    await page.getByTestId('model-mlp').click();
    await page.getByTestId('batch').fill('64');
    await page.getByTestId('nav-runs').click();
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('n');
    await page.getByTestId('train-form').waitFor();
    assert.equal(await page.getByTestId('epochs').inputValue(), '2');
    assert.match((await page.getByTestId('model-mlp').getAttribute('class'))!, /\bon\b/);
    assert.equal(await page.getByTestId('batch').inputValue(), '64');
    assert.match((await page.getByTestId('method-dive').getAttribute('class'))!, /\bon\b/);
  });

  await t.test('study mode disables the single-run fields and lists the runs it will queue', async () => {
    await page.getByTestId('mode-study').click();
    for (const id of ['run-name', 'method-ce', 'method-dive', 'param-tau', 'seed']) assert.ok(await page.getByTestId(id).isDisabled(), `${id} is disabled in study mode`);
    await page.getByTestId('study-mode-note').waitFor();
    await page.getByTestId('study-name').fill('st');
    await page.getByTestId('study-seeds').fill('2');
    const plan = page.getByTestId('study-plan');
    await plan.waitFor();
    const rows = await plan.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
    assert.deepEqual(rows, [
      ['st-teacher-s101', 'teacher', 'bsce', '101', '—'],
      ['st-teacher-s102', 'teacher', 'bsce', '102', '—'],
      ['st-bsce-s1', 'student', 'bsce', '1', '—'],
      ['st-bsce-s2', 'student', 'bsce', '2', '—'],
      ['st-dive-s1', 'student', 'dive', '1', 'st-teacher-s101'],
      ['st-dive-s2', 'student', 'dive', '2', 'st-teacher-s102'],
    ]);
    assert.equal(await page.getByTestId('start-training').textContent(), 'Plan and queue study (6 runs)');
    await b.shot('25-train-study-1360');
  });

  await t.test('the estimate counts training, evaluation and start-up, for every run the study plans', async () => {
    await page.getByTestId('backend').selectOption('wasm');
    await page.getByTestId('probe-backends').click();
    const est = page.getByTestId('estimate');
    await est.waitFor({ timeout: 120_000 });
    assert.match((await est.textContent())!, /^Estimated time: .+ for 6 runs one after another: training .+, evaluation .+, start-up .+ \(\d[\d,]* img\/s training, \d[\d,]* img\/s evaluation, measured just now\)\.$/);
    assert.ok(Number(await est.getAttribute('data-seconds')) > 0);
    await page.getByTestId('mode-run').click();
    await page.locator('[data-testid=estimate]', { hasText: /^Estimated time: [^,]+: training/ }).waitFor();
  });

  await t.test('no page errors and no CSP violations', () => {
    assert.deepEqual(b.problems, []);
  });
});

/** Whether the element with this test id is inside the window (not scrolled out of <main>). */
async function inView(testid: string): Promise<boolean> {
  const box = await page.getByTestId(testid).boundingBox();
  const size = page.viewportSize()!;
  return box !== null && box.y >= 0 && box.y + box.height <= size.height;
}
