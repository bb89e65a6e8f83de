// What deletes and the trash answer (planDelete, delete*, listTrash, restoreTrash, emptyTrash):
// plain types shared by the store, the CLI and the renderer. A delete moves the thing named, and
// everything it takes with it, into one trash entry; a restore brings the entry back whole.
import type { RunStatus } from './types';

export const TRASH_KINDS = ['dataset', 'split', 'run', 'study'] as const;
export type TrashKind = (typeof TRASH_KINDS)[number];

/** A run a delete would take. */
export interface TakenRun {
  name: string;
  split: string;
  status: RunStatus;
  study: string | null;
  /** a student distilled (directly or through other students) from a run taken, outside the thing named */
  student: boolean;
}

/** Everything a delete would take, before it happens (planDelete; a refusal names the same). */
export interface DeletePlan {
  kind: TrashKind;
  name: string;
  /** the splits, studies and runs it takes, the thing named included */
  splits: string[];
  studies: string[];
  runs: TakenRun[];
  /** runs and studies taken that carry tags or a note */
  notes: number;
  /** queued runs it takes off the queue (they are cancelled, and come back cancelled) */
  queued: string[];
  /** running runs that stop the delete: cancel them first */
  running: string[];
  /** studies that stay but lose runs (a study's run deleted alone): `study run` can train them again */
  studiesLosingRuns: { study: string; runs: string[] }[];
  /** true when it takes more than the thing named: it needs `cascade` (and, in the UI, its name typed) */
  needsCascade: boolean;
  /** bytes of the data files it holds, freed when the trash is emptied */
  bytes: number;
}

/** What a delete did: everything went into trash entry `trashId`. */
export interface Deleted {
  trashId: number;
  /** runs taken besides the thing named */
  deletedRuns: string[];
  /** splits and studies taken besides the thing named */
  deletedSplits: string[];
  deletedStudies: string[];
}

/** One entry of the trash: one delete, with everything it took. */
export interface TrashEntry {
  id: number;
  kind: TrashKind;
  /** the name the thing named had */
  name: string;
  deletedAt: string;
  datasets: string[];
  splits: string[];
  studies: string[];
  runs: string[];
  /** runs and studies in it with tags or a note */
  notes: number;
  /** bytes of its data files: what emptying it frees */
  bytes: number;
  /** other entries that hold what this one depends on (a run's split, a student's teacher): restore them first */
  needs: { id: number; why: string }[];
}

export interface Restored {
  entry: TrashEntry;
  /** names given a `-restored` suffix because a new thing had taken them (restore with `rename`) */
  renamed: { kind: TrashKind; from: string; to: string }[];
  /** study runs restored outside their study, whose place a new run had taken (with `rename`) */
  detached: { run: string; study: string }[];
}

export interface Emptied {
  /** the entries removed for good: those asked for, and entries whose rows depended on theirs */
  emptied: TrashEntry[];
  bytes: number;
}
