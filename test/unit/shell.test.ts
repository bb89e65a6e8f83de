// The Electron shell's logic without Electron: the IPC handler (sender check, validation through
// the dispatcher, error envelope, event forwarding), the preload bridge (exactly call and
// subscribe), the app:// protocol, the window's security settings, the utility-process spawner.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ApiEvent } from '../../src-main/core/domain/contract';
import type { Dispatcher } from '../../src-main/core/app/dispatch';
import { createDispatcher } from '../../src-main/core/app/dispatch';
import type { IpcMainInvokeEventLike, IpcMainLike, UtilityProcessChildLike, WebContentsLike } from '../../src-main/shell/electron-api';
import { CALL_CHANNEL, EVENT_CHANNEL, registerIpc, type Envelope } from '../../src-main/shell/ipc';
import { createDiveBridge } from '../../src-main/shell/preload-api';
import { appResponse } from '../../src-main/shell/protocol';
import { isAppUrl, isExternalLink, webPreferences } from '../../src-main/shell/security';
import { utilitySpawner } from '../../src-main/shell/spawner';
import { tempStore, type TempStore } from '../helpers/fixtures';

type Handler = (event: IpcMainInvokeEventLike, ...args: unknown[]) => unknown;

class FakeIpcMain implements IpcMainLike {
  handlers = new Map<string, Handler>();
  handle(channel: string, listener: Handler) {
    assert.ok(!this.handlers.has(channel), 'one handler per channel');
    this.handlers.set(channel, listener);
  }
  removeHandler(channel: string) {
    this.handlers.delete(channel);
  }
}

class FakeContents extends EventEmitter implements WebContentsLike {
  sent: [string, unknown][] = [];
  destroyed = false;
  constructor(public id: number) {
    super();
  }
  send(channel: string, ...args: unknown[]) {
    this.sent.push([channel, args[0]]);
  }
  isDestroyed() {
    return this.destroyed;
  }
}

