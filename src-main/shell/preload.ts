// Preload of the app window (sandboxed: bundled to CommonJS, it may require only 'electron').
import type { ContextBridgeLike, IpcRendererLike } from './electron-api';
import { createDiveBridge } from './preload-api';

const { contextBridge, ipcRenderer } = require('electron') as { contextBridge: ContextBridgeLike; ipcRenderer: IpcRendererLike };
contextBridge.exposeInMainWorld('dive', createDiveBridge(ipcRenderer));
