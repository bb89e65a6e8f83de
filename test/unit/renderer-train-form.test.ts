import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { METHODS } from '../../src-main/core/domain/method';
import { RunConfigSchema } from '../../src-main/core/domain/run-config';
import { FORM_START } from '../../src-main/core/domain/form-start';
import {
  defaultForm, defaultMilestones, defaultStageOne, defaultWarmup, formFromRun, METHOD_CHOICES, methodFieldKeys, parseMilestones, presetFor, stageOneGroups, toRequest, validate, type TrainForm,
} from '../../src-renderer/lib/train-form';
import { config, metrics, run } from './renderer-fixtures';

test('the form starts from the core\'s defaults and presets, with a quick model and schedule', () => {
  const f = defaultForm('s');
  const core = RunConfigSchema.parse({ method: f.method });
  assert.deepEqual(
    [f.momentum, f.weightDecay, f.gamma, f.seed, f.warmupForm, f.valFraction],
    [core.momentum, core.weightDecay, core.gamma, core.seed, core.warmupForm, core.valFraction],
  );
  // not the paper's ResNet-32 for 200 epochs (hours on a laptop CPU): the quick start domain/ declares
  assert.deepEqual([f.model, f.epochs], [FORM_START.model, FORM_START.epochs]);
  assert.notDeepEqual([f.model, f.epochs], [core.model, core.epochs]);
  // batch and lr start blank: the core chooses them with the split in view (the short-run rule)
  assert.deepEqual([f.batchSize, f.lr], [undefined, undefined]);
  // the placeholders show what the core fills in for a blank field
  assert.deepEqual(defaultMilestones(200), RunConfigSchema.parse({ method: 'ce', epochs: 200 }).milestones);
  assert.equal(defaultWarmup(20), RunConfigSchema.parse({ method: 'ce', epochs: 20 }).warmupEpochs);
  assert.equal(defaultWarmup(5), 1, 'at least one warm-up epoch in a run of 2 or more');
  assert.equal(defaultWarmup(1), 0);
  const dive = RunConfigSchema.parse({ method: 'dive' }).params;
  assert.deepEqual(presetFor('dive'), { focalGamma: dive.focalGamma, cbBeta: dive.cbBeta, tau: dive.tau, power: dive.power, alpha: dive.alpha, ldamScale: dive.ldamScale, ldamMaxMargin: dive.ldamMaxMargin, laTau: dive.laTau, tauNorm: dive.tauNorm });
  assert.equal(presetFor('kd').power, 1, 'KD has no power normalisation');
  assert.deepEqual(methodFieldKeys('dive'), ['tau', 'power', 'alpha']);
  assert.deepEqual(METHOD_CHOICES.map((m) => m.id), [...METHODS]);
});

test('validation is the run-config schema\'s, field by field', () => {
  const f: TrainForm = { ...defaultForm('s'), method: 'dive', epochs: 10, lr: 0, momentum: 1, params: { ...presetFor('dive'), alpha: 1.5 } };
  // keyed by the field's path in the train call's argument, in the form's words (not zod's "Too small: ...")
  assert.deepEqual(validate(f), {
    teacher: 'choose a completed teacher run',
    'config.lr': 'must be above 0',
    'config.momentum': 'must be below 1',
    'config.params.alpha': 'must be at most 1',
  });
  // the schema's cross-field rules, once the fields themselves are valid
  assert.deepEqual(validate({ ...defaultForm('s'), epochs: 10, milestones: '5, 3', warmupEpochs: '11' }), {
    'config.milestones': 'milestones must be strictly increasing',
    'config.warmupEpochs': 'warm-up (11 epochs) is longer than the run (10 epochs)',
  });
  assert.deepEqual(validate(defaultForm('s')), {});
  assert.deepEqual(validate({ ...defaultForm('s'), epochs: 10, milestones: '10' }), { 'config.milestones': 'milestone 10 is not below epochs (10); leave milestones out to scale them with epochs' });
  assert.deepEqual(validate({ ...defaultForm('s'), milestones: '6o' })['config.milestones'], 'whole numbers separated by commas');
  assert.deepEqual(parseMilestones('60, 80'), [60, 80]);
  assert.deepEqual(parseMilestones(' 60 80 '), [60, 80]);
  assert.equal(parseMilestones('6o'), null);
});

test('the request leaves blanks to the core and sends only the method\'s parameters', () => {
  const f: TrainForm = { ...defaultForm('lt100'), method: 'dive', teacher: 'bsce-1', model: 'mlp', epochs: 2, batchSize: 64, backend: 'wasm', params: presetFor('dive') };
  assert.deepEqual(toRequest(f), {
    split: 'lt100',
    teacher: 'bsce-1',
    config: {
      method: 'dive', model: 'mlp', epochs: 2, batchSize: 64, momentum: 0.9, weightDecay: 2e-4, gamma: 0.01, seed: 0,
      augment: { crop: true, flip: true }, backend: 'wasm', warmupForm: 'step', valFraction: 0, params: { tau: 3, power: 0.5, alpha: 0.5 },
    },
  });
  const ce = toRequest({ ...defaultForm('s'), method: 'ce', name: ' mine ', teacher: 'ignored', milestones: '100,150', warmupEpochs: '0' });
  assert.equal(ce.name, 'mine');
  assert.equal(ce.teacher, undefined);
  assert.deepEqual(ce.config.milestones, [100, 150]);
  assert.equal(ce.config.warmupEpochs, 0);
  assert.equal(ce.config.params, undefined);
  assert.equal(ce.config.backend, null);
});

