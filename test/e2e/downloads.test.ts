// The download offers in the browser against `dive serve`: the first screen of an empty store
// offers the paper's datasets, the import panel offers them beside its file forms, a download
// that fails its published checksum says so and stores nothing, and a dataset already in the
// download cache imports with one click.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { downloadEntry } from '../../src-main/core/domain/downloads';
import { cifar10BinaryTarball, idxGzips } from '../helpers/archives';
import { md5, startDownloadServer, type DownloadServer } from '../helpers/download-server';
import { api, ROOT, serve, type Served } from './serve';

const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

let served: Served;
let mirror: DownloadServer;
let context: BrowserContext;
let page: Page;
let profile: string;
let tarball: Buffer;

before(async () => {
  assert.ok(existsSync(join(ROOT, 'out/renderer/index.html')), 'build the UI first (npm test does: npm run build:renderer)');
  mirror = await startDownloadServer();
  tarball = await cifar10BinaryTarball();
  mirror.serve('/cifar10/cifar-10-binary.tar.gz', tarball);
  served = await serve({ DIVE_DATASET_MIRROR: mirror.url, HTTP_PROXY: '', HTTPS_PROXY: '', http_proxy: '', https_proxy: '' });
  profile = mkdtempSync(join(tmpdir(), 'dive-e2e-chromium-'));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1360, height: 900 },
  });
  page = context.pages()[0] ?? (await context.newPage());
});

after(async () => {
  await context?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
  await served?.stop();
  await mirror?.close();
});

test('downloads offered in the UI', { timeout: 120_000 }, async (t) => {
  await t.test('the first screen of an empty store offers the paper datasets with their source and licence', async () => {
    await page.goto(served.url);
    await page.getByTestId('empty-datasets').waitFor();
    const offers = page.getByTestId('downloads').first();
    await offers.getByTestId('download-cifar100').waitFor();
    assert.ok(await offers.getByTestId('download-cifar10').isVisible());
    const text = await offers.innerText();
    assert.match(text, /CIFAR-100/);
    assert.match(text, /about 161 MB/);
    assert.match(text, /Krizhevsky/);
  });

  await t.test('a download that misses the published MD5 shows which file and checksum, and stores nothing', async () => {
    await page.getByTestId('download-cifar10').first().click();
    const alert = page.locator('[data-testid="downloads"] .error').first();
    await alert.waitFor({ timeout: 60_000 });
    const real = downloadEntry('cifar10').files[0].md5;
    // in the UI's words: the file and both checksums, no command-line option or environment variable
    assert.equal(await alert.innerText(), `cifar-10-binary.tar.gz arrived damaged (checksum MD5 ${md5(tarball)}, expected ${real}) and was deleted; try again, or check the mirror the server uses`);
    assert.deepEqual(mirror.requests.map((r) => r.path), ['/cifar10/cifar-10-binary.tar.gz']);
    const list = await api<unknown[]>(served, 'listDatasets', {});
    assert.deepEqual(list.body.result, []);
  });

  await t.test('the import panel offers MNIST and KMNIST beside the IDX form; a cached one imports with one click', async () => {
    const cache = join(served.dir, 'data', 'downloads', 'kmnist');
    mkdirSync(cache, { recursive: true });
    for (const [name, b] of Object.entries(idxGzips())) writeFileSync(join(cache, name), b);
    await page.reload();
    await page.getByTestId('empty-datasets').waitFor();
    // where Debian's Fashion-MNIST is installed the empty state leads with it; the panel is one click away
    const another = page.getByRole('button', { name: 'or import another dataset…' });
    if (await another.isVisible()) await another.click();
    await page.getByRole('tab', { name: 'IDX (MNIST-style)' }).click();
    const panel = page.getByTestId('import-form');
    const button = panel.getByTestId('download-kmnist');
    await button.waitFor();
    assert.equal(await button.innerText(), 'Import');
    assert.equal(await panel.getByTestId('download-mnist').innerText(), 'Download and import');
    await button.click();
    await page.getByTestId('dataset-histogram').waitFor({ timeout: 60_000 }).catch(async (e: unknown) => {
      throw new Error(`${String(e)}\npage: ${await page.locator('main').innerText()}`);
    });
    const ds = await api<{ name: string; classNames: string[]; train: { total: number } }>(served, 'getDataset', { name: 'kmnist' });
    assert.equal(ds.body.result?.train.total, 20);
    assert.deepEqual(ds.body.result?.classNames.slice(0, 2), ['o', 'ki']);
  });
});
