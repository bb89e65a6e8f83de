// A default lives in one place, domain/, and every door reads it from there when it runs: change
// one in the domain package at runtime and the schema's parse (the core, the HTTP API, IPC), the
// CLI's help and the renderer's form all follow. Nothing here compares with a copied literal.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { buildProgram } from '../../src-main/cli/main';
import { DEFAULT_METHOD_PARAMS } from '../../src-main/core/domain/method';
import { RUN_DEFAULTS, RunConfigSchema } from '../../src-main/core/domain/run-config';
import { withShortRunDefaults } from '../../src-main/core/domain/short-run';
import { FORM_START } from '../../src-main/core/domain/form-start';
import { defaultForm, defaultMilestones, presetFor } from '../../src-renderer/lib/train-form';

const saved = { defaults: structuredClone(RUN_DEFAULTS), params: { ...DEFAULT_METHOD_PARAMS }, form: { ...FORM_START } };

function trainHelp(): string {
  const train = buildProgram().commands.find((c) => c.name() === 'train');
  assert.ok(train, 'the CLI has a train command');
  return train.helpInformation().replace(/\s+/g, ' ');
}

beforeEach(() => {
  // the changes a maintainer would make in domain/run-config.ts and domain/method.ts
  Object.assign(RUN_DEFAULTS, { epochs: 37, lr: 0.05, model: 'cnn', milestoneFractions: [0.5] });
  DEFAULT_METHOD_PARAMS.alpha = 0.25;
  // and the Train form's quick start (domain/form-start.ts)
  Object.assign(FORM_START, { epochs: 12, model: 'mlp' });
});

function restore(): void {
  Object.assign(RUN_DEFAULTS, saved.defaults);
  Object.assign(DEFAULT_METHOD_PARAMS, saved.params);
  Object.assign(FORM_START, saved.form);
}
afterEach(restore);

test('the core fills in the changed defaults (what every door sends through)', () => {
  const cfg = RunConfigSchema.parse({ method: 'dive' });
  assert.deepEqual([cfg.epochs, cfg.lr, cfg.model, cfg.params.alpha], [37, 0.05, 'cnn', 0.25]);
  assert.deepEqual(cfg.milestones, [19], 'round(37 * 0.5)');
});

test("the CLI's help shows the changed defaults", () => {
  const help = trainHelp();
  assert.match(help, /--epochs <n> epochs \(default 37\)/);
  assert.match(help, /--lr <lr> base learning rate \(default 0\.05[;)]/);
  assert.match(help, /\(default cnn\)/);
  assert.match(help, /--alpha <a> weight of the distillation term \(default 0\.25\)/);
  assert.match(help, /default 50% of the run/);
});

test("the renderer's form starts from the changed defaults", () => {
  const f = defaultForm('s');
  // its model and epochs are the quick start's, the rest the core's
  assert.deepEqual([f.epochs, f.model, f.momentum], [12, 'mlp', RUN_DEFAULTS.momentum]);
  // batch and lr start blank; the rule that fills them scales the changed defaults (0.05 per 128)
  assert.equal(f.lr, undefined);
  assert.deepEqual(withShortRunDefaults({ batchSize: 64 }, 10_000), { batchSize: 64, lr: 0.025 });
  assert.equal(presetFor('dive').alpha, 0.25);
  assert.deepEqual(defaultMilestones(f.epochs), [6], 'round(12 * 0.5), the changed milestone fraction');
});

test('with the defaults put back, the doors show them again', () => {
  restore();
  assert.equal(RunConfigSchema.parse({ method: 'ce' }).epochs, saved.defaults.epochs);
  assert.match(trainHelp(), new RegExp(`--epochs <n> epochs \\(default ${saved.defaults.epochs}\\)`));
});
