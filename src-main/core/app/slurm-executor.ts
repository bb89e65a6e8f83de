// The Slurm executor (docs/scale-out.md): drives a study's queued runs through array jobs whose
// tasks are remote workers (`dive worker --server URL --max-runs 1`) of the store this process owns.
//
// One array job per batch of startable runs, not one job per run: one sbatch per study round, one
// line in squeue per study, and the scheduler's per-user array limits apply. A task is not bound to
// a run: it claims whichever startable run of the study is next, so a run put back in the queue
// (its task was cancelled, hit its time limit, or its node died) is taken by the next free task,
// and a new array is submitted only for runs no live task can take.
//
// Each tick: expired leases are taken back; squeue (sacct for tasks squeue has forgotten) says each
// task's state; a run whose task ended while the run was still running goes back to the queue
// (resumed from its last posted checkpoint) with the scheduler's reason; a run cancelled from
// anywhere gets its task scancelled; runs waiting in an array show the array's state and reason.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { UserError } from '../domain/errors';
import { assignExecutor, expireLeases, releaseExecutor, setJobState, studyJobs, studyQueue, takeBack } from '../store/leases';
import { requestCancel } from '../store/runs';
import type { Store } from '../store/store';
import { busyNotice, isBusy, retryBusy } from '../store/busy';
import { arrayOf, ENDED_STATES, parseSacct, parseSbatch, parseSqueue, sbatchArgs, type JobState, type SlurmOptions } from './slurm';

const run = promisify(execFile);

export interface SlurmStudyOptions {
  store: Store;
  study: string;
  /** path of the batch script (written by the caller: app/slurm.ts batchScript) */
  script: string;
  slurm: SlurmOptions;
  log: (line: string) => void;
  /** true once the study should stop (Ctrl-C): its tasks are scancelled, its runs cancelled */
  stopping: () => boolean;
  pollMs?: number;
}

async function slurmCommand(cmd: string, args: string[]): Promise<string> {
  try {
    return (await run(cmd, args, { encoding: 'utf8', timeout: 60_000, maxBuffer: 16 * 1024 * 1024 })).stdout;
  } catch (e) {
    if (e instanceof Error && 'code' in e && e.code === 'ENOENT') throw new UserError(`${cmd} is not installed here: run \`dive study run --executor slurm\` on a Slurm login node`);
    const stderr = e instanceof Error && 'stderr' in e && typeof e.stderr === 'string' && e.stderr.trim() ? e.stderr : String(e instanceof Error ? e.message : e);
    throw new UserError(`${cmd} ${args.slice(0, 3).join(' ')}: ${stderr.trim().split('\n')[0]}`);
  }
}

/** States of the tasks of `arrays`, from squeue (which keeps ended jobs for MinJobAge) and sacct for the rest. */
async function taskStates(arrays: string[], wanted: string[]): Promise<Map<string, JobState>> {
  if (!arrays.length) return new Map();
  const states = parseSqueue(await slurmCommand('squeue', ['-h', '-r', '--states=all', '-j', arrays.join(','), '-o', '%i|%T|%r']).catch(() => ''));
  const missing = wanted.filter((id) => !states.has(id));
  if (missing.length) {
    // accounting may be off (sacct then fails): a task neither knows is judged by its run's lease
    const acct = parseSacct(await slurmCommand('sacct', ['-n', '-P', '-X', '-j', missing.join(','), '-o', 'JobID,State,ExitCode']).catch(() => ''));
    for (const [id, s] of acct) states.set(id, s);
  }
  return states;
}

export async function scancel(ids: string[]): Promise<void> {
  if (ids.length) await slurmCommand('scancel', ids);
}