describe('IPC handler', () => {
  let t: TempStore;
  let d: Dispatcher;
  const ipc = new FakeIpcMain();
  const win = new FakeContents(1);
  const logs: string[] = [];
  const invoke = (name: unknown, args: unknown, o: { url?: string | null; sender?: FakeContents } = {}) =>
    ipc.handlers.get(CALL_CHANNEL)!(
      { sender: o.sender ?? win, senderFrame: o.url === null ? null : { url: o.url ?? 'app://dive/index.html' } },
      name,
      args,
    ) as Promise<Envelope>;

  before(() => {
    t = tempStore();
    d = createDispatcher(t.store, { frontDoor: 'electron' });
    registerIpc(ipc, d, (l) => logs.push(l)).attach(win);
  });
  after(async () => {
    await d.close();
    t.cleanup();
  });

  it('answers a call from the app window through the dispatcher', async () => {
    assert.deepEqual(await invoke('listDatasets', undefined), { ok: true, result: [] });
    const info = await invoke('info', undefined);
    assert.ok(info.ok && (info.result as { frontDoor: string }).frontDoor === 'electron');
  });

  it('returns validation and user errors as one line, never a stack', async () => {
    assert.deepEqual(await invoke('getSplit', { name: '' }), { ok: false, error: 'name: must not be empty', problems: [{ path: ['name'], message: 'must not be empty' }] });
    assert.deepEqual(await invoke('getSplit', { name: 's', more: true }), { ok: false, error: 'unknown field "more"', problems: [{ path: [], message: 'unknown field "more"' }] });
    assert.deepEqual(await invoke('spawnShell', {}), { ok: false, error: 'unknown call "spawnShell"' });
    assert.deepEqual(await invoke({ toString: () => 'x' }, {}), { ok: false, error: 'unknown call "x"' });
    assert.deepEqual(logs, []);
  });

  it('refuses frames that are not the app, and windows it was not attached to', async () => {
    for (const url of ['https://evil.example/', 'file:///etc/passwd', 'app://other/index.html', 'about:blank', '']) {
      assert.deepEqual(await invoke('listDatasets', undefined, { url }), { ok: false, error: 'refused: this page may not call the workbench' }, url);
    }
    assert.equal((await invoke('listDatasets', undefined, { url: null })).ok, false);
    assert.equal((await invoke('listDatasets', undefined, { sender: new FakeContents(99) })).ok, false);
  });

  it('forwards events to attached windows until they are destroyed', () => {
    const listeners = new Set<(e: ApiEvent) => void>();
    const fake: Dispatcher = {
      call: () => Promise.reject(new Error('not called')),
      callRaw: async () => null,
      runEnded: () => Promise.reject(new Error('not called')),
      idle: () => Promise.resolve(),
      subscribe: (fn) => (listeners.add(fn), () => listeners.delete(fn)),
      close: async () => {},
      takeExport: () => null,
    };
    const main = new FakeIpcMain();
    const bridge = registerIpc(main, fake);
    const a = new FakeContents(1);
    const b = new FakeContents(2);
    bridge.attach(a);
    bridge.attach(b);
    const e1: ApiEvent = { type: 'changed', what: 'runs' };
    listeners.forEach((fn) => fn(e1));
    assert.deepEqual(a.sent, [[EVENT_CHANNEL, e1]]);
    assert.deepEqual(b.sent, [[EVENT_CHANNEL, e1]]);
    b.destroyed = true;
    b.emit('destroyed');
    const e2: ApiEvent = { type: 'progress', job: 'j', phase: 'decode', done: 1, total: 2 };
    listeners.forEach((fn) => fn(e2));
    assert.deepEqual(a.sent, [[EVENT_CHANNEL, e1], [EVENT_CHANNEL, e2]]);
    assert.equal(b.sent.length, 1);
    bridge.dispose();
    assert.equal(listeners.size, 0, 'dispose unsubscribes');
    assert.equal(main.handlers.size, 0, 'dispose removes the handler');
  });
});

describe('preload bridge', () => {
  class FakeIpcRenderer extends EventEmitter {
    invoked: unknown[][] = [];
    reply: unknown = { ok: true, result: 42 };
    async invoke(...args: unknown[]) {
      this.invoked.push(args);
      return this.reply;
    }
  }

  it('exposes exactly call and subscribe', () => {
    const api = createDiveBridge(new FakeIpcRenderer());
    assert.deepEqual(Object.keys(api).sort(), ['call', 'subscribe']);
  });

  it('invokes the one channel and answers the envelope, problems included (an Error would lose them at the context bridge)', async () => {
    const ipc = new FakeIpcRenderer();
    const api = createDiveBridge(ipc);
    assert.deepEqual(await api.call('getRun', { name: 'r' }), { ok: true, result: 42 });
    assert.deepEqual(ipc.invoked, [[CALL_CHANNEL, 'getRun', { name: 'r' }]]);
    const refused = { ok: false, error: 'no run named "r"', problems: [{ path: [], message: 'no run named "r"' }] };
    ipc.reply = refused;
    assert.deepEqual(await api.call('getRun', { name: 'r' }), refused);
  });

  it('delivers events until unsubscribed', () => {
    const ipc = new FakeIpcRenderer();
    const api = createDiveBridge(ipc);
    const got: ApiEvent[] = [];
    const off = api.subscribe((e) => got.push(e));
    ipc.emit(EVENT_CHANNEL, {}, { type: 'changed', what: 'splits' });
    off();
    ipc.emit(EVENT_CHANNEL, {}, { type: 'changed', what: 'runs' });
    assert.deepEqual(got, [{ type: 'changed', what: 'splits' }]);
    assert.equal(ipc.listenerCount(EVENT_CHANNEL), 0);
  });
});

