// Transfer rate, time left and byte sizes for download progress: pure, so pinned by unit tests.

/**
 * Bytes per second over this attempt (bytes already on disk from an earlier attempt do not count
 * towards the rate), and seconds left at that rate; null where it cannot be known yet.
 */
export function transferRate(done: number, startedAt: number, elapsedMs: number, total: number): { bytesPerSecond: number | null; etaSeconds: number | null } {
  const moved = done - startedAt;
  if (elapsedMs <= 0 || moved <= 0) return { bytesPerSecond: null, etaSeconds: null };
  const bytesPerSecond = (moved * 1000) / elapsedMs;
  const etaSeconds = total > 0 ? Math.max(0, (total - done) / bytesPerSecond) : null;
  return { bytesPerSecond, etaSeconds };
}

/** 1536 -> "1.5 KB", 170052171 -> "170.1 MB" (decimal units, as download sizes are published). */
export function formatBytes(n: number): string {
  if (n < 1000) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n;
  let i = -1;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${v.toFixed(1)} ${units[i]}`;
}

/** 75 -> "1:15", 3725 -> "1:02:05". */
export function formatSeconds(s: number): string {
  const t = Math.max(0, Math.round(s));
  const h = Math.floor(t / 3600);
  const m = Math.floor((t % 3600) / 60);
  const sec = String(t % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

/** "12.0 MB / 170.1 MB, 2.4 MB/s, 1:06 left" for one download progress event. */
export function describeTransfer(done: number, total: number, bytesPerSecond?: number | null, etaSeconds?: number | null): string {
  const parts = [total > 0 ? `${formatBytes(done)} / ${formatBytes(total)}` : formatBytes(done)];
  if (bytesPerSecond != null) parts.push(`${formatBytes(Math.round(bytesPerSecond))}/s`);
  if (etaSeconds != null) parts.push(`${formatSeconds(etaSeconds)} left`);
  return parts.join(', ');
}
