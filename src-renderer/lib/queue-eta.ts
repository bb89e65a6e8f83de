// The queue's time estimates. A running run's ETA comes from its live batch events; a queued
// run's length is estimated from the latest completed run of the same model on the same split
// (its images/s and the split's size), and its start from the runs ahead of it, one at a time
// (the local executor trains one run at a time). Unknown stays unknown (null), never a guess.

export interface EtaInput {
  name: string;
  status: string;
  /** epochs left to train */
  epochsLeft: number;
  /** seconds per epoch of a comparable completed run; null when there is none */
  secondsPerEpoch: number | null;
  /** live ETA of a running run; null when not known yet */
  liveEta: number | null;
}

export interface Eta {
  name: string;
  /** seconds until it starts (0 for a running run); null when a run ahead has no estimate */
  startsIn: number | null;
  /** seconds until it finishes; null when unknown */
  endsIn: number | null;
}

/** Estimates in queue order (running first, then queued in start order). */
export function queueEtas(entries: readonly EtaInput[]): Eta[] {
  let clock: number | null = 0;
  let runningLeft: number | null = 0;
  let firstQueued = true;
  const out: Eta[] = [];
  for (const e of entries) {
    if (e.status === 'running') {
      const left = e.liveEta ?? (e.secondsPerEpoch !== null ? e.secondsPerEpoch * e.epochsLeft : null);
      out.push({ name: e.name, startsIn: 0, endsIn: left });
      runningLeft = runningLeft === null || left === null ? null : Math.max(runningLeft, left);
      continue;
    }
    if (firstQueued) clock = runningLeft;
    firstQueued = false;
    const own = e.secondsPerEpoch !== null ? e.secondsPerEpoch * e.epochsLeft : null;
    const starts: number | null = clock;
    const ends: number | null = starts === null || own === null ? null : starts + own;
    out.push({ name: e.name, startsIn: starts, endsIn: ends });
    clock = ends;
  }
  return out;
}

/** A list with the item at `from` moved to `to` (both 0-based, clamped). */
export function moved<T>(list: readonly T[], from: number, to: number): T[] {
  const out = [...list];
  const t = Math.max(0, Math.min(out.length - 1, to));
  const [x] = out.splice(from, 1);
  out.splice(t, 0, x);
  return out;
}
