// A stand-in for the electron module, for running the bundled main process (out/main/index.js) in
// plain Node: it records what the app asks of Electron, then plays a short session against it
// (load the page, a few IPC calls, a navigation attempt, quit) and prints a JSON report.
const { EventEmitter } = require('node:events');
const { fork } = require('node:child_process');

const report = { forks: [], sent: [], external: [] };
const appEvents = new EventEmitter();
const ipcHandlers = new Map();
let protocolHandler = null;
let permissionHandler = null;
let windows = [];
let nextId = 1;

function finish() {
  process.stdout.write('\nREPORT ' + JSON.stringify(report) + '\n');
  process.exit(0);
}

const app = {
  requestSingleInstanceLock: () => true,
  setName: (n) => (report.name = n),
  enableSandbox: () => (report.sandboxAll = true),
  getPath: (n) => (n === 'appData' ? process.env.FAKE_APPDATA : report.userData),
  setPath: (n, p) => n === 'userData' && (report.userData = p),
  whenReady: () => new Promise((r) => setTimeout(r, 5)).then(() => setTimeout(() => scenario().catch((e) => { report.error = String(e.stack); finish(); }), 5)),
  on: (ev, fn) => appEvents.on(ev, fn),
  quit() {
    let prevented = false;
    appEvents.emit('before-quit', { preventDefault: () => (prevented = true) });
    if (!prevented) finish();
  },
  exit: finish,
};

class WebContents extends EventEmitter {
  constructor() {
    super();
    this.id = nextId++;
  }
  send(channel, e) {
    report.sent.push([channel, e]);
  }
  isDestroyed() {
    return false;
  }
  setWindowOpenHandler(h) {
    this.openHandler = h;
  }
  downloadURL(url) {
    (report.downloads ??= []).push(url);
  }
}

class BrowserWindow extends EventEmitter {
  constructor(options) {
    super();
    report.windowOptions = options;
    this.webContents = new WebContents();
    appEvents.emit('web-contents-created', {}, this.webContents);
    windows.push(this);
  }
  loadURL(url) {
    report.loaded = url;
    setTimeout(() => this.emit('ready-to-show'), 1);
    return Promise.resolve();
  }
  show() {
    report.shown = true;
  }
  focus() {}
  restore() {}
  isMinimized() {
    return false;
  }
}

const electron = {
  app,
  BrowserWindow,
  ipcMain: { handle: (c, fn) => ipcHandlers.set(c, fn), removeHandler: (c) => ipcHandlers.delete(c) },
  protocol: {
    registerSchemesAsPrivileged: (s) => (report.schemes = s),
    handle: (scheme, fn) => {
      report.protocolScheme = scheme;
      protocolHandler = fn;
    },
  },
  session: { defaultSession: { setPermissionRequestHandler: (h) => (permissionHandler = h), setPermissionCheckHandler: (h) => (report.permissionCheck = h()) } },
  shell: { openExternal: async (u) => report.external.push(u) },
  utilityProcess: {
    fork(path, args, o) {
      report.forks.push({ path, serviceName: o.serviceName });
      const child = fork(path, args, { env: o.env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'advanced' });
      return {
        get pid() {
          return child.pid;
        },
        on(ev, fn) {
          if (ev === 'exit') child.on('exit', (code) => fn(code ?? -1));
          else if (ev === 'message') child.on('message', fn);
          else if (ev === 'spawn') child.on('spawn', fn);
        },
        kill: () => child.kill(),
      };
    },
  },
};

async function scenario() {
  const win = windows[0];
  const page = await protocolHandler({ url: 'app://dive/index.html' });
  report.page = { status: page.status, csp: page.headers.get('content-security-policy'), body: await page.text() };
  const escape = await protocolHandler({ url: 'app://dive/../package.json' });
  report.escapeStatus = escape.status;
  const call = (name, args, url = 'app://dive/index.html') => ipcHandlers.get('dive:call')({ sender: win.webContents, senderFrame: { url } }, name, args);
  report.info = await call('info', undefined);
  report.imported = await call('importDataset', { request: { format: 'idx', name: 'tiny', ...JSON.parse(process.env.FAKE_IDX) }, job: 'j1' });
  report.bad = await call('getDataset', { name: '' });
  report.foreign = await call('info', undefined, 'https://evil.example/');
  let blocked = false;
  win.webContents.emit('will-navigate', { preventDefault: () => (blocked = true) }, 'https://evil.example/');
  let blockedApp = false;
  win.webContents.emit('will-navigate', { preventDefault: () => (blockedApp = true) }, 'app://dive/index.html#/runs');
  let blockedDownload = false;
  win.webContents.emit('will-navigate', { preventDefault: () => (blockedDownload = true) }, 'app://dive/api/download/abc');
  report.navigation = { remoteBlocked: blocked, appBlocked: blockedApp, downloadTurnedIntoDownload: blockedDownload };
  const gone = await protocolHandler({ url: 'app://dive/api/download/abc' });
  report.unknownDownload = { status: gone.status, body: await gone.text() };
  report.windowOpen = [win.webContents.openHandler({ url: 'https://arxiv.org/abs/2103.15042' }), win.webContents.openHandler({ url: 'file:///etc/passwd' })];
  report.permission = await new Promise((r) => permissionHandler(win.webContents, 'media', r));
  app.quit();
}

module.exports = electron;
