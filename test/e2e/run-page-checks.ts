// Two steps of the browser walk (ui.test.ts) on the run page of its DiVE student: a confusion cell
// with many test images laid out as a grid as wide as the page (more than 4 a row at 1400x900, no
// horizontal overflow at 1024x700), paged and seen larger; and the model export as a browser
// download fetched by a one-time id, whose archive holds what the store holds.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { x as untar } from 'tar';
import type { RunInfo } from '../../src-main/core/domain/types';
import { api, type Served } from './serve';

export async function cellGridChecks(page: Page, served: Served, shot: (name: string, dark?: boolean) => Promise<void>): Promise<void> {
  await page.setViewportSize({ width: 1400, height: 900 });
  await page.getByTestId('run-title').filter({ hasText: 'student' }).waitFor();
  // the fullest cell (a diagonal one: hundreds of a class's test images)
  const at = await page.evaluate<string>(`(() => {
    let best = null, most = -1;
    for (const b of document.querySelectorAll('[data-testid=confusion] td button')) if (Number(b.textContent) > most) [best, most] = [b.dataset.cell, Number(b.textContent)];
    return best;
  })()`);
  const button = page.locator(`[data-testid=confusion] button[data-cell="${at}"]`);
  const total = Number(await button.textContent());
  assert.ok(total > 96, `the fullest cell has ${total} images`);
  await button.click();
  const view = page.getByTestId('cell-view');
  await view.locator('canvas.thumb').nth(47).waitFor();
  const [i, j] = at.split(',').map(Number);
  const names = (await api<{ classNames: string[] }>(served, 'getDataset', { name: 'fashion-mnist' })).body.result!.classNames;
  assert.equal(await page.getByTestId('cell-heading').textContent(), `${total.toLocaleString('en-US')} images: true ${names[i]}, predicted ${names[j]}${i === j ? ' (correct)' : ''}`);
  const perRow = () => page.evaluate<number>(`(() => {
    const t = [...document.querySelectorAll('[data-testid=cell-thumbs] canvas.thumb')];
    const top = t[0].getBoundingClientRect().top;
    return t.filter((c) => Math.abs(c.getBoundingClientRect().top - top) < 1).length;
  })()`);
  const wide = await perRow();
  assert.ok(wide > 4, `${wide} thumbnails per row at 1400x900`);
  assert.equal(await view.locator('canvas.thumb').count(), 48);
  await page.getByTestId('cell-more').click();
  await view.locator('canvas.thumb').nth(95).waitFor();
  assert.equal(await view.locator('canvas.thumb').count(), 96);
  // a thumbnail seen larger, with its test-set index; Escape closes it
  const third = view.locator('[data-testid=cell-thumbs] button').nth(2);
  const index = (await third.getAttribute('title'))!.replace('test image #', '');
  await third.click();
  assert.match((await page.getByTestId('cell-zoom').textContent())!, new RegExp(`test image #${Number(index).toLocaleString('en-US')}\\s*3 of 96 shown`));
  await shot('05-run-cell-1400');
  await shot('05-run-cell-1400', true);
  await page.keyboard.press('Escape');
  await page.getByTestId('cell-zoom').waitFor({ state: 'detached' });
  await page.setViewportSize({ width: 1024, height: 700 });
  await page.waitForTimeout(300);
  const { scroll, inner } = await page.evaluate<{ scroll: number; inner: number }>(`({ scroll: document.documentElement.scrollWidth, inner: innerWidth })`);
  assert.ok(scroll <= inner, `the run page with a cell open is ${scroll} px wide in a ${inner} px window`);
  assert.ok((await perRow()) > 4, 'still more than 4 a row at 1024x700');
  await shot('05-run-cell-1024');
  await page.setViewportSize({ width: 1360, height: 900 });
}

export async function modelDownloadChecks(page: Page, served: Served): Promise<void> {
  const download = page.waitForEvent('download');
  await page.getByTestId('export-model').click();
  const got = await download;
  assert.equal(got.suggestedFilename(), 'student-model.tar.gz');
  // fetched by a one-time id: the token is in no address
  assert.match(new URL(got.url()).pathname, /^\/api\/download\/[\w-]{32,}$/);
  assert.ok(!got.url().includes(served.token), got.url());
  const file = join(served.dir, 'student-model.tar.gz');
  await got.saveAs(file);
  const sha = createHash('sha256').update(readFileSync(file)).digest('hex');
  await page.getByTestId('export-done').filter({ hasText: sha.slice(0, 12) }).waitFor();
  const out = join(served.dir, 'unpacked');
  mkdirSync(out);
  await untar({ file, cwd: out, strict: true });
  assert.deepEqual(readdirSync(join(out, 'student')).sort(), ['model.json', 'run.json', 'weights.bin']);
  const manifest = JSON.parse(readFileSync(join(out, 'student', 'model.json'), 'utf8')) as { weightsManifest: { weights: { shape: number[] }[] }[] };
  const floats = manifest.weightsManifest[0].weights.reduce((a, w) => a + w.shape.reduce((p, k) => p * k, 1), 0);
  assert.equal(statSync(join(out, 'student', 'weights.bin')).size, 4 * floats);
  const exported = JSON.parse(readFileSync(join(out, 'student', 'run.json'), 'utf8')) as RunInfo;
  const stored = (await api<RunInfo>(served, 'getRun', { name: 'student' })).body.result!;
  assert.deepEqual(exported.metrics, stored.metrics);
  // the tags and note typed on the run page travel with the model
  assert.ok(stored.tags.length > 0 && stored.note !== '', 'the walk tagged the run before exporting it');
  assert.deepEqual({ tags: exported.tags, note: exported.note }, { tags: stored.tags, note: stored.note });
  // the link works once
  assert.equal((await fetch(got.url())).status, 404);
}
