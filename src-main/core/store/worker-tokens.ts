// Worker tokens: what a remote worker (`dive worker --server`) shows the owning store. Separate
// from the UI's launch token, valid for the worker calls of this store only, revocable, and stored
// as a SHA-256: the token itself is shown once, when it is created.
import { createHash, randomBytes } from 'node:crypto';
import { UserError } from '../domain/errors';
import type { Store } from './handle';
import type { WorkerTokenInfo } from '../domain/worker-wire';

export type { WorkerTokenInfo };

const hashOf = (token: string) => createHash('sha256').update(token, 'utf8').digest('hex');

/** A new token named `name`; the clear token is returned once and never stored. */
export function createWorkerToken(store: Store, name: string): { name: string; token: string } {
  if (!/^[\w.-]{1,64}$/.test(name)) throw new UserError(`worker token name "${name}": use 1-64 letters, digits, '.', '_' or '-'`);
  if (store.db.prepare('SELECT 1 FROM worker_tokens WHERE name = ?').get(name)) {
    throw new UserError(`a worker token named "${name}" already exists; revoke it or choose another name`);
  }
  // "dwt_" makes a leaked token recognisable in a log or a secret scanner
  const token = `dwt_${randomBytes(32).toString('base64url')}`;
  store.db.prepare('INSERT INTO worker_tokens (name, token_hash) VALUES (?, ?)').run(name, hashOf(token));
  return { name, token };
}

export function listWorkerTokens(store: Store): WorkerTokenInfo[] {
  const rows = store.db.prepare('SELECT name, created_at, last_used_at, revoked_at FROM worker_tokens ORDER BY id').all() as {
    name: string; created_at: string; last_used_at: string | null; revoked_at: string | null;
  }[];
  return rows.map((r) => ({ name: r.name, createdAt: r.created_at, lastUsedAt: r.last_used_at, revokedAt: r.revoked_at }));
}

export function revokeWorkerToken(store: Store, name: string): WorkerTokenInfo {
  const info = store.db.prepare(`UPDATE worker_tokens SET revoked_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE name = ? AND revoked_at IS NULL`).run(name);
  if (info.changes === 0) {
    const known = store.db.prepare('SELECT 1 FROM worker_tokens WHERE name = ?').get(name);
    throw new UserError(known ? `worker token "${name}" is already revoked` : `no worker token named "${name}" (see \`dive worker-token list\`)`);
  }
  return listWorkerTokens(store).find((t) => t.name === name)!;
}

/** The name of the live token `token` is, or null (unknown or revoked). Comparison is on hashes. */
export function checkWorkerToken(store: Store, token: string): string | null {
  const row = store.db.prepare('SELECT id, name, last_used_at FROM worker_tokens WHERE token_hash = ? AND revoked_at IS NULL').get(hashOf(token)) as
    | { id: number; name: string; last_used_at: string | null }
    | undefined;
  if (!row) return null;
  // at most one write a minute per token: heartbeats must not turn every call into a write
  if (!row.last_used_at || Date.parse(row.last_used_at) < Date.now() - 60_000) {
    store.db.prepare(`UPDATE worker_tokens SET last_used_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ?`).run(row.id);
  }
  return row.name;
}
