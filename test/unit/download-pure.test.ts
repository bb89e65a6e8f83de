// Download helpers that need no network: rate and time left, sizes, proxy choice, the catalogue.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DOWNLOADS, withMirror, downloadEntry } from '../../src-main/core/domain/downloads';
import { bypassesProxy, proxyFor } from '../../src-main/core/data/download/proxy';
import { describeTransfer, formatBytes, formatSeconds, transferRate } from '../../src-main/core/data/download/rate';

describe('transfer rate and time left', () => {
  it('counts only the bytes of this attempt', () => {
    // resumed at 4 MB, now at 10 MB after 3 s of 20 MB: 6 MB / 3 s = 2 MB/s, 10 MB left = 5 s
    assert.deepEqual(transferRate(10e6, 4e6, 3000, 20e6), { bytesPerSecond: 2e6, etaSeconds: 5 });
  });
  it('knows nothing before the first byte or without a total', () => {
    assert.deepEqual(transferRate(4e6, 4e6, 3000, 20e6), { bytesPerSecond: null, etaSeconds: null });
    assert.deepEqual(transferRate(100, 0, 0, 200), { bytesPerSecond: null, etaSeconds: null });
    assert.deepEqual(transferRate(500, 0, 250, 0), { bytesPerSecond: 2000, etaSeconds: null });
  });
  it('formats sizes in decimal units and times as m:ss or h:mm:ss', () => {
    assert.equal(formatBytes(999), '999 B');
    assert.equal(formatBytes(1536), '1.5 KB');
    assert.equal(formatBytes(170052171), '170.1 MB');
    assert.equal(formatBytes(2.5e9), '2.5 GB');
    assert.equal(formatSeconds(75), '1:15');
    assert.equal(formatSeconds(3725), '1:02:05');
    assert.equal(formatSeconds(-3), '0:00');
    assert.equal(describeTransfer(12e6, 170052171, 2.4e6, 66), '12.0 MB / 170.1 MB, 2.4 MB/s, 1:06 left');
    assert.equal(describeTransfer(12e6, 0, null, null), '12.0 MB');
  });
});

describe('proxy from the environment', () => {
  it('uses HTTPS_PROXY for https and HTTP_PROXY for http, lower-case first', () => {
    const env = { HTTPS_PROXY: 'http://secure:3128', http_proxy: 'http://plain:8080', HTTP_PROXY: 'http://ignored:1' };
    assert.equal(proxyFor('https://www.cs.toronto.edu/~kriz/x', env), 'http://secure:3128');
    assert.equal(proxyFor('http://codh.rois.ac.jp/x', env), 'http://plain:8080');
    assert.equal(proxyFor('https://a.example/x', { HTTP_PROXY: 'http://p:1' }), 'http://p:1', 'https falls back to HTTP_PROXY, as undici does');
    assert.equal(proxyFor('https://a.example/x', {}), null);
    assert.equal(proxyFor('https://a.example/x', { HTTPS_PROXY: '  ' }), null);
  });
  it('goes direct for NO_PROXY hosts, domain suffixes, ports and *', () => {
    assert.equal(bypassesProxy('s3.amazonaws.com', '443', 'localhost, .amazonaws.com'), true);
    assert.equal(bypassesProxy('amazonaws.com', '443', 'amazonaws.com'), true);
    assert.equal(bypassesProxy('notamazonaws.com', '443', 'amazonaws.com'), false);
    assert.equal(bypassesProxy('127.0.0.1', '8080', '127.0.0.1:9000'), false);
    assert.equal(bypassesProxy('127.0.0.1', '9000', '127.0.0.1:9000'), true);
    assert.equal(bypassesProxy('anything', '80', '*'), true);
    assert.equal(proxyFor('http://127.0.0.1:5/x', { HTTP_PROXY: 'http://p:1', NO_PROXY: '127.0.0.1' }), null);
  });
});

describe('the download catalogue', () => {
  it('holds the five datasets with MD5s and addresses for every file', () => {
    assert.deepEqual(DOWNLOADS.map((d) => d.id), ['cifar10', 'cifar100', 'mnist', 'fashion-mnist', 'kmnist']);
    for (const d of DOWNLOADS) {
      assert.ok(d.files.length === (d.kind === 'idx' ? 4 : 1), d.id);
      for (const f of d.files) {
        assert.match(f.md5, /^[0-9a-f]{32}$/);
        assert.ok(f.urls.length > 0 && f.urls.every((u) => u.endsWith('/' + f.name)), f.name);
      }
      if (d.kind === 'idx') assert.equal(d.classNames?.length, 10);
    }
    assert.equal(downloadEntry('cifar100').files[0].urls[0], 'https://www.cs.toronto.edu/~kriz/cifar-100-binary.tar.gz');
  });
  it('a mirror replaces every address and keeps the checksums', () => {
    const m = withMirror(downloadEntry('mnist'), 'http://127.0.0.1:8/mirror/');
    assert.deepEqual(m.files.map((f) => f.urls), downloadEntry('mnist').files.map((f) => [`http://127.0.0.1:8/mirror/mnist/${f.name}`]));
    assert.deepEqual(m.files.map((f) => f.md5), downloadEntry('mnist').files.map((f) => f.md5));
    assert.equal(withMirror(downloadEntry('mnist'), undefined), downloadEntry('mnist'));
  });
});
