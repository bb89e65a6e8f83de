// The downloads as the UI reaches them: the `downloads` call lists the catalogue with what is
// cached, and importDataset { format, download: true } runs in the import worker, whose byte
// progress reaches subscribers as `progress` events of the job.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ApiEvent, DownloadOffer } from '../../src-main/core/domain/contract';
import { createDispatcher, type Dispatcher } from '../../src-main/core/app/dispatch';
import { describeError } from '../../src-main/core/domain/describe-error';
import { downloadEntry } from '../../src-main/core/domain/downloads';
import { idxGzips } from '../helpers/archives';
import { md5, startDownloadServer, type DownloadServer } from '../helpers/download-server';
import { storeState, tempStore, type TempStore } from '../helpers/fixtures';

describe('downloads through the dispatcher', () => {
  let t: TempStore;
  let d: Dispatcher;
  let server: DownloadServer;
  const gz = idxGzips();
  before(async () => {
    for (const k of ['HTTP_PROXY', 'HTTPS_PROXY', 'http_proxy', 'https_proxy', 'DIVE_DATASET_MIRROR']) delete process.env[k];
    t = tempStore();
    d = createDispatcher(t.store, { frontDoor: 'web' });
    server = await startDownloadServer();
    for (const [name, b] of Object.entries(gz)) server.serve(`/mnist/${name}`, b);
  });
  after(async () => {
    await d.close();
    await server.close();
    t.cleanup();
  });

  it('lists the five datasets with their addresses and licences, none cached on a new store', async () => {
    const offers = (await d.call('downloads', undefined)) as DownloadOffer[];
    assert.deepEqual(offers.map((o) => [o.id, o.cached]), [['cifar10', false], ['cifar100', false], ['mnist', false], ['fashion-mnist', false], ['kmnist', false]]);
    const c = offers.find((o) => o.id === 'cifar10')!;
    assert.deepEqual(c.urls, ['https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz']);
    assert.match(c.licence, /Krizhevsky/);
  });

  it('streams byte progress from the worker, and a checksum failure comes back as one line with nothing stored', async () => {
    const events: ApiEvent[] = [];
    const off = d.subscribe((e) => events.push(e));
    const before = storeState(t.store);
    let caught: unknown;
    try {
      await d.call('importDataset', { request: { format: 'mnist', download: true, mirror: server.url }, job: 'dl-1' });
    } catch (e) {
      caught = e;
    }
    off();
    const msg = describeError(caught);
    const real = downloadEntry('mnist').files[0].md5;
    assert.equal(msg, `train-images-idx3-ubyte.gz: checksum mismatch (MD5 ${md5(gz['train-images-idx3-ubyte.gz'])}, expected ${real}); the download was deleted, try again or check --mirror / DIVE_DATASET_MIRROR`);
    assert.deepEqual(storeState(t.store), before);
    const progress = events.filter((e) => e.type === 'progress' && e.job === 'dl-1');
    const last = progress.at(-1);
    assert.ok(last && last.type === 'progress');
    assert.equal(last.phase, 'download train-images-idx3-ubyte.gz');
    assert.equal(last.done, gz['train-images-idx3-ubyte.gz'].length);
    assert.match(last.detail ?? '', / \/ /);
  });

  it('marks a dataset cached once its files are in the download cache', async () => {
    const dir = join(t.store.dataDir, 'downloads', 'kmnist');
    mkdirSync(dir, { recursive: true });
    for (const [name, b] of Object.entries(gz)) writeFileSync(join(dir, name), b);
    const offers = (await d.call('downloads', undefined)) as DownloadOffer[];
    assert.equal(offers.find((o) => o.id === 'kmnist')?.cached, true);
    // and importing it needs no network (the cache is used as is)
    const ds = (await d.call('importDataset', { request: { format: 'kmnist' } })) as { name: string; train: { total: number } };
    assert.deepEqual([ds.name, ds.train.total], ['kmnist', 20]);
  });
});
