import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { UserError } from '../../src-main/core/domain/errors';
import { defaultMilestones, parseRunConfig, resolvePadding, RunConfigSchema } from '../../src-main/core/domain/run-config';
import { DEFAULT_METHOD_PARAMS } from '../../src-main/core/domain/method';

describe('run config defaults', () => {
  test('the paper recipe for 200 epochs', () => {
    const c = parseRunConfig({ method: 'dive' });
    assert.deepEqual(c, {
      method: 'dive',
      model: 'resnet32',
      epochs: 200,
      batchSize: 128,
      lr: 0.1,
      momentum: 0.9,
      weightDecay: 2e-4,
      warmupEpochs: 5,
      schedule: 'step',
      milestones: [120, 160],
      gamma: 0.01,
      seed: 0,
      augment: { crop: true, flip: true },
      padding: null,
      normHead: false,
      params: { ...DEFAULT_METHOD_PARAMS, tau: 3, power: 0.5, alpha: 0.5, drwEpoch: 160 },
      backend: null,
      threads: null,
      allowSoftwareAdapter: false,
      warmupForm: 'step',
      evalEvery: null,
      valFraction: 0,
    });
  });

  test('epoch-based defaults scale with a shorter run', () => {
    const c = parseRunConfig({ method: 'ldam-drw', epochs: 20 });
    assert.deepEqual(c.milestones, [12, 16]);
    assert.equal(c.warmupEpochs, 2);
    assert.equal(c.params.drwEpoch, 16);
    assert.equal(c.normHead, true, 'LDAM uses the cosine classifier');
    const tiny = parseRunConfig({ method: 'ce', epochs: 3 });
    assert.deepEqual(tiny.milestones, [2]);
    assert.equal(tiny.warmupEpochs, 1, 'at least one warm-up epoch in a run of 2 or more');
    assert.equal(parseRunConfig({ method: 'ce', epochs: 1 }).warmupEpochs, 0);
    assert.equal(parseRunConfig({ method: 'ce', epochs: 60 }).warmupEpochs, 5);
    assert.equal(tiny.warmupForm, 'step');
    assert.equal(tiny.evalEvery, null);
    assert.equal(tiny.valFraction, 0);
    assert.deepEqual(defaultMilestones(1), []);
  });

  test('method presets are merged under explicit params', () => {
    const kd = parseRunConfig({ method: 'kd', params: { tau: 4 } });
    assert.equal(kd.params.power, 1, 'kd preset');
    assert.equal(kd.params.tau, 4);
    assert.equal(kd.params.alpha, 0.5);
  });

  test('parsing a parsed config returns it unchanged', () => {
    for (const input of [{ method: 'dive', epochs: 20 }, { method: 'ldam-drw', epochs: 7, padding: 2, augment: { flip: false } }]) {
      const c = parseRunConfig(input);
      assert.deepEqual(parseRunConfig(JSON.parse(JSON.stringify(c))), c);
    }
  });

  test('augment switches default on and can be turned off one by one', () => {
    assert.deepEqual(parseRunConfig({ method: 'ce', augment: { flip: false } }).augment, { crop: true, flip: false });
  });

  test('padding: explicit, or round(size / 8)', () => {
    assert.equal(resolvePadding({ padding: null }, [32, 32, 3]), 4);
    assert.equal(resolvePadding({ padding: null }, [28, 28, 1]), 4);
    assert.equal(resolvePadding({ padding: null }, [8, 8, 1]), 1);
    assert.equal(resolvePadding({ padding: 0 }, [32, 32, 3]), 0);
  });
});

describe('run config validation names the field', () => {
  const fails = (input: unknown, re: RegExp) => {
    assert.throws(
      () => parseRunConfig(input),
      (e: unknown) => e instanceof UserError && re.test(e.message),
    );
  };
  test('missing or unknown method', () => {
    fails({}, /^invalid run config: method: /);
    fails({ method: 'svm' }, /^invalid run config: method: /);
  });
  test('explicit milestones must lie inside the run and increase', () => {
    fails({ method: 'ce', epochs: 100 , milestones: [120, 160] }, /milestones\.0: milestone 120 is not below epochs \(100\)/);
    fails({ method: 'ce', milestones: [50, 40] }, /milestones\.1: milestones must be strictly increasing/);
    fails({ method: 'ce', milestones: [0] }, /milestones\.0: /);
  });
  test('explicit DRW epoch must lie inside the run', () => {
    fails({ method: 'ldam-drw', epochs: 10, params: { drwEpoch: 10 } }, /params\.drwEpoch: DRW epoch 10 is not below epochs \(10\)/);
  });
  test('warm-up longer than the run', () => {
    fails({ method: 'ce', epochs: 3, warmupEpochs: 5 }, /warmupEpochs: warm-up \(5 epochs\) is longer than the run/);
  });
  test('ranges and types', () => {
    fails({ method: 'ce', lr: 0 }, /lr: /);
    fails({ method: 'ce', lr: Infinity }, /lr: /);
    fails({ method: 'ce', batchSize: 1.5 }, /batchSize: /);
    fails({ method: 'ce', momentum: 1 }, /momentum: /);
    fails({ method: 'ce', model: 'vgg' }, /model: /);
    fails({ method: 'ce', schedule: 'poly' }, /schedule: /);
    fails({ method: 'dive', params: { alpha: 2 } }, /params\.alpha: /);
    fails({ method: 'dive', params: { tau: 0 } }, /params\.tau: /);
    fails({ method: 'ce', augment: { crop: 'yes' } }, /augment\.crop: /);
  });
  test('unknown fields are errors, every problem is listed', () => {
    fails({ method: 'ce', learningRate: 0.1 }, /^invalid run config: unknown field "learningRate"$/);
    fails({ method: 'ce', params: { temperature: 2 } }, /params: unknown field "temperature"/);
    fails({ method: 'ce', lr: -1, epochs: 0 }, /epochs: .*; lr: |lr: .*; epochs: /);
  });
  test('the default DRW epoch stays below the run in 1- and 2-epoch runs, so the stored config parses again', () => {
    for (const [epochs, drw] of [[1, 0], [2, 1], [3, 2], [10, 8], [200, 160]] as const) {
      const c = parseRunConfig({ method: 'ldam-drw', epochs });
      assert.equal(c.params.drwEpoch, drw, `epochs ${epochs}`);
      assert.deepEqual(parseRunConfig(c), c, `epochs ${epochs}: the stored config is valid as it is`);
    }
  });

  test('the schema itself is usable by front doors (safeParse)', () => {
    assert.equal(RunConfigSchema.safeParse({ method: 'ce' }).success, true);
    assert.equal(RunConfigSchema.safeParse({ method: 'ce', gamma: 2 }).success, false);
  });
});
