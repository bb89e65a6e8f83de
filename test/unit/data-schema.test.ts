import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseImportRequest } from '../../src-main/core/domain/import-schema';
import { UserError } from '../../src-main/core/domain/errors';

const fails = (input: unknown, message: RegExp) =>
  assert.throws(() => parseImportRequest(input), (e: Error) => e instanceof UserError && message.test(e.message) && !e.message.includes('\n'));

describe('import request schema', () => {
  it('fills the documented defaults', () => {
    assert.deepEqual(parseImportRequest({ format: 'folder', name: ' pets ', train: 'p' }), {
      format: 'folder', name: 'pets', train: 'p', size: 32, testFraction: 0.2, seed: 0,
    });
    assert.deepEqual(parseImportRequest({ format: 'fashion-mnist' }), { format: 'fashion-mnist', name: 'fashion-mnist', download: false });
    assert.deepEqual(parseImportRequest({ format: 'cifar100', download: true }), { format: 'cifar100', name: 'cifar100', download: true });
    assert.deepEqual(parseImportRequest({ format: 'list', name: 'l', root: 'r', trainList: 'a', testList: 'b', channels: 1 }), {
      format: 'list', name: 'l', root: 'r', trainList: 'a', testList: 'b', channels: 1, size: 32,
    });
  });

  it('parses its own output again unchanged (front doors may validate before the importer does)', () => {
    const once = parseImportRequest({ format: 'inat', name: 'i', root: 'r', trainJson: 'a', testJson: 'b', size: 64 });
    assert.deepEqual(parseImportRequest(once), once);
  });

  it('names the field that is wrong', () => {
    fails({ format: 'idx', name: 'x', trainImages: 'a', testImages: 'b', testLabels: 'c' }, /^invalid import request: trainLabels: /);
    fails({ format: 'folder', name: 'x', train: 'a', size: 2 }, /^invalid import request: size: .*>=4/);
    fails({ format: 'folder', name: 'x', train: 'a', channels: 2 }, /^invalid import request: channels: /);
    fails({ format: 'folder', name: 'x', train: 'a', testFraction: 1 }, /^invalid import request: testFraction: /);
    fails({ format: 'folder', name: '   ', train: 'a' }, /^invalid import request: name: must not be empty/);
    fails({ format: 'idx', name: 'x', trainImages: 'a', trainLabels: 'b', testImages: 'c', testLabels: 'd', classNames: ['only'] }, /classNames: /);
    fails({ format: 'tfrecord', name: 'x' }, /^invalid import request: format: .*'idx' \| 'cifar' \| 'folder' \| 'list' \| 'inat' \| 'fashion-mnist' \| 'cifar10' \| 'cifar100' \| 'mnist' \| 'kmnist'/);
    fails({ format: 'mnist', mirror: 'ftp://x/y' }, /^invalid import request: mirror: must be an http:\/\/ or https:\/\/ address \(got "ftp:\/\/x\/y"\)$/);
    fails({ format: 'cifar10', download: 'yes' }, /^invalid import request: download: /);
  });

  it('rejects unknown (misspelt) fields', () => {
    fails({ format: 'cifar', name: 'x', dir: 'd', dri: 'd' }, /^invalid import request: unknown field "dri"$/);
  });
});
