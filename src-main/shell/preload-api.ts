// What the preload script exposes as window.dive: the DiveBridge (call, subscribe) over the one IPC
// channel; no ipcRenderer, no Node, nothing else reaches the page. `call` answers the envelope
// itself (result, or error line and problems): an Error thrown across Electron's context bridge
// keeps only its message, so the renderer unwraps it (src-renderer/lib/api.ts).
import type { ApiEvent, CallEnvelope, DiveBridge } from '../core/domain/contract';
import type { IpcRendererLike } from './electron-api';

// the channel names of ipc.ts, repeated: the sandboxed preload bundle must not pull in main-process code
const CALL_CHANNEL = 'dive:call';
const EVENT_CHANNEL = 'dive:event';

export function createDiveBridge(ipc: IpcRendererLike): DiveBridge {
  return {
    async call(name, args) {
      return (await ipc.invoke(CALL_CHANNEL, name, args)) as CallEnvelope;
    },
    subscribe(fn: (e: ApiEvent) => void) {
      const listener = (_event: unknown, e: unknown) => fn(e as ApiEvent);
      ipc.on(EVENT_CHANNEL, listener);
      return () => ipc.removeListener(EVENT_CHANNEL, listener);
    },
  };
}
