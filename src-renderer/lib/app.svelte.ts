// The app's shared state: what the core holds (datasets, splits, runs), live training progress,
// the current screen, and messages. Screens read it and call `refresh` after changing things;
// `changed` events from the core (another window, the CLI) refresh it too.
import { SvelteMap } from 'svelte/reactivity';
import type { AppInfo, ApiEvent, Args, CallName, ChangedWhat, DiveApi, Results } from '../../src-main/core/domain/contract';
import type { Deleted, TrashEntry, TrashKind } from '../../src-main/core/domain/trash-types';
import type { NotesIndex } from '../../src-main/core/domain/notes';
import type { DatasetInfo, RunSummary, SplitInfo } from '../../src-main/core/domain/types';
import { ApiError, connectApi, message } from './api';
import { isFormCall } from './field-labels';
import { emptyLive, foldEvent, type Live } from './live';
import { formatRoute, parseRoute, type Route, type Screen } from './route';
import type { TrainForm } from './train-form';

export type { Screen };

export const app = $state({
  ready: false,
  fatal: '',
  /** the heading of the page that says why the workbench cannot be used */
  fatalTitle: 'Cannot reach the workbench',
  info: null as AppInfo | null,
  datasets: [] as DatasetInfo[],
  splits: [] as SplitInfo[],
  runs: [] as RunSummary[],
  /** tags and notes of runs and studies, by name */
  notes: { runs: {}, studies: {} } as NotesIndex,
  screen: 'datasets' as Screen,
  /** the run (runs screen) or study (studies screen) the address names; '' for the list */
  name: '',
  /** the saved split the address names (#/splits/NAME: its page); '' for the builder */
  split: '',
  /** a saved split's parameters for the builder to start from ("Edit as a new split") */
  splitDraft: null as SplitInfo | null,
  /** dataset the datasets / split screens look at */
  dataset: '',
  /** a run's config to prefill the train screen with ("duplicate as new config") */
  prefill: null as TrainForm | null,
  /** runs ticked for comparison */
  selected: [] as string[],
  /** Compare's grouping ('' none, 'method', 'study', 'config.KEY') and its band */
  compareGroup: '',
  compareBand: 'minmax' as 'minmax' | 'std',
  /** what was deleted, newest first (the Trash screen) */
  trash: [] as TrashEntry[],
  toasts: [] as Toast[],
  dark: false,
});

export const live = new SvelteMap<string, Live>();
/** progress events of imports and split creation, by job id */
export const jobs = new SvelteMap<string, { phase: string; done: number; total: number; detail?: string }>();

let api: DiveApi | null = null;
let toastId = 0;

/** A message below the page; `action` adds a button to it (e.g. "Undo" after a delete). */
export interface Toast {
  id: number;
  kind: 'error' | 'info';
  text: string;
  action?: { label: string; run: () => void };
}

export function toast(text: string, kind: 'error' | 'info' = 'info', action?: Toast['action']): void {
  const id = ++toastId;
  app.toasts.push({ id, kind, text, action });
  // a toast with an action stays long enough to be used
  setTimeout(() => dismiss(id), kind === 'error' || action ? 12000 : 4000);
}

export function dismiss(id: number): void {
  const i = app.toasts.findIndex((t) => t.id === id);
  if (i >= 0) app.toasts.splice(i, 1);
}

/** A typed call; failures throw with the core's one-line message. */
export function call<K extends CallName>(name: K, args: Args<K>): Promise<Results[K]> {
  if (!api) return Promise.reject(new Error('not connected'));
  return api.call(name, args);
}

/** A call whose failure is shown as a toast instead of thrown (in the UI's words); undefined on failure. */
export async function attempt<K extends CallName>(name: K, args: Args<K>): Promise<Results[K] | undefined> {
  try {
    return await call(name, args);
  } catch (e) {
    toast(message(e, isFormCall(name) ? name : undefined), 'error');
    return undefined;
  }
}

export async function refresh(what: ChangedWhat | 'all' = 'all'): Promise<void> {
  try {
    if (what === 'all' || what === 'datasets') {
      app.datasets = await call('listDatasets', undefined);
      if (!app.datasets.some((d) => d.name === app.dataset)) app.dataset = app.datasets[0]?.name ?? '';
    }
    if (what === 'all' || what === 'splits') app.splits = await call('listSplits', undefined);
    if (what === 'all' || what === 'runs') {
      app.runs = await call('listRuns', undefined);
      app.notes = await call('listNotes', undefined);
      for (const r of app.runs) {
        if (r.status === 'running' && !live.has(r.name)) live.set(r.name, emptyLive(r.epochsTotal, r.epochsDone));
      }
      app.selected = app.selected.filter((n) => app.runs.some((r) => r.name === n));
      // a run deleted anywhere (another window, the CLI) leaves no live progress behind for its name
      for (const k of [...live.keys()]) if (!app.runs.some((r) => r.name === k)) live.delete(k);
    }
    if (what === 'all' || what === 'trash') app.trash = await call('listTrash', undefined);
  } catch (e) {
    toast(message(e), 'error');
  }
}

let pendingRuns: ReturnType<typeof setTimeout> | null = null;
function refreshRunsSoon(): void {
  if (pendingRuns) return;
  pendingRuns = setTimeout(() => {
    pendingRuns = null;
    void refresh('runs');
  }, 150);
}

function onEvent(e: ApiEvent): void {
  switch (e.type) {
    case 'progress':
      jobs.set(e.job, { phase: e.phase, done: e.done, total: e.total, detail: e.detail });
      return;
    case 'changed':
      void refresh(e.what);
      return;
    case 'started':
    case 'batch':
    case 'epoch':
    case 'finished':
      live.set(e.run, foldEvent(live.get(e.run), e));
      if (e.type !== 'batch') refreshRunsSoon();
      if (e.type === 'finished' && e.status === 'failed') toast(`Run ${e.run} failed: ${e.error ?? 'unknown error'}`, 'error');
      return;
  }
}