/** Trains the study's queued runs on Slurm; resolves once none can still start or run (or after `stopping`). */
export async function driveSlurmStudy(o: SlurmStudyOptions): Promise<void> {
  // every queued run of the study is this process's from now on: a local executor elsewhere (dive
  // serve, the desktop app) leaves them alone while it lives, and takes them back if it dies
  const own = () => studyJobs(o.store, o.study).filter((j) => j.status === 'queued').map((j) => j.id);
  await retryBusy(() => assignExecutor(o.store, own(), 'slurm', process.pid, null, null));
  try {
    await drive(o);
  } finally {
    // what is still queued (its teacher failed, sbatch refused, Ctrl-C) goes back to the ordinary queue
    await retryBusy(() => releaseExecutor(o.store, own()));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function drive(o: SlurmStudyOptions): Promise<void> {
  const state: DriveState = { arrays: [], scancelled: new Set<string>() };
  for (;;) {
    let done = false;
    try {
      done = await step(o, state);
    } catch (e) {
      // the store is busy (held by another process past the busy timeout): the next round tries again
      if (!isBusy(e)) throw e;
      busyNotice();
    }
    if (done) return;
    await sleep(o.pollMs ?? 2000);
  }
}

interface DriveState {
  /** the array jobs this process submitted */
  arrays: string[];
  /** tasks it scancelled because their run was cancelled */
  scancelled: Set<string>;
}

/** One round: take back what died, follow the tasks, submit what no task can take; true once the study is done or stopped. */
async function step(o: SlurmStudyOptions, { arrays, scancelled }: DriveState): Promise<boolean> {
  const { store, study } = o;
  expireLeases(store);
  const jobs = studyJobs(store, study);
  const tasksOfRuns = jobs.filter((j) => j.jobId?.includes('_')).map((j) => j.jobId!);
  const states = await taskStates(arrays, tasksOfRuns);

  if (o.stopping()) {
    const live = arrays.filter((a) => [...states].some(([id, s]) => arrayOf(id) === a && !ENDED_STATES.has(s.state)));
    await scancel(live).catch((e: unknown) => o.log(`slurm: ${e instanceof Error ? e.message : String(e)}`));
    // as a local `dive study run` does on Ctrl-C: the runs end cancelled, `dive study run` continues them
    for (const j of jobs) {
      if (j.status !== 'running' && j.status !== 'queued') continue;
      requestCancel(store, j.name);
      if (j.status === 'running') takeBack(store, j.id, null, 'the study was stopped');
    }
    o.log(`slurm: stopped; scancelled ${live.join(', ') || 'nothing'}`);
    return true;
  }

  let busyTasks = 0;
  for (const j of jobs) {
    if (j.status !== 'running' || !j.jobId?.includes('_')) continue;
    const s = states.get(j.jobId);
    if (!s) continue;
    if (ENDED_STATES.has(s.state)) {
      const why = `Slurm task ${j.jobId} ended ${s.state}${s.reason ? ` (${s.reason})` : ''}`;
      const to = takeBack(store, j.id, null, why);
      if (to) o.log(`slurm: run ${j.name}: ${why}; ${to === 'queued' ? 'back in the queue, resumed from its last checkpoint' : to}`);
      setJobState(store, j.id, s.state, s.reason);
      continue;
    }
    busyTasks++;
    setJobState(store, j.id, s.state, s.reason);
    if (j.cancelRequested && !scancelled.has(j.jobId)) {
      scancelled.add(j.jobId);
      o.log(`slurm: run ${j.name} was cancelled: scancel ${j.jobId}`);
      await scancel([j.jobId]).catch((e: unknown) => o.log(`slurm: ${e instanceof Error ? e.message : String(e)}`));
    }
  }

  const q = studyQueue(store, study);
  if (q.startable.length === 0 && q.waiting === 0 && q.running === 0) return true;
  // tasks pending or starting that hold no run yet will take a startable run
  const liveTasks = [...states].filter(([id, s]) => arrays.includes(arrayOf(id)) && !ENDED_STATES.has(s.state));
  const free = liveTasks.length - busyTasks;
  const need = q.startable.length - free;
  if (need > 0) {
    const id = parseSbatch(await slurmCommand('sbatch', sbatchArgs(o.slurm, need, o.script)));
    arrays.push(id);
    assignExecutor(store, q.startable, 'slurm', process.pid, id, 'PENDING');
    o.log(`slurm: submitted array job ${id} (${need} task${need > 1 ? 's' : ''}) for study ${study}`);
  } else if (q.startable.length) {
    // the runs wait for a free task: show the newest array's state and reason
    const pending = liveTasks.find(([, s]) => s.state === 'PENDING');
    if (pending) for (const id of q.startable) setJobState(store, id, pending[1].state, pending[1].reason);
  }
  return false;
}
