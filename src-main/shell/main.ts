// Electron main process: one window on app://dive/, the core behind one IPC channel, training in
// utility processes. Kept small: the security settings, the IPC handler, the protocol and the
// worker spawner live in their own modules (tested without Electron).
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDispatcher } from '../core/app/dispatch';
import { openStore } from '../core/store/store';
import { registerIpc } from './ipc';
import { appResponse, downloadResponse, isAppDownloadUrl } from './protocol';
import { APP_INDEX, APP_SCHEME, isAppUrl, isExternalLink, webPreferences } from './security';
import { utilitySpawner } from './spawner';

// electron's own types (a devDependency); required, not imported, so the bundle keeps it external
const electron: typeof import('electron') = createRequire(import.meta.url)('electron');
const { app, BrowserWindow, ipcMain, protocol, session, shell, utilityProcess } = electron;
// out/main/index.js → out/preload/index.cjs, out/worker/index.mjs, out/renderer/
const OUT = join(dirname(fileURLToPath(import.meta.url)), '..');

app.setName('dive-workbench');
// every renderer sandboxed, whatever a window's options say
app.enableSandbox();
// the folder `dive` uses by default too (src-main/core/paths.ts), so the CLI and the app share a store
app.setPath('userData', join(app.getPath('appData'), 'dive-workbench'));
protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  let window: InstanceType<typeof BrowserWindow> | null = null;
  const store = openStore({ db: join(app.getPath('userData'), 'dive.sqlite') });
  const dispatcher = createDispatcher(store, { frontDoor: 'electron', spawn: utilitySpawner(utilityProcess, join(OUT, 'worker', 'index.mjs')) });
  const bridge = registerIpc(ipcMain, dispatcher);

  app.on('web-contents-created', (_e, contents) => {
    contents.on('will-navigate', (e, url) => {
      // Electron may treat a click on an <a download> link as a navigation (electron#44375): turn
      // it into a download, which (no save path set) opens the native save dialog
      if (isAppDownloadUrl(url)) {
        e.preventDefault();
        contents.downloadURL(url);
      } else if (!isAppUrl(url)) e.preventDefault();
    });
    contents.on('will-redirect', (e, url) => {
      if (!isAppUrl(url)) e.preventDefault();
    });
    contents.on('will-attach-webview', (e) => e.preventDefault());
    contents.setWindowOpenHandler(({ url }) => {
      if (isExternalLink(url)) void shell.openExternal(url);
      return { action: 'deny' };
    });
  });

  const open = () => {
    window = new BrowserWindow({ width: 1360, height: 860, minWidth: 900, minHeight: 600, show: false, title: 'DiVE Workbench', webPreferences: webPreferences(join(OUT, 'preload', 'index.cjs')) });
    const w = window;
    bridge.attach(w.webContents);
    w.once('ready-to-show', () => w.show());
    w.once('closed', () => (window = null));
    void w.loadURL(APP_INDEX);
  };

  app.on('second-instance', () => {
    if (!window) return;
    if (window.isMinimized()) window.restore();
    window.focus();
  });
  app.on('window-all-closed', () => app.quit());
  let closed = false;
  app.on('before-quit', (e) => {
    if (closed) return;
    // running runs are cancelled after their batch (resumable), and the store is closed, before exit
    e.preventDefault();
    closed = true;
    void dispatcher
      .close()
      .finally(() => {
        bridge.dispose();
        store.close();
        app.quit();
      });
  });

  void app.whenReady().then(() => {
    // the workbench needs no camera, notifications, geolocation, ...
    session.defaultSession.setPermissionRequestHandler((_wc, _permission, cb) => cb(false));
    session.defaultSession.setPermissionCheckHandler(() => false);
    const rendererDir = join(OUT, 'renderer');
    protocol.handle(APP_SCHEME, (req) => {
      // an export the page prepared: streamed as an attachment, so Electron asks where to save it
      const download = downloadResponse(req.url, (id) => dispatcher.takeExport(id));
      if (download) return download;
      const r = appResponse(rendererDir, req.url);
      return new Response(new Uint8Array(r.body), { status: r.status, headers: r.headers });
    });
    open();
    app.on('activate', () => {
      if (!window) open();
    });
  });
}
