// Helpers of the browser walks in links-compare.test.ts and artifacts.test.ts: the UI built once,
// runs waited for through the API, a chart's drawn data read from the page, full-page screenshots.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import type { RunInfo } from '../../src-main/core/domain/types';
import { api, ROOT, type Served } from './serve';

export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

export interface Browser {
  context: BrowserContext;
  page: Page;
  /** page errors, console errors and CSP reports seen so far (a 400, a refusal the walk provokes, is not one) */
  problems: string[];
  close(): Promise<void>;
}

/** Headless Chromium on a fresh profile at 1400x900, downloads accepted, its problems collected. */
export async function openBrowser(): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'dive-e2e-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1400, height: 900 },
    acceptDownloads: true,
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message} ${e.stack ?? ''}`));
  page.on('console', (m) => {
    if (/status of 400/.test(m.text())) return;
    if (m.type() === 'error' || /Content Security Policy/i.test(m.text())) problems.push(`console ${m.type()}: ${m.text()}`);
  });
  return {
    context,
    page,
    problems,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export function buildRenderer(): void {
  if (existsSync(join(ROOT, 'out/renderer/index.html'))) return;
  const b = spawnSync(process.execPath, [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'src-renderer/vite.config.ts'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(b.status, 0, b.stderr);
}

/** Waits until every named run has completed; fails at once when one ends otherwise. */
export async function waitForRuns(served: Served, names: readonly string[], timeoutMs: number): Promise<void> {
  const t0 = Date.now();
  for (;;) {
    const runs = await Promise.all(names.map(async (name) => (await api<RunInfo>(served, 'getRun', { name })).body.result));
    if (runs.every((r) => r?.status === 'completed')) return;
    const bad = runs.find((r) => r && ['failed', 'cancelled', 'interrupted'].includes(r.status));
    if (bad) throw new Error(`run ${bad.name} ended ${bad.status}: ${bad.error ?? ''}\n${served.stderr()}`);
    if (Date.now() - t0 > timeoutMs) throw new Error(`runs not completed after ${timeoutMs} ms: ${runs.map((r) => `${r?.name} ${r?.status}`).join(', ')}`);
    await new Promise((res) => setTimeout(res, 500));
  }
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
  return async (name, dark = false) => {
    const p = page();
    if (dark) await p.emulateMedia({ colorScheme: 'dark' });
    for (const x of await p.locator('.toast .x').all()) await x.click().catch(() => {});
    await p.waitForTimeout(200);
    const size = p.viewportSize()!;
    const tall = await p.evaluate<number>(`(() => { const m = document.querySelector('main'); return m ? Math.ceil(m.scrollHeight + innerHeight - m.clientHeight) : innerHeight; })()`);
    if (tall > size.height) {
      await p.setViewportSize({ width: size.width, height: Math.min(tall, 8000) });
      await p.waitForTimeout(250);
    }
    await p.screenshot({ path: join(dir, `${name}${dark ? '-dark' : ''}.png`), fullPage: true });
    if (tall > size.height) await p.setViewportSize(size);
    if (dark) await p.emulateMedia({ colorScheme: 'light' });
  };
}
