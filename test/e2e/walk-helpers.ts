// Helpers of the browser walks in links-compare.test.ts and artifacts.test.ts: the UI built once,
// runs waited for through the API, a chart's drawn data read from the page, full-page screenshots.
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { RunInfo } from '../../src-main/core/domain/types';
import { api, type Served } from './serve';
import { fullPageShot, openChromium, waitForRuns as waitForRunsBy } from './browser';

export { buildRenderer, CHROMIUM } from './browser';
export type { Chromium as Browser } from './browser';

/** Headless Chromium on a fresh profile at 1400x900, downloads accepted, its problems collected. */
export const openBrowser = () => openChromium({ width: 1400, height: 900 });

/** Waits until every named run has completed; fails at once when one ends otherwise. */
export function waitForRuns(served: Served, names: readonly string[], timeoutMs: number): Promise<void> {
  return waitForRunsBy(async (name) => (await api<RunInfo>(served, 'getRun', { name })).body.result, names, timeoutMs, served.stderr);
}

export interface DrawnLine {
  label: string;
  min: number | null;
  max: number | null;
  points: number;
}

/**
 * Polls a page expression until it is truthy. (page.waitForFunction evaluates a string with eval
 * in the page, which the UI's Content-Security-Policy forbids; page.evaluate is not subject to it.)
 */
export async function until(page: Page, expression: string, timeoutMs = 30_000): Promise<void> {
  const t0 = Date.now();
  while (!(await page.evaluate<boolean>(`Boolean(${expression})`))) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`not true after ${timeoutMs} ms: ${expression}`);
    await page.waitForTimeout(100);
  }
}

/** What each line of a chart was drawn through, in data units (Chart.svelte's data-drawn), once drawn. */
export async function drawn(page: Page, testid: string): Promise<DrawnLine[]> {
  await until(page, `document.querySelector('[data-testid="${testid}"]')?.dataset.drawn`);
  return JSON.parse((await page.getByTestId(testid).getAttribute('data-drawn'))!) as DrawnLine[];
}

/** A full-page screenshot (the page scrolls inside <main>: the window grows to show all of it), light or dark. */
export function shotOf(page: () => Page, dir: string): (name: string, dark?: boolean) => Promise<void> {
  return (name, dark = false) => fullPageShot(page(), join(dir, `${name}${dark ? '-dark' : ''}.png`), { dark, dismissToasts: true, settleMs: 200 });
}
