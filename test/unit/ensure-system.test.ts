// `npm test`'s first step (test/setup/ensure-system.mjs): silent where the tests' system needs are
// met, one line naming the problem and the fix where they cannot be met.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';

const SCRIPT = join(import.meta.dirname, '..', 'setup', 'ensure-system.mjs');
const run = (env: NodeJS.ProcessEnv) => spawnSync(process.execPath, [SCRIPT], { encoding: 'utf8', env: { ...process.env, ...env } });

test('says nothing and succeeds when Chromium and Fashion-MNIST are there (as they are wherever npm test got this far)', () => {
  const r = run({ CHROMIUM: undefined });
  assert.equal(r.stderr, '');
  assert.equal(r.status, 0);
});

test('stops at once with one line when CHROMIUM names a missing file', () => {
  const r = run({ CHROMIUM: '/nonexistent/chromium' });
  assert.equal(r.status, 1);
  assert.equal(r.stderr, 'npm test: CHROMIUM=/nonexistent/chromium does not exist; point it at a Chromium binary, or unset it to use /usr/bin/chromium\n');
});
