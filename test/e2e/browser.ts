// Chromium for the browser tests in their own files (the walk in ui.test.ts keeps its own): a
// persistent headless profile at 1360x900 that accepts downloads and may use the clipboard, page
// errors and CSP violations collected, and full-page screenshots into test/e2e/screenshots/.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import assert from 'node:assert/strict';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { ROOT } from './serve';

export const ARTIFACTS = join(ROOT, 'test/e2e/screenshots');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

export interface Browser {
  context: BrowserContext;
  page: Page;
  /** page errors, console errors and CSP violations seen so far */
  problems: string[];
  /** the whole page (it scrolls inside <main>) as ARTIFACTS/NAME[-dark].png */
  shot(name: string, dark?: boolean): Promise<void>;
  close(): Promise<void>;
}

export async function openBrowser(origin: string): Promise<Browser> {
  mkdirSync(ARTIFACTS, { recursive: true });
  if (!existsSync(join(ROOT, 'out/renderer/index.html'))) {
    const b = spawnSync(process.execPath, [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'src-renderer/vite.config.ts'], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(b.status, 0, b.stderr);
  }
  const profile = mkdtempSync(join(tmpdir(), 'dive-e2e-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1360, height: 900 },
    acceptDownloads: true,
  });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin });
  const page = context.pages()[0] ?? (await context.newPage());
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    // a 400 is a core UserError the page shows as a message (the tests provoke some on purpose)
    if (/status of 400/.test(m.text())) return;
    if (m.type() === 'error' || /Content Security Policy/i.test(m.text())) problems.push(`console ${m.type()}: ${m.text()}`);
  });
  const shot = async (name: string, dark = false) => {
    if (dark) await page.emulateMedia({ colorScheme: 'dark' });
    await page.waitForTimeout(150);
    const size = page.viewportSize()!;
    const tall = await page.evaluate<number>(`(() => { const m = document.querySelector('main'); return m ? Math.ceil(m.scrollHeight + innerHeight - m.clientHeight) : innerHeight; })()`);
    if (tall > size.height) {
      await page.setViewportSize({ width: size.width, height: Math.min(tall, 8000) });
      await page.waitForTimeout(200);
    }
    await page.screenshot({ path: join(ARTIFACTS, `${name}${dark ? '-dark' : ''}.png`), fullPage: true });
    if (tall > size.height) await page.setViewportSize(size);
    if (dark) await page.emulateMedia({ colorScheme: 'light' });
  };
  return {
    context,
    page,
    problems,
    shot,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Polls the API until every named run has ended, failing on a run that did not complete. */
export async function waitForRuns(get: (name: string) => Promise<{ status: string; error: string | null } | undefined>, names: string[], timeoutMs: number, log: () => string): Promise<void> {
  const t0 = Date.now();
  for (;;) {
    const runs = await Promise.all(names.map(get));
    const bad = runs.find((r) => r && ['failed', 'cancelled', 'interrupted'].includes(r.status));
    if (bad) throw new Error(`a run ended ${bad.status}: ${bad.error ?? ''}\n${log()}`);
    if (runs.every((r) => r?.status === 'completed')) return;
    if (Date.now() - t0 > timeoutMs) throw new Error(`runs not completed after ${timeoutMs} ms: ${JSON.stringify(runs.map((r) => r?.status))}`);
    await new Promise((res) => setTimeout(res, 500));
  }
}
