// `dive doctor`: checks that the database and the data directory agree. Every blob row against its
// file (present, size, SHA-256), every store folder and file against a row, leftovers of crashed
// imports and deletes, runs left "running" by dead workers, and SQLite's own integrity checks.
// With `fix`, what can be repaired without losing data is repaired; what cannot (a missing or
// corrupt data file) is reported with what to do.
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fsErrorLine } from '../domain/fs-errors';
import { sha256OfFile, sweepStaging, STAGING_PREFIX } from './files';
import { recoverFiles, referencedDirs, storeFolders } from './recovery';
import { markInterrupted } from './runs';
import type { DoctorProblem, DoctorReport } from '../domain/types';
import type { Store } from './handle';
import { removeTrashFolders, TRASH_DIR } from './trash';
import { trashProblems, trashSummary } from './doctor-trash';

export type { DoctorProblem, DoctorReport };

interface BlobRow {
  id: number;
  path: string;
  bytes: number;
  sha256: string;
  kind: string;
  owner: string | null;
}


/** Who to blame in a message: the dataset or run that owns a blob. */
const OWNER_SQL = `SELECT b.id, b.path, b.bytes, b.sha256, b.kind,
  COALESCE((SELECT 'dataset "' || COALESCE(d.trashed_name, d.name) || '"' || IIF(d.trash_id IS NULL, '', ' (in the trash)') FROM dataset_parts p JOIN datasets d ON d.id = p.dataset_id WHERE p.pixels_blob = b.id),
           (SELECT 'run "' || COALESCE(r.trashed_name, r.name) || '"' || IIF(r.trash_id IS NULL, '', ' (in the trash)') FROM runs r WHERE r.checkpoint_blob = b.id OR r.weights_blob = b.id OR r.init_blob = b.id)) AS owner
  FROM blobs b ORDER BY b.id`;

function remedy(b: BlobRow): string {
  if (b.owner?.endsWith('(in the trash)')) return 'it is in the trash: `dive trash empty` removes it, or restore it and re-import or retrain it';
  if (b.owner?.startsWith('dataset')) return `delete and re-import ${b.owner}`;
  if (b.owner?.startsWith('run')) return `delete ${b.owner} and train it again`;
  return 'nothing uses it; `dive doctor --fix` removes its row';
}

/**
 * Blob rows and run folders that more than one owner names (db/014_run_ownership.sql refuses new
 * ones). Nothing can be repaired without losing data: the file holds the last writer's bytes, so the
 * others' exports and resumes would be wrong; the remedy is to delete them and train them again.
 */
function sharedFiles(store: Store): { path: string; detail: string }[] {
  const owners = store.db
    .prepare(
      `SELECT b.path, b.kind, json_group_array(o.owner) AS owners FROM (
         SELECT checkpoint_blob AS blob, 'run "' || name || '"' AS owner, id AS ord FROM runs WHERE checkpoint_blob IS NOT NULL
         UNION ALL SELECT weights_blob, 'run "' || name || '"', id FROM runs WHERE weights_blob IS NOT NULL
         UNION ALL SELECT init_blob, 'run "' || name || '"', id FROM runs WHERE init_blob IS NOT NULL
         UNION ALL SELECT p.pixels_blob, 'dataset "' || d.name || '"', -d.id FROM dataset_parts p JOIN datasets d ON d.id = p.dataset_id
         ORDER BY ord) o JOIN blobs b ON b.id = o.blob GROUP BY o.blob HAVING COUNT(*) > 1 ORDER BY b.path`,
    )
    .all() as { path: string; kind: string; owners: string }[];
  const out = owners.map((r) => {
    const list = JSON.parse(r.owners) as string[];
    const runs = list.every((o) => o.startsWith('run '));
    const who = runs ? `${list.length} runs: ${list.map((o) => o.slice(4)).join(', ')}` : list.join(', ');
    return {
      path: join(store.dataDir, r.path),
      detail: `${r.kind} file of ${who} (an earlier version gave runs created in the same millisecond one folder); it holds the last writer's ${r.kind}, so the others' exports and resumes would be wrong: delete those runs and train them again`,
    };
  });
  const dirs = store.db.prepare(`SELECT dir, json_group_array(name) AS names FROM (SELECT dir, name FROM runs WHERE dir IS NOT NULL ORDER BY id) GROUP BY dir HAVING COUNT(*) > 1 ORDER BY dir`).all() as { dir: string; names: string }[];
  for (const d of dirs) {
    const names = (JSON.parse(d.names) as string[]).map((n) => `"${n}"`).join(', ');
    if (!out.some((o) => o.path.startsWith(join(store.dataDir, d.dir)))) out.push({ path: join(store.dataDir, d.dir), detail: `folder of runs ${names} (an earlier version gave runs created in the same millisecond one folder); delete those runs and train them again` });
  }
  return out;
}