export async function start(): Promise<void> {
  const media = window.matchMedia('(prefers-color-scheme: dark)');
  app.dark = media.matches;
  media.addEventListener('change', (m) => (app.dark = m.matches));
  const got = connectApi();
  if (!got) return;
  api = got;
  api.subscribe(onEvent);
  try {
    app.info = await call('info', undefined);
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) {
      app.fatalTitle = 'Open the workbench from its address once';
      app.fatal = e.message;
    } else app.fatal = `The workbench core did not answer: ${message(e)}`;
    return;
  }
  await refresh('all');
  followAddress();
  app.ready = true;
}

/** The route the app's state shows now (what the address bar should say). */
export function currentRoute(): Route {
  switch (app.screen) {
    case 'datasets':
      return { screen: 'datasets', name: app.dataset, runs: [] };
    case 'splits':
      return { screen: 'splits', name: app.split, runs: [] };
    case 'compare':
      return compareRoute();
    case 'runs':
    case 'studies':
      return { screen: app.screen, name: app.name, runs: [] };
    default:
      return { screen: app.screen, name: '', runs: [] };
  }
}

/** The comparison as the app holds it: its runs, grouping and band. */
function compareRoute(): Route {
  const r: Route = { screen: 'compare', name: '', runs: [...app.selected] };
  if (app.compareGroup) r.group = app.compareGroup;
  if (app.compareGroup && app.compareBand === 'std') r.band = 'std';
  return r;
}

/** Puts the app in the place an address names (first load, Back / Forward, a pasted link). */
export function applyRoute(r: Route): void {
  app.screen = r.screen;
  app.name = r.screen === 'runs' || r.screen === 'studies' ? r.name : '';
  if (r.screen === 'datasets' && r.name) app.dataset = r.name;
  if (r.screen === 'splits') {
    app.split = r.name;
    const s = app.splits.find((x) => x.name === r.name);
    if (s) app.dataset = s.dataset;
  }
  if (r.screen === 'compare') {
    app.selected = [...r.runs];
    app.compareGroup = r.group ?? '';
    app.compareBand = r.band ?? 'minmax';
  }
}

/** Follows the address bar: Back / Forward and edited addresses move the app. */
export function followAddress(): () => void {
  const onHash = () => applyRoute(parseRoute(location.hash));
  applyRoute(parseRoute(location.hash));
  window.addEventListener('hashchange', onHash);
  return () => window.removeEventListener('hashchange', onHash);
}

/** Opens the Train screen on a split (the builder's and a saved split's "Train"). */
export function trainOnSplit(split: string): void {
  app.prefill = null;
  sessionStorage.setItem('dive-train-split', split);
  go('train');
}

/**
 * Goes to a screen (and the run / study / split / dataset it names) as a new history entry, so
 * Back returns here. Smaller changes within a screen (picking a dataset in a list) replace the
 * entry instead: see App.svelte's address effect.
 */
export function go(screen: Screen, name = ''): void {
  // the comparison keeps its grouping when its selection changes
  applyRoute(screen === 'compare' ? compareRoute() : { screen, name: screen === 'datasets' ? name || app.dataset : name, runs: [] });
  const hash = formatRoute(currentRoute());
  if (location.hash !== hash) history.pushState(null, '', hash);
}

/**
 * After a delete (here or in another window): the deleted things leave the address bar and every
 * selection (Compare's included), and a toast offers to undo it from the trash.
 */
export async function afterDelete(kind: TrashKind, name: string, d: Deleted): Promise<void> {
  const runs = [...(kind === 'run' ? [name] : []), ...d.deletedRuns];
  const splits = [...(kind === 'split' ? [name] : []), ...d.deletedSplits];
  const studies = [...(kind === 'study' ? [name] : []), ...d.deletedStudies];
  app.selected = app.selected.filter((n) => !runs.includes(n));
  // live progress is kept by name: a new run given a deleted one's name must not show the old one's
  for (const n of runs) live.delete(n);
  if (app.screen === 'runs' && runs.includes(app.name)) app.name = '';
  if (app.screen === 'studies' && studies.includes(app.name)) app.name = '';
  if (splits.includes(app.split)) app.split = '';
  if (kind === 'dataset' && app.dataset === name) app.dataset = '';
  await refresh('all');
  const also = runs.length - (kind === 'run' ? 1 : 0);
  toast(`Moved ${kind} ${name}${also > 0 ? ` and ${also} run${also === 1 ? '' : 's'}` : ''} to the trash.`, 'info', {
    label: 'Undo',
    run: () => void restoreFromTrash(d.trashId).catch((e: unknown) => toast(problemLine(e), 'error')),
  });
}

/** A refusal in its own words (its problems' messages; the core's line names command-line flags). */
export function problemLine(e: unknown): string {
  return e instanceof ApiError && e.problems.length ? e.problems.map((p) => p.message).join('; ') : message(e);
}

/** Restores a trash entry (with `rename`, clashing names get a -restored suffix); the error is thrown for the caller to show. */
export async function restoreFromTrash(id: number, rename = false): Promise<Results['restoreTrash']> {
  const out = await call('restoreTrash', { id, rename });
  await refresh('all');
  toast(`Restored ${out.entry.kind} ${out.entry.name}${out.renamed.length ? ` (${out.renamed.map((r) => `${r.from} is now ${r.to}`).join(', ')})` : ''}.`);
  return out;
}