describe('app:// protocol and window settings', () => {
  let t: TempStore;
  before(() => {
    t = tempStore();
    mkdirSync(join(t.dir, 'ui', 'assets'), { recursive: true });
    writeFileSync(join(t.dir, 'ui', 'index.html'), '<!doctype html>');
    writeFileSync(join(t.dir, 'ui', 'assets', 'a.css'), 'body{}');
    writeFileSync(join(t.dir, 'secret.txt'), 'no');
  });
  after(() => t.cleanup());

  it('serves the renderer with the CSP, and nothing outside it', () => {
    const ui = join(t.dir, 'ui');
    const index = appResponse(ui, 'app://dive/');
    assert.equal(index.status, 200);
    assert.equal(index.body.toString(), '<!doctype html>');
    assert.match(index.headers['Content-Security-Policy'], /^default-src 'self'; script-src 'self';/);
    assert.equal(appResponse(ui, 'app://dive/assets/a.css').headers['Content-Type'], 'text/css; charset=utf-8');
    for (const u of ['app://dive/../secret.txt', 'app://dive/%2e%2e/secret.txt', 'app://dive/assets/..%2f..%2fsecret.txt', 'app://other/index.html']) {
      assert.equal(appResponse(ui, u).status, 404, u);
    }
    assert.equal(appResponse(join(t.dir, 'none'), 'app://dive/').status, 503);
  });

  it('turns on the checklist settings', () => {
    const w = webPreferences('/x/preload.cjs');
    assert.equal(w.contextIsolation, true);
    assert.equal(w.sandbox, true);
    assert.equal(w.nodeIntegration, false);
    assert.equal(w.webSecurity, true);
    assert.equal(w.webviewTag, false);
    assert.ok(isAppUrl('app://dive/index.html') && isAppUrl('app://dive/#/runs'));
    assert.ok(!isAppUrl('app://dive.evil/') && !isAppUrl('https://dive/') && !isAppUrl('file:///x') && !isAppUrl('not a url'));
    assert.ok(isExternalLink('https://arxiv.org/abs/2103.15042'));
    assert.ok(!isExternalLink('http://example.com') && !isExternalLink('file:///etc/passwd') && !isExternalLink('javascript:alert(1)'));
  });
});

describe('utility-process spawner', () => {
  class FakeChild extends EventEmitter implements UtilityProcessChildLike {
    pid: number | undefined = undefined;
    kills = 0;
    kill() {
      this.kills++;
      return true;
    }
  }

  it('passes the job in the environment and relays messages and exit', () => {
    const forks: { path: string; env: Record<string, string | undefined> | undefined; child: FakeChild }[] = [];
    const spawn = utilitySpawner(
      {
        fork(path, _args, o) {
          const child = new FakeChild();
          forks.push({ path, env: o?.env, child });
          return child;
        },
      },
      '/app/out/worker/index.mjs',
    );
    const h = spawn({ dbPath: '/d/dive.sqlite', dataDir: '/d/data', kind: 'train', runId: 7 });
    assert.equal(forks[0].path, '/app/out/worker/index.mjs');
    assert.deepEqual(JSON.parse(forks[0].env!.DIVE_WORKER_JOB!), { dbPath: '/d/dive.sqlite', dataDir: '/d/data', kind: 'train', runId: 7 });
    forks[0].child.pid = 1234;
    assert.equal(h.pid, 1234, 'pid is read when asked: a utility process has one only once spawned');
    const msgs: unknown[] = [];
    const exits: unknown[] = [];
    h.onMessage((m) => msgs.push(m));
    h.onExit((code, signal) => exits.push([code, signal]));
    forks[0].child.emit('message', { type: 'result', result: 1 });
    h.kill();
    forks[0].child.emit('exit', 0);
    h.kill();
    assert.deepEqual(msgs, [{ type: 'result', result: 1 }]);
    assert.deepEqual(exits, [[0, null]]);
    assert.equal(forks[0].child.kills, 1, 'no kill after exit');
  });
});