export async function runDoctor(store: Store, opts: { fix?: boolean } = {}): Promise<DoctorReport> {
  const fix = opts.fix ?? false;
  const problems: DoctorProblem[] = [];
  const add = (kind: string, path: string, detail: string, fixed = false) => problems.push({ kind, path, detail, fixed });

  for (const rel of store.recovered?.orphans ?? []) add('recovered-at-open', join(store.dataDir, rel), 'folder without a row (a crashed import or delete) was removed when the store opened', true);
  for (const rel of store.recovered?.restored ?? []) add('recovered-at-open', join(store.dataDir, rel), 'folder of an interrupted delete was moved back to its rows when the store opened', true);

  for (const row of store.db.pragma('quick_check') as { quick_check: string }[]) {
    if (row.quick_check !== 'ok') add('database', store.dbPath, `integrity: ${row.quick_check}; restore the database from a backup`);
  }
  const fk = store.db.pragma('foreign_key_check') as { table: string; rowid: number; parent: string }[];
  for (const r of fk) add('database', store.dbPath, `${r.table} row ${r.rowid} points to a missing ${r.parent} row`);

  // a queued or running run's folder is its worker's to change (checkpoints are rewritten every epoch)
  const active = store.db.prepare(`SELECT dir FROM runs WHERE status IN ('queued', 'running') AND dir IS NOT NULL`).pluck().all() as string[];
  const busy = (rel: string) => active.some((d) => rel === d || rel.startsWith(`${d}/`));

  // blobs against files
  const blobs = (store.db.prepare(OWNER_SQL).all() as BlobRow[]).filter((b) => !busy(b.path.replace(/\\/g, '/')));
  let bytesChecked = 0;
  const blobPaths = new Set<string>();
  for (const b of blobs) {
    const abs = join(store.dataDir, b.path);
    blobPaths.add(b.path.replace(/\\/g, '/'));
    if (!existsSync(abs)) {
      if (b.owner === null && fix) {
        store.db.prepare('DELETE FROM blobs WHERE id = ?').run(b.id);
        add('missing-file', abs, `${b.kind} file of no dataset or run is missing; its row was removed`, true);
      } else add('missing-file', abs, `${b.kind} file of ${b.owner ?? 'nothing'} is missing; ${remedy(b)}`);
      continue;
    }
    const size = statSync(abs).size;
    if (size !== b.bytes) {
      add('corrupt-file', abs, `${b.kind} file of ${b.owner ?? 'nothing'} has ${size} bytes, expected ${b.bytes}; ${remedy(b)}`);
      continue;
    }
    let got: string;
    try {
      got = await sha256OfFile(abs);
    } catch (e) {
      add('corrupt-file', abs, `cannot be read: ${fsErrorLine(e)}`);
      continue;
    }
    bytesChecked += size;
    if (got !== b.sha256) add('corrupt-file', abs, `${b.kind} file of ${b.owner ?? 'nothing'} fails its checksum (${got.slice(0, 12)}… expected ${b.sha256.slice(0, 12)}…); ${remedy(b)}`);
  }

  // one file, one owner: rows of an older store whose runs of the same millisecond shared a folder
  for (const p of sharedFiles(store)) add('shared-file', p.path, p.detail);

  // folders and files against rows
  const referenced = referencedDirs(store);
  const datasetDirs = store.db.prepare('SELECT COALESCE(trashed_name, name) AS name, dir FROM datasets').all() as { name: string; dir: string }[];
  for (const d of datasetDirs) if (!existsSync(join(store.dataDir, d.dir))) add('missing-file', join(store.dataDir, d.dir), `folder of dataset "${d.name}" is missing; delete and re-import it`);
  const orphans = storeFolders(store.dataDir).filter((rel) => !referenced.has(rel));
  for (const rel of orphans) add('orphan', join(store.dataDir, rel), 'folder that no dataset or run names (left by a crash)', fix);
  const stray: string[] = [];
  for (const rel of storeFolders(store.dataDir).filter((r) => referenced.has(r) && !busy(r))) {
    const dir = join(store.dataDir, rel);
    if (!statSync(dir).isDirectory()) continue;
    for (const f of readdirSync(dir)) {
      if (!blobPaths.has(`${rel}/${f}`)) {
        stray.push(join(dir, f));
        add('stray-file', join(dir, f), 'file that no row names (e.g. a half-written checkpoint)', fix);
      }
    }
  }
  const trash = join(store.dataDir, TRASH_DIR);
  if (existsSync(trash)) for (const n of readdirSync(trash)) add('trash', join(trash, n), 'left by an emptying of the trash that could not finish removing it (the trash itself, `dive trash list`, is not touched)', fix);
  for (const n of existsSync(store.dataDir) ? readdirSync(store.dataDir) : []) {
    if (n.startsWith(STAGING_PREFIX)) add('staging', join(store.dataDir, n), 'staging folder of an import (removed once its process is gone)', fix);
  }
  problems.push(...trashProblems(store, fix));
  const stale = store.db.prepare(`SELECT name, worker_pid FROM runs WHERE status = 'running'`).all() as { name: string; worker_pid: number | null }[];

  if (fix) {
    recoverFiles(store);
    for (const f of stray) rmSync(f, { recursive: true, force: true });
    removeTrashFolders(store.dataDir);
    sweepStaging(store.dataDir);
    markInterrupted(store);
  }
  const still = new Set(store.db.prepare(`SELECT name FROM runs WHERE status = 'running'`).pluck().all() as string[]);
  for (const r of stale) {
    if (!still.has(r.name)) add('stale-run', store.dbPath, `run "${r.name}" was left running by a worker that is gone; now interrupted (resume it with \`dive resume ${r.name}\`)`, true);
  }
  // what --fix could not remove (e.g. a read-only folder) stays unresolved
  for (const p of problems) if (p.fixed && ['orphan', 'stray-file', 'trash'].includes(p.kind) && existsSync(p.path)) p.fixed = false;
  for (const p of problems) if (p.fixed && p.kind === 'staging' && existsSync(p.path)) p.detail += ' (its import is still running)';
  return {
    dbPath: store.dbPath,
    dataDir: store.dataDir,
    blobsChecked: blobs.length,
    bytesChecked,
    problems,
    trash: trashSummary(store),
    unresolved: problems.filter((p) => !p.fixed && p.kind !== 'staging').length,
  };
}
