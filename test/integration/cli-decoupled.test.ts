// Issue 25 through the real CLI and its workers: a natural split of a generated long-tailed
// dataset, a stage-1 CE run, then cRT, LWS, tau-norm, logit-adjust and the logit-adjusted loss;
// the one-line refusals of --from (missing, another split, not completed, a cosine head) that
// leave no run behind; and a study of the stage-2 methods with its stage-1 CE run per seed.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { RunInfo, SplitInfo } from '../../src-main/core/domain/types';
import type { StudyDetail } from '../../src-main/core/domain/study-types';
import { openStore } from '../../src-main/core/store/store';
import { dive, tempDir } from '../helpers/cli';
import { addGeneratedDataset, longTail } from '../helpers/many-classes';

const FAST = ['--model', 'mlp', '--backend', 'wasm', '--threads', '1'];

describe('decoupled and post-hoc baselines through the CLI', () => {
  const t = tempDir();
  const db = join(t.dir, 'dive.sqlite');
  const runs = () => (dive(db, ['runs', '--json']).json() as { name: string }[]).map((r) => r.name);
  /** exit 1, one line on stderr matching `re`, and the run list unchanged */
  const refused = (args: string[], re: RegExp) => {
    const before = runs();
    const r = dive(db, args);
    assert.equal(r.code, 1, r.stdout);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, re);
    assert.deepEqual(runs(), before);
  };
  before(() => {
    const store = openStore({ db, dataDir: join(t.dir, 'data') });
    addGeneratedDataset(store, 'lt', { classes: 8, trainCount: longTail(8, 120, 6), testPerClass: 20, shape: [6, 6, 1], seed: 5 });
    store.close();
  });
  after(() => t.cleanup());

  it('takes the training set as it is: the dataset\'s counts, its ratio, no drawn-profile flags', () => {
    const r = dive(db, ['split', '--dataset', 'lt', '--name', 'nat', '--profile', 'natural', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const s = r.json() as SplitInfo;
    assert.equal(s.profile, 'natural');
    assert.equal(s.ratio, 120 / 6);
    assert.equal(s.total, s.counts.reduce((a, b) => a + b, 0));
    assert.match(dive(db, ['split', '--dataset', 'lt', '--name', 'x', '--profile', 'natural', '--preview']).stdout, /total \d+; rho 20\.00/);
    const bad = dive(db, ['split', '--dataset', 'lt', '--name', 'x', '--profile', 'natural', '--ratio', '10']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /^dive: invalid split request: ratio: a natural split keeps every training image/);
    assert.equal(dive(db, ['split', '--dataset', 'lt', '--name', 'drawn', '--ratio', '4', '--max-per-class', '24']).code, 0);
  });

  it('trains a stage-1 CE run, then cRT, LWS, tau-norm and logit adjustment from it', () => {
    const ce = dive(db, ['train', '--split', 'nat', '--method', 'ce', '--name', 'ce1', '--epochs', '3', '--seed', '4', '--val-fraction', '0.2', '--augment', 'flip', ...FAST, '--json']);
    assert.equal(ce.code, 0, ce.stderr);
    const stage1 = ce.json() as RunInfo;

    const crt = dive(db, ['train', '--split', 'nat', '--method', 'crt', '--from', 'ce1', '--epochs', '2', '--backend', 'wasm', '--json']);
    assert.equal(crt.code, 0, crt.stderr);
    const c = crt.json() as RunInfo;
    assert.equal(c.status, 'completed');
    assert.equal(c.teacher, 'ce1');
    // the stage-1 run's model, seed and holdout; classifier-balancing's recipe otherwise
    assert.deepEqual([c.config.model, c.config.seed, c.config.valFraction, c.config.epochs, c.config.schedule, c.config.weightDecay, c.config.warmupEpochs], ['mlp', 4, 0.2, 2, 'cosine', 5e-4, 0]);
    // and, left out, its augmentation
    assert.deepEqual(c.config.augment, { crop: false, flip: true });
    assert.deepEqual(c.warnings, []);

    const lws = dive(db, ['train', '--split', 'nat', '--method', 'lws', '--from', 'ce1', '--epochs', '1', '--backend', 'wasm', '--json']);
    assert.equal(lws.code, 0, lws.stderr);
    assert.equal((lws.json() as RunInfo).epochs.length, 1);

    const tn = dive(db, ['train', '--split', 'nat', '--method', 'tau-norm', '--from', 'ce1', '--backend', 'wasm', '--json']);
    assert.equal(tn.code, 0, tn.stderr);
    const n = tn.json() as RunInfo;
    assert.deepEqual([n.status, n.config.epochs, n.epochs.length, n.imagesPerSecond], ['completed', 0, 0, null]);
    const sweep = n.metrics!.posthoc!;
    assert.equal(sweep.points.length, 21);
    assert.ok(sweep.points.every((p) => p.val !== null), 'the stage-1 holdout gives validation figures');
    assert.notEqual(sweep.bestOnVal, null);
    assert.equal(sweep.points.find((p) => p.t === 1)!.top1, n.metrics!.top1);
    assert.match(dive(db, ['run', n.name]).stdout, /stage 1: ce1 \(ce mlp on nat[\s\S]*tau-norm sweep of t \(\* this run's t = 1\)/);

    const la = dive(db, ['train', '--split', 'nat', '--method', 'logit-adjust', '--from', 'ce1', '--la-tau', '0.5', '--backend', 'wasm', '--json']);
    assert.equal(la.code, 0, la.stderr);
    const l = la.json() as RunInfo;
    assert.equal(l.metrics!.posthoc!.chosen, 0.5);
    // t = 0 is the stage-1 model itself
    assert.equal(l.metrics!.posthoc!.points[0].top1, stage1.metrics!.top1);

    const loss = dive(db, ['train', '--split', 'nat', '--method', 'la-loss', '--la-tau', '1', '--epochs', '1', ...FAST, '--json']);
    assert.equal(loss.code, 0, loss.stderr);
    assert.equal((loss.json() as RunInfo).config.params.laTau, 1);
    // a stage-1 run with stage-2 runs is not deleted from under them
    refused(['delete', 'run', 'ce1'], /ce1/);
  });

  it('refuses a stage-2 run in one line, leaving no run: no --from, another split, not completed, a cosine head', () => {
    refused(['train', '--split', 'nat', '--method', 'crt'], /^dive: method crt starts from a completed run of split nat: give --from RUN/);
    refused(['train', '--split', 'drawn', '--method', 'tau-norm', '--from', 'ce1'], /^dive: --from ce1: it was trained on split "nat", not "drawn"/);
    refused(['train', '--split', 'nat', '--method', 'ce', '--from', 'ce1'], /^dive: method ce does not start from a run; drop --from/);
    refused(['train', '--split', 'nat', '--method', 'crt', '--from', 'ce1', '--seed', '9'], /seed: crt keeps its stage-1 run's seed \(4 in ce1\)/);
    assert.equal(dive(db, ['train', '--split', 'nat', '--method', 'ldam-drw', '--name', 'ldam1', '--epochs', '1', ...FAST]).code, 0);
    refused(['train', '--split', 'nat', '--method', 'logit-adjust', '--from', 'ldam1'], /^dive: --from ldam1: it has a cosine classifier/);
    assert.equal(dive(db, ['study', 'create', 'q', '--split', 'nat', '--methods', 'ce', '--seeds', '1', '--model', 'mlp', '--epochs', '1']).code, 0);
    assert.equal(dive(db, ['study', 'run', 'q', '--queue-only']).code, 0);
    refused(['train', '--split', 'nat', '--method', 'lws', '--from', 'q-ce-s1'], /^dive: --from q-ce-s1: the run is queued; lws starts from a completed run/);
    // a study with runs goes to the trash with them only when asked (issue 22)
    assert.equal(dive(db, ['delete', 'study', 'q', '--cascade']).code, 0);
  });

  it('runs a study of the stage-2 methods with a stage-1 CE run per seed, compared by seed', () => {
    assert.equal(dive(db, ['study', 'create', 'dec', '--split', 'nat', '--methods', 'crt,logit-adjust', '--seeds', '1', '--model', 'mlp', '--epochs', '2', '--backend', 'wasm']).code, 0);
    const r = dive(db, ['study', 'run', 'dec']);
    assert.equal(r.code, 0, r.stderr);
    const s = dive(db, ['study', 'show', 'dec', '--json']).json() as StudyDetail;
    assert.deepEqual(s.runs.map((x) => [x.run, x.status]).sort(), [['dec-crt-s1', 'completed'], ['dec-logit-adjust-s1', 'completed'], ['dec-stage1-ce-s1', 'completed']]);
    const crt = dive(db, ['run', 'dec-crt-s1', '--json']).json() as RunInfo;
    assert.deepEqual([crt.teacher, crt.config.seed, crt.config.epochs], ['dec-stage1-ce-s1', 1, 10]);
    assert.ok(s.comparisons.some((c) => c.group.startsWith('logit-adjust') && c.baseline.startsWith('crt')), JSON.stringify(s.comparisons.map((c) => [c.group, c.baseline])));
  });
});
