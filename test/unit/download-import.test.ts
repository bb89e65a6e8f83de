// `import cifar10 | cifar100 | mnist | fashion-mnist | kmnist --download` through importDataset,
// from a loopback mirror serving archives in the published layouts. The tests' archives are not
// the real ones, so most cases pass a catalogue with the test archives' MD5s; the real catalogue's
// checksums are exercised by the mismatch case.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Progress } from '../../src-main/core/domain/types';
import { downloadEntry, type DownloadEntry, type DownloadId } from '../../src-main/core/domain/downloads';
import { importDataset } from '../../src-main/core/data/import';
import { datasetPart } from '../../src-main/core/store/datasets';
import { CIFAR10_NAMES, cifar100BinaryTarball, cifar10BinaryTarball, cifar10PythonTarball, idxGzips } from '../helpers/archives';
import { md5, startDownloadServer, type DownloadServer } from '../helpers/download-server';
import { assertImportFailsCleanly, EMPTY_STATE, storeState, tempDir as makeTempDir, tempStore, writeCifar10, writeCifar100, type TempStore } from '../helpers/fixtures';

describe('importing the named datasets with --download', () => {
  let server: DownloadServer;
  let t: TempStore;
  const bodies = new Map<string, Buffer>();
  /** the real entries with the test archives' checksums (what a mirror of the test files would publish) */
  const testCatalog = (id: DownloadId): DownloadEntry => {
    const e = downloadEntry(id);
    return { ...e, files: e.files.map((f) => ({ ...f, md5: md5(bodies.get(`/${id}/${f.name}`) ?? Buffer.alloc(0)) })) };
  };
  const opts = { catalog: testCatalog };
  const dirs: string[] = [];
  const tempDir = (prefix: string) => {
    const d = makeTempDir(prefix);
    dirs.push(d);
    return d;
  };

  before(async () => {
    delete process.env.DIVE_DATASET_MIRROR;
    for (const k of ['HTTP_PROXY', 'HTTPS_PROXY', 'http_proxy', 'https_proxy']) delete process.env[k];
    server = await startDownloadServer();
    const put = (path: string, b: Buffer) => {
      bodies.set(path, b);
      server.serve(path, b);
    };
    put('/cifar10/cifar-10-binary.tar.gz', await cifar10BinaryTarball());
    put('/cifar100/cifar-100-binary.tar.gz', await cifar100BinaryTarball());
    for (const [name, b] of Object.entries(idxGzips())) {
      put(`/mnist/${name}`, b);
      put(`/kmnist/${name}`, b);
      put(`/fashion-mnist/${name}`, b);
    }
    t = tempStore();
  });
  after(async () => {
    await server.close();
    t.cleanup();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('downloads CIFAR-10, imports it with its class names, and caches only the verified archive', async () => {
    const events: Progress[] = [];
    const d = await importDataset(t.store, { format: 'cifar10', download: true, mirror: server.url }, (p) => events.push(p), opts);
    assert.equal(d.name, 'cifar10');
    assert.equal(d.format, 'cifar10');
    assert.deepEqual(d.classNames, CIFAR10_NAMES);
    assert.deepEqual(d.imageShape, [32, 32, 3]);
    assert.deepEqual(d.train.counts, Array(10).fill(1));
    assert.deepEqual(d.test.counts, [0, 1, 1, 1, 0, 0, 0, 0, 0, 0]);
    const part = datasetPart(t.store, d.id, 'test');
    assert.deepEqual(Array.from(part.labels), [1, 2, 3]);
    assert.deepEqual(readdirSync(join(t.store.dataDir, 'downloads', 'cifar10')), ['cifar-10-binary.tar.gz']);
    assert.ok(!readdirSync(t.store.dataDir).some((f) => f.startsWith('.staging')), 'no staging folder left');
    const phases = [...new Set(events.map((e) => e.phase))];
    assert.deepEqual(phases, ['download cifar-10-binary.tar.gz', 'unpack cifar-10-binary.tar.gz', 'train', 'test']);
  });

  it('imports again from the cache without a request, under another name', async () => {
    const before = server.requests.length;
    const d = await importDataset(t.store, { format: 'cifar10', name: 'cifar10-again' }, undefined, opts);
    assert.equal(d.train.total, 10);
    assert.equal(server.requests.length, before);
  });

  it('downloads CIFAR-100 and takes the fine labels', async () => {
    const d = await importDataset(t.store, { format: 'cifar100', download: true, mirror: server.url }, undefined, opts);
    assert.equal(d.numClasses, 100);
    assert.equal(d.classNames[42], 'class42');
    assert.equal(d.train.counts[42], 2);
    assert.equal(d.train.counts[99], 1);
    assert.equal(d.test.total, 2);
  });

  it('downloads the four IDX gzips of MNIST and KMNIST with their class names', async () => {
    const m = await importDataset(t.store, { format: 'mnist', download: true, mirror: server.url }, undefined, opts);
    assert.deepEqual(m.classNames, ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    assert.deepEqual(m.imageShape, [28, 28, 1]);
    assert.deepEqual(m.train.counts, Array(10).fill(2));
    const px = datasetPart(t.store, m.id, 'test');
    assert.equal(px.labels.length, 10);
    const k = await importDataset(t.store, { format: 'kmnist', download: true, mirror: server.url }, undefined, opts);
    assert.deepEqual(k.classNames.slice(0, 3), ['o', 'ki', 'su']);
    assert.deepEqual(readdirSync(join(t.store.dataDir, 'downloads', 'kmnist')).sort(), Object.keys(idxGzips()).sort());
  });

  it('downloads Fashion-MNIST into a chosen folder with its class names', async () => {
    const dir = join(tempDir('dive-fm-'), 'fm');
    const d = await importDataset(t.store, { format: 'fashion-mnist', name: 'fm-dl', dir, download: true, mirror: server.url }, undefined, opts);
    assert.equal(d.classNames[9], 'Ankle boot');
    assert.deepEqual(readdirSync(dir).sort(), Object.keys(idxGzips()).sort());
  });

  it('fails cleanly on the real checksums, naming the file and both MD5s', async () => {
    const s = tempStore();
    try {
      const real = downloadEntry('cifar10').files[0].md5;
      const got = md5(bodies.get('/cifar10/cifar-10-binary.tar.gz')!);
      await assertImportFailsCleanly(s.store, { format: 'cifar10', download: true, mirror: server.url }, new RegExp(`^cifar-10-binary\\.tar\\.gz: checksum mismatch \\(MD5 ${got}, expected ${real}\\)`));
      assert.deepEqual(storeState(s.store), EMPTY_STATE, 'no archive, no cache folder, no staging folder');
    } finally {
      s.cleanup();
    }
  });

  it('deletes a truncated tarball that matches its checksum and names it', async () => {
    const s = tempStore();
    try {
      const whole = bodies.get('/cifar10/cifar-10-binary.tar.gz')!;
      const cut = whole.subarray(0, Math.floor(whole.length / 2));
      server.serve('/cut/cifar10/cifar-10-binary.tar.gz', cut);
      const e = downloadEntry('cifar10');
      const catalog = () => ({ ...e, files: [{ ...e.files[0], md5: md5(cut) }] });
      const before = storeState(s.store);
      await assert.rejects(
        importDataset(s.store, { format: 'cifar10', download: true, mirror: `${server.url}/cut` }, undefined, { catalog }),
        /cifar-10-binary\.tar\.gz: the archive is truncated or corrupt/,
      );
      assert.deepEqual(storeState(s.store), before);
    } finally {
      s.cleanup();
    }
  });

  it('without --download says where it looked and how to download', async () => {
    const s = tempStore();
    try {
      const cache = join(s.store.dataDir, 'downloads', 'mnist');
      await assertImportFailsCleanly(
        s.store,
        { format: 'mnist' },
        new RegExp(`^MNIST not found: ${cache} lacks train-images-idx3-ubyte\\.gz, .*; add --download to fetch it \\(about 11\\.0 MB\\) from https://ossci-datasets\\.s3\\.amazonaws\\.com/mnist/`),
      );
    } finally {
      s.cleanup();
    }
  });

  it("points a PyTorch user's python-pickle CIFAR folder at the binary download", async () => {
    const dir = tempDir('dive-py-');
    writeFileSync(join(dir, 'cifar-10-python.tar.gz'), await cifar10PythonTarball());
    await assertImportFailsCleanly(t.store, { format: 'cifar10', name: 'py', dir }, /cifar-10-python\.tar\.gz is CIFAR's python \(pickle\) version, which torchvision downloads; .*`dive import cifar10 --download`/);
  });

  it('imports an unpacked binary folder given with --dir, and refuses CIFAR-100 files as CIFAR-10', async () => {
    const dir = tempDir('dive-bin-');
    mkdirSync(join(dir, 'cifar-10-batches-bin'));
    writeCifar10(join(dir, 'cifar-10-batches-bin'), { batches: [[0], [1], [2], [3], [4]], test: [5] });
    const d = await importDataset(t.store, { format: 'cifar10', name: 'unpacked', dir });
    assert.equal(d.train.total, 5);
    assert.deepEqual(Array.from(datasetPart(t.store, d.id, 'test').labels), [5]);
    const d100 = tempDir('dive-bin100-');
    writeCifar100(d100, { train: [1], test: [2] });
    await assertImportFailsCleanly(t.store, { format: 'cifar10', name: 'wrong', dir: d100 }, /holds CIFAR-100, not CIFAR-10/);
    assert.ok(existsSync(join(d100, 'train.bin')), "the user's own files are left alone");
  });
});
