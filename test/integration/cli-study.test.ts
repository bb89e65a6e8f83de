// Studies and the queue through the real CLI: a study killed mid-run continues where it stopped
// (the interrupted run resumed from its checkpoint, no run duplicated), its statistics, a study
// queued for `dive worker`, priorities, and deleting a study with its runs.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import type { QueueEntry, StudyDetail } from '../../src-main/core/domain/study-types';
import type { RunSummary } from '../../src-main/core/domain/types';
import { DIVE, dive, tempDir } from '../helpers/cli';

const FAST = ['--model', 'mlp', '--epochs', '2', '--batch', '64', '--lr', '0.01', '--backend', 'wasm'];

describe('studies and the queue through the CLI', () => {
  assert.ok(existsSync('/usr/share/datasets/fashion-mnist'), 'apt-get install dataset-fashion-mnist');
  const t = tempDir();
  const db = join(t.dir, 'dive.sqlite');
  before(() => {
    assert.equal(dive(db, ['import', 'fashion-mnist']).code, 0);
    assert.equal(dive(db, ['split', '--dataset', 'fashion-mnist', '--name', 'lt', '--ratio', '10', '--max-per-class', '60']).code, 0);
  });
  after(() => t.cleanup());

  it('continues a killed study where it stopped, resuming the interrupted run, and reports paired statistics', async () => {
    const created = dive(db, ['study', 'create', 'st', '--split', 'lt', '--methods', 'ce,dive', '--seeds', '2', ...FAST, '--json']);
    assert.equal(created.code, 0, created.stderr);
    assert.equal((created.json() as { planned: number }).planned, 6); // 2 teachers (seeds 101, 102) + 2 x 2 students

    const child = spawn(process.execPath, [DIVE, '--db', db, 'study', 'run', 'st'], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let err = '';
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
      // the second run has its epoch-1 checkpoint: kill the CLI and its worker at once
      if ((err.match(/epoch 1\/2/g) ?? []).length >= 2) process.kill(-child.pid!, 'SIGKILL');
    });
    await new Promise((r) => child.on('exit', r));
    const mid = dive(db, ['runs', '--json']).json() as RunSummary[];
    assert.equal(mid.length, 6);
    const killed = mid.filter((r) => r.status === 'interrupted');
    assert.equal(killed.length, 1, JSON.stringify(mid.map((r) => [r.name, r.status])));
    assert.equal(killed[0].epochsDone, 1);
    assert.equal(killed[0].study, 'st');
    const q = dive(db, ['queue', '--json']).json() as QueueEntry[];
    assert.equal(q.filter((e) => e.status === 'queued').length, 4, 'the rest wait in the queue');

    const again = dive(db, ['study', 'run', 'st', '--json']);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stderr, new RegExp(`training ${killed[0].name} .*resuming after epoch 1`));
    const d = again.json() as StudyDetail;
    assert.equal(d.runs.length, 6);
    assert.ok(d.runs.every((r) => r.status === 'completed'));
    const raw = new Database(db, { readonly: true });
    assert.equal(raw.prepare('SELECT COUNT(*) FROM runs').pluck().get(), 6, 'no run duplicated');
    assert.equal(raw.prepare("SELECT COUNT(*) FROM run_epochs e JOIN runs r ON r.id = e.run_id WHERE r.name = ?").pluck().get(killed[0].name), 2);
    raw.close();

    assert.deepEqual(d.summary.map((s) => [s.group, s.completed]), [['teacher bsce', 2], ['ce', 2], ['dive', 2]]);
    const c = d.comparisons.find((x) => x.group === 'dive' && x.baseline === 'ce')!;
    assert.deepEqual(c.seeds, [1, 2]);
    const dive1 = d.summary[2].metrics.top1.mean! - d.summary[1].metrics.top1.mean!;
    assert.ok(Math.abs(c.diff.top1.mean! - dive1) < 1e-12, 'the mean paired difference is the difference of means');
    assert.ok(c.diff.top1.lo! <= c.diff.top1.mean! && c.diff.top1.mean! <= c.diff.top1.hi!);
    assert.ok(c.diff.top1.p! >= 0 && c.diff.top1.p! <= 1);
    const vsTeacher = d.perClass.find((p) => p.group === 'dive' && p.against === 'teacher')!;
    assert.deepEqual(vsTeacher.classes.map((x) => x.count), [...d.counts].sort((a, b) => b - a));

    // a second run of a finished study trains nothing
    const third = dive(db, ['study', 'run', 'st']);
    assert.equal(third.code, 0, third.stderr);
    assert.match(third.stderr, /study st: 0 run\(s\) to train/);
    const shown = dive(db, ['study', 'show', 'st']);
    assert.match(shown.stdout, /dive - ce\s+2\s+[+-]\d+\.\d\d \[[+-]\d+\.\d\d, [+-]\d+\.\d\d\]/);
    // two seeds: the reader is warned, in the text and in --json
    assert.match(shown.stdout, /^warning: n < 3: dive - ce pairs 2 seeds: a 95% interval from 2 seeds is ±12\.7 standard errors wide/m);
    assert.match(d.warnings[0], /^n < 3: dive - ce pairs 2 seeds/);
    assert.equal(c.diff.top1.pHolm, c.diff.top1.p, 'one comparison: Holm leaves p as it is');
    // the paper table in three formats, from the same numbers as --json
    const md = dive(db, ['study', 'show', 'st', '--format', 'markdown']);
    assert.equal(md.code, 0, md.stderr);
    const pts = (x: number) => (100 * x).toFixed(2);
    const ce = d.summary[1].metrics.top1;
    assert.match(md.stdout, new RegExp(`^\\| ce \\| 2 \\| ${pts(ce.mean!)} ± ${pts(ce.std!)} \\|`, 'm'));
    assert.match(md.stdout, /^\| Method \| n \| Top-1 \| Many \| Medium \| Few \| Δ top-1 vs ce \| p \|$/m);
    assert.match(md.stdout, /Holm-adjusted across the 1 comparison\./);
    assert.match(md.stdout, /^> Warning: n < 3/m);
    const tex = dive(db, ['study', 'show', 'st', '--format', 'latex']);
    assert.match(tex.stdout, /\\begin\{tabular\}\{lrrrrrrr\}\n\\toprule\n/);
    const csv = dive(db, ['study', 'show', 'st', '--format', 'csv']).stdout.split('\r\n');
    assert.equal(csv.length, 5, 'header, three groups and the final line end');
    assert.equal(csv[3].split(',')[4], pts(d.summary[2].metrics.top1.mean!).replace(/0+$/, '').replace(/\.$/, ''));
    const bad = dive(db, ['study', 'show', 'st', '--format', 'pdf']);
    assert.equal(bad.code, 1);
    assert.equal(bad.stderr, 'dive: --format pdf: use text, csv, latex, markdown\n');
    const stats = dive(db, ['compare', '--stats', 'st-ce-s1', 'st-ce-s2', 'st-dive-s1', 'st-dive-s2', '--json']);
    assert.equal(stats.code, 0, stats.stderr);
    assert.deepEqual((stats.json() as { comparisons: { diff: { top1: { mean: number } } }[] }).comparisons[0].diff.top1.mean, c.diff.top1.mean);
  });

  it('queues a study for `dive worker`, which trains the queue in priority order', () => {
    assert.equal(dive(db, ['study', 'create', 'w', '--split', 'lt', '--methods', 'ce,bsce', '--seeds', '1', ...FAST.slice(0, 2), '--epochs', '1', '--backend', 'wasm']).code, 0);
    const queued = dive(db, ['study', 'run', 'w', '--queue-only']);
    assert.equal(queued.code, 0, queued.stderr);
    assert.equal(dive(db, ['queue', 'priority', 'w-bsce-s1', '3']).code, 0);
    const q = dive(db, ['queue', '--json']).json() as QueueEntry[];
    assert.deepEqual(q.map((e) => [e.position, e.name, e.priority]), [[1, 'w-bsce-s1', 3], [2, 'w-ce-s1', 0]]);
    const bad = dive(db, ['queue', 'priority', 'st-ce-s1', '1']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /is completed; only a queued run can be re-prioritised/);
    const w = dive(db, ['worker', '--json']);
    assert.equal(w.code, 0, w.stderr);
    assert.deepEqual((w.json() as { name: string; status: string }[]).map((r) => [r.name, r.status]), [['w-bsce-s1', 'completed'], ['w-ce-s1', 'completed']]);
    assert.equal((dive(db, ['queue', '--json']).json() as QueueEntry[]).length, 0);
  });

  it('deletes a study with its runs, and refuses names and seeds that would clash', () => {
    const clash = dive(db, ['study', 'create', 'st', '--split', 'lt', '--methods', 'ce']);
    assert.equal(clash.code, 1);
    assert.match(clash.stderr, /a study named "st" already exists/);
    const seeds = dive(db, ['study', 'create', 'x', '--split', 'lt', '--methods', 'kd', '--seeds', '1,100', '--shared-teacher']);
    assert.equal(seeds.code, 1);
    assert.match(seeds.stderr, /^dive: teacher seed 100 is also a student seed/);
    const refused = dive(db, ['delete', 'study', 'st']);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /^dive: deleting study "st" would also take \d+ runs \("st-/);
    const del = dive(db, ['delete', 'study', 'st', '--cascade']);
    assert.equal(del.code, 0, del.stderr);
    const left = (dive(db, ['runs', '--json']).json() as RunSummary[]).map((r) => r.name);
    assert.deepEqual(left, ['w-ce-s1', 'w-bsce-s1']);
    assert.deepEqual((dive(db, ['studies', '--json']).json() as { name: string }[]).map((s) => s.name), ['w']);
  });
});
