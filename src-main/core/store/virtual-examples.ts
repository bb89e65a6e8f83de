import type { VirtualExamplesInfo } from '../domain/types';
import type { Store } from './store';

export function saveVirtualExamples(store: Store, runId: number, ve: VirtualExamplesInfo): void {
  store.db
    .prepare('INSERT OR REPLACE INTO virtual_examples (run_id, tau, power, v, flatness) VALUES (?, ?, ?, ?, ?)')
    .run(runId, ve.tau, ve.power, JSON.stringify(ve.v), JSON.stringify(ve.flatness));
}

/** The stored distributions of a run, oldest first (counts are the split's, added by the caller). */
export function storedVirtualExamples(store: Store, runId: number): { tau: number; power: number; v: number[]; flatness: VirtualExamplesInfo['flatness'] }[] {
  const rows = store.db.prepare('SELECT tau, power, v, flatness FROM virtual_examples WHERE run_id = ? ORDER BY created_at').all(runId) as {
    tau: number; power: number; v: string; flatness: string;
  }[];
  return rows.map((r) => ({ tau: r.tau, power: r.power, v: JSON.parse(r.v) as number[], flatness: JSON.parse(r.flatness) as VirtualExamplesInfo['flatness'] }));
}
