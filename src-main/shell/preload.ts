// Preload of the app window (sandboxed: bundled to CommonJS, it may require only 'electron').
import { createDiveBridge } from './preload-api';

// a sandboxed preload is CommonJS and may only require('electron'): an import would be bundled
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { contextBridge, ipcRenderer }: typeof import('electron') = require('electron');
contextBridge.exposeInMainWorld('dive', createDiveBridge(ipcRenderer));
