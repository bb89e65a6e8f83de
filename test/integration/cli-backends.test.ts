// `dive backends` through the real CLI: one JSON document, every rung, timing when asked.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { BackendsProbe } from '../../src-main/core/domain/types';
import { dive, tempDir } from '../helpers/cli';

describe('dive backends', () => {
  const t = tempDir();
  const db = join(t.dir, 'dive.sqlite');
  after(() => t.cleanup());

  it('--json --no-time lists every rung in order, the chosen one first available', () => {
    const r = dive(db, ['backends', '--json', '--no-time']);
    assert.equal(r.code, 0, r.stderr);
    const p = r.json() as BackendsProbe;
    assert.deepEqual(p.rungs.map((x) => x.name), ['tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm', 'cpu']);
    assert.equal(p.chosen, p.rungs.find((x) => x.available)?.name);
    assert.ok(p.rungs.every((x) => x.available || (x.reason ?? '').length > 0));
  });

  it('times a few steps of the asked model on the available rungs, threads as asked', () => {
    const r = dive(db, ['backends', '--model', 'mlp', '--shape', '8x8x1', '--batch', '8', '--steps', '2', '--threads', '1']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^[* ] wasm +CPU, wasm SIMD build, 1 thread, [\d.]+ img\/s over 2 steps$/m);
    assert.match(r.stdout, /^ {2}cpu +CPU, plain JavaScript kernels, single-threaded, [\d.]+ img\/s over \d steps?/m);
  });

  it('a bad model or shape is one line naming the option', () => {
    const bad = dive(db, ['backends', '--model', 'vgg']);
    assert.equal(bad.code, 1);
    // validated at the dispatcher against the probeBackends schema (domain/), like every call
    assert.equal(bad.stderr.trim().split('\n').pop(), 'dive: model: Invalid option: expected one of "mlp"|"cnn"|"resnet8"|"resnet20"|"resnet32"');
    assert.match(dive(db, ['backends', '--shape', '32x32']).stderr, /--shape: expected HxWxC such as 32x32x3, got "32x32"/);
  });
});