test('duplicate as new config restores the stored configuration', () => {
  const r = run({
    name: 'dive-1', method: 'dive', model: 'cnn', split: 'lt50', teacher: 'bsce-1',
    config: config({ method: 'dive', model: 'cnn', epochs: 30, batchSize: 32, lr: 0.05, momentum: 0.9, weightDecay: 5e-4, warmupEpochs: 2, milestones: [15, 25], gamma: 0.1, seed: 7, augment: { crop: false, flip: true }, backend: null, params: { tau: 6, power: 0.5, alpha: 0.7, cbBeta: 0.9999 } }),
  });
  const f = formFromRun(r);
  assert.equal(f.split, 'lt50');
  assert.equal(f.teacher, 'bsce-1');
  assert.equal(f.name, '');
  assert.equal(f.epochs, 30);
  assert.equal(f.milestones, '15, 25', 'values the user set are carried over');
  assert.equal(f.warmupEpochs, '2');
  assert.equal(f.crop, false);
  assert.equal(f.backend, '');
  assert.equal(f.params.tau, 6);
  assert.equal(f.params.alpha, 0.7);
  assert.deepEqual(validate(f), {});
});

describe('fidelity fields', () => {
  test('warm-up form, eval-every and validation share reach the request and come back from a run', () => {
    const f = { ...defaultForm('lt'), epochs: 10, warmupForm: 'epoch' as const, evalEvery: '2', valFraction: 0.1 };
    assert.deepEqual(validate(f), {});
    const req = toRequest(f);
    assert.equal(req.config.warmupForm, 'epoch');
    assert.equal(req.config.evalEvery, 2);
    assert.equal(req.config.valFraction, 0.1);
    assert.equal(toRequest({ ...f, evalEvery: '' }).config.evalEvery, undefined, 'blank: the core chooses');
    assert.deepEqual(Object.keys(validate({ ...f, evalEvery: '0', valFraction: 0.6 })).sort(), ['config.evalEvery', 'config.valFraction']);
    const back = formFromRun(run({ name: 'r', method: 'bsce', config: config({ method: 'bsce', epochs: 10, warmupForm: 'epoch', evalEvery: 2, valFraction: 0.1 }) }));
    assert.deepEqual([back.warmupForm, back.evalEvery, back.valFraction], ['epoch', '2', 0.1]);
  });
});

test('after Clone, milestones and warm-up the core derived stay derived and follow new epochs', () => {
  const r = run({ name: 'r', method: 'ce', config: config({ method: 'ce', epochs: 200 }) });
  const f = formFromRun(r);
  assert.equal(f.milestones, '', 'derived milestones are left blank (the placeholder shows them)');
  assert.equal(f.warmupEpochs, '');
  f.epochs = 20;
  // a blank field is sent as absent, so the core derives it again from 20 epochs
  const req = toRequest(f);
  assert.equal(JSON.stringify(req).includes('milestones'), false);
  assert.equal(JSON.stringify(req).includes('warmupEpochs'), false);
});

describe('stage-2 methods (crt, lws, tau-norm, logit-adjust)', () => {
  test('need a stage-1 run, send it as `from`, and leave its model, seed and holdout to it', () => {
    const f: TrainForm = { ...defaultForm('s'), method: 'crt', epochs: 10, seed: 3 };
    assert.equal(validate(f).from, 'choose a completed stage-1 run');
    const req = toRequest({ ...f, from: 'ce-1' });
    assert.equal(req.from, 'ce-1');
    assert.equal(req.teacher, undefined);
    assert.deepEqual([req.config.model, req.config.seed, req.config.valFraction, req.config.augment, req.config.epochs], [undefined, undefined, undefined, undefined, 10]);
    assert.deepEqual(validate({ ...f, from: 'ce-1' }), {});
    // a post-hoc run trains nothing: method, parameter, backend
    const tn = toRequest({ ...defaultForm('s'), method: 'tau-norm', from: 'ce-1', params: { ...presetFor('tau-norm'), tauNorm: 0.8 } });
    assert.deepEqual(tn.config, { method: 'tau-norm', backend: null, params: { tauNorm: 0.8 } });
    assert.deepEqual(validate({ ...defaultForm('s'), method: 'logit-adjust', from: 'ce-1' }), {});
  });

  test('the stage-1 list puts plain CE runs of the split first, never ranks by test accuracy, and says why others may mislead', () => {
    const runs = [
      // ce-a has the better test top-1, ce-b the longer schedule: the test set plays no part
      run({ name: 'ce-a', id: 1, method: 'ce', split: 's', epochsTotal: 10, metrics: metrics(0.7, 0.6, 0.4, 0.2) }),
      run({ name: 'ce-b', id: 2, method: 'ce', split: 's', epochsTotal: 20, metrics: metrics(0.6, 0.6, 0.4, 0.2) }),
      run({ name: 'ldam', method: 'ldam-drw', split: 's' }),
      run({ name: 'ce-other', method: 'ce', split: 'x' }),
    ];
    const g = stageOneGroups(runs, 's', 'tau-norm');
    assert.deepEqual(g.recommended.map((c) => c.run.name), ['ce-b', 'ce-a']);
    assert.deepEqual(g.others.map((c) => [c.run.name, c.caveats]), [['ldam', ['a cosine classifier: refused, this method reads a linear one']]]);
    assert.deepEqual(stageOneGroups(runs, 's', 'crt').others.map((c) => c.caveats), [['ldam-drw, not plain cross-entropy']]);
    assert.equal(defaultStageOne(runs, 's'), 'ce-b');
    // Clone of a stage-2 run keeps its stage-1 run as `from`
    const f = formFromRun(run({ name: 'c', method: 'crt', split: 's', teacher: 'ce-b', config: config({ method: 'crt' }) }));
    assert.deepEqual([f.from, f.teacher], ['ce-b', '']);
  });
});
