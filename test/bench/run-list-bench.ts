// Listing a store with 10,000 runs: `dive runs --json` (listRuns: one query reading the summary
// columns, no JSON parsed per row, no epoch history) and the queue view.
// Part of `npm run bench`; the target is < 100 ms for the first two.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseRunConfig } from '../../src-main/core/domain/run-config';
import { commitDataset } from '../../src-main/core/store/datasets';
import { RecordWriter, Staging } from '../../src-main/core/store/files';
import { queueView } from '../../src-main/core/store/queue';
import { listRuns } from '../../src-main/core/store/runs';
import { createSplit } from '../../src-main/core/store/splits';
import { openStore, type Store } from '../../src-main/core/store/store';

export const RUNS = 10_000;
const EPOCHS = 30;
const C = 10;

/** Wall and CPU milliseconds (median of `runs` after warm-up): on a shared machine the CPU time says what the code costs, the wall time what a user waited. */
export function measure(name: string, runs: number, fn: () => unknown): { name: string; wall: number; minWall: number; cpu: number } {
  for (let i = 0; i < Math.min(3, runs); i++) fn();
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < runs; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    fn();
    wall.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  return { name, wall: med(wall), minWall: Math.min(...wall), cpu: med(cpu) };
}

/** 10,000 runs on one split: 95% completed (metrics with per-class accuracy and a 10x10 confusion matrix, 30 epochs each), 4% queued, the rest failed. */
export function generate(store: Store): void {
  const staging = new Staging(store.dataDir);
  const part = (labels: number[], file: string) => {
    const w = new RecordWriter(staging.path(file), 1);
    w.append(new Uint8Array(labels.length));
    return { pixels: w.close(), labels: Int32Array.from(labels) };
  };
  const labels = Array.from({ length: 1000 }, (_, i) => i % C);
  commitDataset(store, 'bench', staging, { format: 'folder', source: {}, imageShape: [1, 1, 1], classNames: labels.slice(0, C).map(String), train: part(labels, 'train.u8'), test: part(labels, 'test.u8') });
  createSplit(store, { dataset: 'bench', name: 'lt', ratio: 10 });
  const cfg = JSON.stringify(parseRunConfig({ method: 'dive', model: 'cnn', epochs: EPOCHS }));
  const perClass = Array.from({ length: C }, (_, k) => 0.5 + k / 40);
  const metrics = JSON.stringify({ top1: 0.71, many: 0.8, medium: 0.7, few: 0.6, ece: 0.05, perClass, confusion: Array.from({ length: C }, () => Array<number>(C).fill(100)), epoch: EPOCHS });
  // the summary columns insertRun and markCompleted write beside the JSON (db/006_run_summary.sql)
  const insertRun = store.db.prepare(`INSERT INTO runs (name, split_id, method, model, config, status, epochs_done, metrics, dir, priority, seed, epochs, top1, many, medium, few, ece)
    VALUES (?, 1, 'dive', 'cnn', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const insertEpoch = store.db.prepare('INSERT INTO run_epochs (run_id, epoch, loss, lr, train_acc, test_acc, seconds, images_per_second) VALUES (?, ?, 1.0, 0.1, 0.7, 0.7, 3.5, 1500)');
  store.db.transaction(() => {
    for (let i = 0; i < RUNS; i++) {
      const status = i % 25 === 0 ? 'queued' : i % 97 === 0 ? 'failed' : 'completed';
      const done = status === 'completed';
      const m = done ? [0.71, 0.8, 0.7, 0.6, 0.05] : [null, null, null, null, null];
      const id = Number(insertRun.run(`run-${i}`, cfg, status, done ? EPOCHS : 0, done ? metrics : null, `runs/run-${i}`, i % 7, i % 5, EPOCHS, ...m).lastInsertRowid);
      if (done) for (let e = 1; e <= EPOCHS; e++) insertEpoch.run(id, e);
    }
  })();
}

/** The reference: what listRuns did before the summary columns, every run's config (validated) and metrics JSON parsed. */
function parsedListing(store: Store): unknown[] {
  const rows = store.db.prepare(`SELECT r.*, s.name AS split_name FROM runs r JOIN splits s ON s.id = r.split_id ORDER BY r.id`).all() as { config: string; metrics: string | null; warnings: string }[];
  return rows.map((r) => ({ ...r, config: parseRunConfig(JSON.parse(r.config)), metrics: r.metrics == null ? null : (JSON.parse(r.metrics) as unknown), warnings: JSON.parse(r.warnings) as unknown }));
}

/** Prints its own table: wall median, wall min and CPU median per listing. */
export function benchRunListing(): void {
  const dir = mkdtempSync(join(tmpdir(), 'dive-bench-runs-'));
  try {
    const db = join(dir, 'dive.sqlite');
    const store = openStore({ db, dataDir: join(dir, 'data') });
    generate(store);
    const rows = [
      measure(`dive runs --json in-process: list ${RUNS.toLocaleString('en')} runs + JSON`, 21, () => JSON.stringify(listRuns(store), null, 2)),
      measure(`queue view (${RUNS / 25} queued of ${RUNS.toLocaleString('en')}) + JSON`, 21, () => JSON.stringify(queueView(store), null, 2)),
      measure('reference: the listing before db/006 (each run\'s config and metrics JSON parsed)', 7, () => JSON.stringify(parsedListing(store), null, 2)),
    ];
    store.close();
    // the whole command as a user runs it, beside the same command on an empty store (Node, tsx and
    // module start-up alone) and a bare Node: median wall of 3 each
    const cli = join(import.meta.dirname, '..', '..', 'src-main', 'cli', 'dive.mjs');
    const spawnMs = (args: string[]): { ms: number; stdout: string } => {
      const ms: number[] = [];
      let stdout = '';
      for (let i = 0; i < 3; i++) {
        const t0 = performance.now();
        const r = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 28 });
        ms.push(performance.now() - t0);
        if (r.status !== 0) throw new Error(`${args.join(' ')} failed: ${r.stderr}`);
        stdout = r.stdout;
      }
      return { ms: [...ms].sort((a, b) => a - b)[1], stdout };
    };
    const full = spawnMs([cli, '--db', db, 'runs', '--json']);
    const empty = spawnMs([cli, '--db', join(dir, 'empty.sqlite'), 'runs', '--json']);
    const bare = spawnMs(['-e', '0']);
    const listed = (JSON.parse(full.stdout) as unknown[]).length;
    const w = Math.max(...rows.map((x) => x.name.length));
    console.log(`\n${'listing'.padEnd(w)}  wall median ms  wall min ms  CPU median ms`);
    for (const x of rows) console.log(`${x.name.padEnd(w)}  ${x.wall.toFixed(1).padStart(14)}  ${x.minWall.toFixed(1).padStart(11)}  ${x.cpu.toFixed(1).padStart(13)}`);
    console.log(`\`dive runs --json\` as a process, wall median of 3: ${full.ms.toFixed(0)} ms for ${listed} runs; ${empty.ms.toFixed(0)} ms on an empty store (start-up); reference: bare \`node -e 0\` ${bare.ms.toFixed(0)} ms`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
