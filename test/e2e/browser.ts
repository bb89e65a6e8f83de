// Chromium for the browser tests in their own files (the walk in ui.test.ts keeps its own): a
// persistent headless profile that accepts downloads, page errors and CSP violations collected,
// full-page screenshots, and the UI built once. walk-helpers.ts builds on the same functions.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import assert from 'node:assert/strict';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { ROOT } from './serve';

export const ARTIFACTS = join(ROOT, 'test/e2e/screenshots');
export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

export interface Chromium {
  context: BrowserContext;
  page: Page;
  /** page errors, console errors and CSP violations seen so far (a 400, a refusal a test provokes, is not one) */
  problems: string[];
  close(): Promise<void>;
}

export interface Browser extends Chromium {
  /** the whole page (it scrolls inside <main>) as ARTIFACTS/NAME[-dark].png */
  shot(name: string, dark?: boolean): Promise<void>;
}

/** Builds the UI into out/renderer unless it is there. */
export function buildRenderer(): void {
  if (existsSync(join(ROOT, 'out/renderer/index.html'))) return;
  const b = spawnSync(process.execPath, [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'src-renderer/vite.config.ts'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(b.status, 0, b.stderr);
}

/** Headless Chromium on a fresh profile (removed by close()), downloads accepted, its problems collected. */
export async function openChromium(viewport: { width: number; height: number }): Promise<Chromium> {
  const profile = mkdtempSync(join(tmpdir(), 'dive-e2e-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport,
    acceptDownloads: true,
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message} ${e.stack ?? ''}`));
  page.on('console', (m) => {
    // a 400 is a core UserError the page shows as a message (the tests provoke some on purpose)
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

/** The whole page (it scrolls inside <main>, so the window is made as tall as its content) as a PNG at `path`. */
export async function fullPageShot(page: Page, path: string, o: { dark?: boolean; dismissToasts?: boolean; settleMs?: number } = {}): Promise<void> {
  const settle = o.settleMs ?? 150;
  if (o.dark) await page.emulateMedia({ colorScheme: 'dark' });
  if (o.dismissToasts) for (const x of await page.locator('.toast .x').all()) await x.click().catch(() => {});
  await page.waitForTimeout(settle);
  const size = page.viewportSize()!;
  const tall = await page.evaluate<number>(`(() => { const m = document.querySelector('main'); return m ? Math.ceil(m.scrollHeight + innerHeight - m.clientHeight) : innerHeight; })()`);
  if (tall > size.height) {
    await page.setViewportSize({ width: size.width, height: Math.min(tall, 8000) });
    await page.waitForTimeout(settle + 50);
  }
  await page.screenshot({ path, fullPage: true });
  if (tall > size.height) await page.setViewportSize(size);
  if (o.dark) await page.emulateMedia({ colorScheme: 'light' });
}

/** Chromium at 1360x900 that may use the clipboard on `origin`, with full-page screenshots into ARTIFACTS. */
export async function openBrowser(origin: string): Promise<Browser> {
  mkdirSync(ARTIFACTS, { recursive: true });
  buildRenderer();
  const c = await openChromium({ width: 1360, height: 900 });
  await c.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin });
  return { ...c, shot: (name, dark = false) => fullPageShot(c.page, join(ARTIFACTS, `${name}${dark ? '-dark' : ''}.png`), { dark }) };
}

/** Polls `get` until every named run has ended, failing on a run that did not complete. */
export async function waitForRuns(get: (name: string) => Promise<{ name?: string; status: string; error: string | null } | undefined>, names: readonly string[], timeoutMs: number, log: () => string): Promise<void> {
  const t0 = Date.now();
  for (;;) {
    const runs = await Promise.all(names.map(get));
    if (runs.every((r) => r?.status === 'completed')) return;
    const bad = runs.find((r) => r && ['failed', 'cancelled', 'interrupted'].includes(r.status));
    if (bad) throw new Error(`run ${bad.name ?? ''} ended ${bad.status}: ${bad.error ?? ''}\n${log()}`);
    if (Date.now() - t0 > timeoutMs) throw new Error(`runs not completed after ${timeoutMs} ms: ${JSON.stringify(runs.map((r) => r?.status))}`);
    await new Promise((res) => setTimeout(res, 500));
  }
}
