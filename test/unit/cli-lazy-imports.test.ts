// What `dive` loads to start, read off the build's own metafile: the CLI entry, the CLI it imports,
// and everything those import statically. TF.js, sharp, Dawn (webgpu), undici and tar must not be
// among them: they load with import() when a command needs them, and each costs from tens to
// hundreds of milliseconds at every start of every command. A static import that pulls one in
// fails here with the chain of imports that does it.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Metafile } from 'esbuild';
import { tempDir } from '../helpers/fixtures';

const ROOT = join(import.meta.dirname, '..', '..');
const HEAVY = /^(@tensorflow\/|sharp$|webgpu$|undici$|node_modules\/tar\/)/;

/** Output files reached from `start` through static imports. */
function staticClosure(meta: Metafile, start: string[]): Set<string> {
  const seen = new Set<string>();
  const todo = [...start];
  while (todo.length) {
    const f = todo.pop()!;
    if (seen.has(f)) continue;
    seen.add(f);
    for (const i of meta.outputs[f].imports) if (!i.external && i.kind === 'import-statement') todo.push(i.path);
  }
  return seen;
}

/** The chain of static imports from `from` to a module matching `to`, in source files. */
function chain(meta: Metafile, from: string, to: RegExp): string[] | undefined {
  const prev = new Map<string, string | null>([[from, null]]);
  const queue = [from];
  while (queue.length) {
    const f = queue.shift()!;
    for (const i of meta.inputs[f]?.imports ?? []) {
      if (i.kind !== 'import-statement' || prev.has(i.path)) continue;
      prev.set(i.path, f);
      if (to.test(i.path)) {
        const path = [i.path];
        for (let c: string | null | undefined = f; c; c = prev.get(c)) path.unshift(c);
        return path;
      }
      if (!i.external) queue.push(i.path);
    }
  }
  return undefined;
}

describe("dive's start-up imports", () => {
  const dir = tempDir();
  let meta: Metafile;
  before(async () => {
    const { buildBundles } = (await import(join(ROOT, 'src-main', 'build', 'bundles.mjs'))) as { buildBundles: (out: string) => Promise<{ metafile: Metafile }> };
    ({ metafile: meta } = await buildBundles(join(dir, 'out')));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('leave TF.js, sharp, webgpu, undici and tar to import()', () => {
    const outputs = Object.keys(meta.outputs);
    const entry = outputs.find((o) => o.endsWith('/cli/dive.mjs'))!;
    const cli = outputs.find((o) => meta.outputs[o].inputs['src-main/cli/main.ts'])!;
    assert.ok(entry && cli, 'the build has the CLI entry and the CLI');
    // the entry loads the CLI with import(), so that a broken installation is one line
    assert.ok(meta.outputs[entry].imports.some((i) => i.path === cli && i.kind === 'dynamic-import'));
    const loaded = staticClosure(meta, [entry, cli]);
    const heavy = [...loaded].flatMap((o) => [
      ...meta.outputs[o].imports.filter((i) => i.external && i.kind === 'import-statement' && HEAVY.test(i.path)).map((i) => i.path),
      ...Object.keys(meta.outputs[o].inputs).filter((i) => HEAVY.test(i)),
    ]);
    const first = heavy[0];
    assert.equal(
      first,
      undefined,
      first && `dive loads ${first} at start: ${chain(meta, 'src-main/cli/main.ts', new RegExp(`^${first.replace(/[/.]/g, '\\$&')}$`))?.join(' -> ')}; import it with await import() where it is used`,
    );
  });

  it('while the build still holds them, behind import()', () => {
    // not vacuous: the same build does reach each of them (the worker, the commands that need them)
    const everywhere = Object.values(meta.outputs).flatMap((o) => [...o.imports.filter((i) => i.external).map((i) => i.path), ...Object.keys(o.inputs)]);
    for (const p of ['@tensorflow/tfjs-core', 'sharp', 'webgpu', 'undici']) assert.ok(everywhere.includes(p), p);
    assert.ok(everywhere.some((p) => p.startsWith('node_modules/tar/')), 'tar is bundled');
  });
});
