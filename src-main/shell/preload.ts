// Preload of the app window (sandboxed: bundled to CommonJS, it may require only 'electron').
import type { ContextBridgeLike, IpcRendererLike } from './electron-api';
import { createDiveBridge } from './preload-api';

// a sandboxed preload is CommonJS and may only require('electron'): an import would be bundled
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { contextBridge, ipcRenderer } = require('electron') as { contextBridge: ContextBridgeLike; ipcRenderer: IpcRendererLike };
contextBridge.exposeInMainWorld('dive', createDiveBridge(ipcRenderer));
