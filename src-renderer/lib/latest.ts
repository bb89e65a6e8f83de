// Coalescing for live previews: at most one request in flight; while it runs, newer inputs replace
// each other, and only the newest is sent next. A result is delivered only if no newer input
// arrived since it was asked for, so a slow stale answer never overwrites a fresh one.

export interface Latest<A> {
  /** queue `args`; returns when this input's result was delivered or superseded */
  push(args: A): Promise<void>;
}

export function latest<A, R>(fn: (args: A) => Promise<R>, onResult: (r: R, args: A) => void, onError: (e: unknown, args: A) => void): Latest<A> {
  let seq = 0;
  let running: Promise<void> | null = null;
  let pending: { args: A; seq: number } | null = null;

  const drain = async (): Promise<void> => {
    while (pending) {
      const job = pending;
      pending = null;
      try {
        const r = await fn(job.args);
        if (job.seq === seq) onResult(r, job.args);
      } catch (e) {
        if (job.seq === seq) onError(e, job.args);
      }
    }
    running = null;
  };

  return {
    push(args: A): Promise<void> {
      pending = { args, seq: ++seq };
      if (!running) running = drain();
      return running;
    },
  };
}
