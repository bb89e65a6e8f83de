// `npm install`'s postinstall (src-main/cli/postinstall.mjs) against stand-in installs: Electron's
// downloader failing as it does without network, failing at a mirror, succeeding, or skipped; the
// tfjs-node packages present or dropped by npm. One line per thing skipped, never a failed install.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { tempDir } from '../helpers/fixtures';

interface Postinstall {
  postinstall(root: string, env: Record<string, string | undefined>, say: (line: string) => void): Promise<void>;
}
const { postinstall } = (await import(join(import.meta.dirname, '..', '..', 'src-main', 'cli', 'postinstall.mjs'))) as Postinstall;

/** A project whose electron package has the given install.js (what `npx install-electron` runs). */
function project(installJs: string, { tfjsNode = false } = {}): string {
  const root = tempDir();
  writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'p', optionalDependencies: { '@tensorflow/tfjs-node': '4.22.0', '@tensorflow/tfjs-node-gpu': '4.22.0' } }));
  const electron = join(root, 'node_modules', 'electron');
  mkdirSync(electron, { recursive: true });
  writeFileSync(join(electron, 'package.json'), '{"name":"electron","version":"45.6.1"}');
  writeFileSync(join(electron, 'install.js'), installJs);
  for (const name of tfjsNode ? ['tfjs-node', 'tfjs-node-gpu'] : []) {
    mkdirSync(join(root, 'node_modules', '@tensorflow', name), { recursive: true });
    writeFileSync(join(root, 'node_modules', '@tensorflow', name, 'package.json'), `{"name":"@tensorflow/${name}"}`);
  }
  return root;
}

async function lines(root: string, env: Record<string, string | undefined> = {}): Promise<string[]> {
  const out: string[] = [];
  await postinstall(root, { PATH: process.env.PATH, ...env }, (l) => out.push(l));
  return out;
}

// what electron's install.js prints when fetch() cannot connect: the stack of "TypeError: fetch failed"
const FETCH_FAILED = "console.error('TypeError: fetch failed\\n    at node:internal/deps/undici/undici:1:1'); process.exit(1);";
const INSTALLS = `require('fs').mkdirSync(__dirname + '/dist'); require('fs').writeFileSync(__dirname + '/dist/electron', ''); require('fs').writeFileSync(__dirname + '/path.txt', 'electron');`;

describe('npm install: postinstall', () => {
  const roots: string[] = [];
  const mk = (js: string, o?: { tfjsNode?: boolean }) => {
    const r = project(js, o);
    roots.push(r);
    return r;
  };
  after(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

  it('says in one line that Electron was skipped, the host it could not reach, and how to get it later', async () => {
    // .invalid never resolves (RFC 2606), online or not
    const out = await lines(mk(FETCH_FAILED, { tfjsNode: true }), { ELECTRON_MIRROR: 'https://mirror.invalid/electron/' });
    assert.equal(out.length, 1, out.join('\n'));
    assert.match(out[0], /^Electron's binary is not installed \(the download failed: mirror\.invalid cannot be reached \(E[A-Z_]+\)\): the desktop app needs it and `npm start` opens the web mode instead; get it with `npx --no install-electron`/);
    assert.match(out[0], new RegExp(`unzip electron-v45\\.6\\.1-${process.platform}-${process.arch}\\.zip into a folder and set ELECTRON_OVERRIDE_DIST_PATH`));
    assert.doesNotMatch(out[0], /\n|at node:/);
  });

  it("quotes the downloader's own reason when it is not a connection failure", async () => {
    const out = await lines(mk("console.error('HTTPError: Response code 404 (Not Found) for https://m.example/v45.6.1/x.zip\\n    at f (x.js:1:1)'); process.exit(1);", { tfjsNode: true }));
    assert.equal(out.length, 1);
    assert.match(out[0], /\(the download failed: HTTPError: Response code 404 \(Not Found\) for https:\/\/m\.example\/v45\.6\.1\/x\.zip\)/);
  });

  it('says nothing about Electron once the download put the binary in place', async () => {
    assert.deepEqual(await lines(mk(INSTALLS, { tfjsNode: true })), []);
  });

  it('skips the download under ELECTRON_SKIP_BINARY_DOWNLOAD, and says so', async () => {
    const root = mk(`require('fs').writeFileSync(__dirname + '/ran', '');`, { tfjsNode: true });
    const out = await lines(root, { ELECTRON_SKIP_BINARY_DOWNLOAD: '1' });
    assert.deepEqual(out.length, 1);
    assert.match(out[0], /^Electron's binary is not installed \(ELECTRON_SKIP_BINARY_DOWNLOAD is set\)/);
    assert.equal(existsSync(join(root, 'node_modules', 'electron', 'ran')), false, 'the downloader must not run');
  });

  it('names the tfjs-node packages npm dropped, in one line, and the install goes on', async () => {
    const out = await lines(mk(INSTALLS));
    assert.equal(out.length, 1);
    assert.match(out[0], /^skipped @tensorflow\/tfjs-node and @tensorflow\/tfjs-node-gpu \(npm leaves them out when libtensorflow cannot be downloaded/);
    assert.match(out[0], /`npm install @tensorflow\/tfjs-node`/);
  });

  it('says nothing about Electron where the electron package is not installed (the CLI from npm)', async () => {
    const root = mk(INSTALLS, { tfjsNode: true });
    rmSync(join(root, 'node_modules', 'electron'), { recursive: true });
    assert.deepEqual(await lines(root), []);
  });
});
