// The layering check must fail on an import against the arrows and on a cycle: the project's own
// dependency-cruiser config, run on small trees that break one rule each (and one that breaks none).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = join(ROOT, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');
const dirs: string[] = [];

/** Writes `files` (path -> source) into a fresh tree and runs the project's depcruise config on it. */
function cruise(files: Record<string, string>): { code: number | null; out: string } {
  const dir = mkdtempSync(join(tmpdir(), 'dive-lint-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'ESNext', moduleResolution: 'bundler', strict: true } }));
  for (const [path, src] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), src);
  }
  const r = spawnSync(process.execPath, [BIN, 'src-main', '--config', join(ROOT, '.dependency-cruiser.cjs'), '--output-type', 'err'], { cwd: dir, encoding: 'utf8' });
  return { code: r.status, out: r.stdout + r.stderr };
}

after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('dependency rules (npm run lint)', () => {
  it('passes a tree whose imports follow the arrows', () => {
    const r = cruise({
      'src-main/core/domain/types.ts': 'export const A = 1;\n',
      'src-main/core/store/runs.ts': "import { A } from '../domain/types';\nexport const B = A;\n",
      'src-main/core/app/service.ts': "import { B } from '../store/runs';\nexport const C = B;\n",
      'src-main/cli/main.ts': "import { C } from '../core/app/service';\nexport const D = C;\n",
    });
    assert.equal(r.code, 0, r.out);
  });

  it('fails when domain imports the engine or Node', () => {
    const r = cruise({
      'src-main/core/store/runs.ts': 'export const B = 1;\n',
      'src-main/core/domain/types.ts': "import { B } from '../store/runs';\nimport { readFileSync } from 'node:fs';\nexport const A = [B, readFileSync];\n",
    });
    assert.notEqual(r.code, 0);
    assert.match(r.out, /domain-is-a-leaf: src-main\/core\/domain\/types\.ts → src-main\/core\/store\/runs\.ts/);
    assert.match(r.out, /domain-is-a-leaf: src-main\/core\/domain\/types\.ts → (node:)?fs/);
  });

  it('fails when the engine imports the app layer, or a front door reaches past the dispatcher', () => {
    const r = cruise({
      'src-main/core/app/dispatch.ts': 'export const X = 1;\n',
      'src-main/core/train/loop.ts': "import { X } from '../app/dispatch';\nexport const L = X;\n",
      'src-main/server/server.ts': "import { L } from '../core/train/loop';\nexport const S = L;\n",
    });
    assert.notEqual(r.code, 0);
    assert.match(r.out, /engine-below-app: src-main\/core\/train\/loop\.ts → src-main\/core\/app\/dispatch\.ts/);
    assert.match(r.out, /doors-through-app: src-main\/server\/server\.ts → src-main\/core\/train\/loop\.ts/);
  });

  it('fails on a cycle between files and between packages', () => {
    const r = cruise({
      'src-main/core/store/a.ts': "import { b } from '../data/b';\nexport const a = () => b;\n",
      'src-main/core/data/b.ts': "import { a } from '../store/a';\nexport const b = () => a;\n",
    });
    assert.notEqual(r.code, 0);
    assert.match(r.out, /no-cycles/);
    assert.match(r.out, /no-package-cycles/);
  });
});
