// What the preload script exposes as window.dive: exactly the typed DiveApi (call, subscribe) over
// the one IPC channel; no ipcRenderer, no Node, nothing else reaches the page.
import type { ApiEvent, DiveApi } from '../core/domain/contract';
import type { IpcRendererLike } from './electron-api';

// the channel names of ipc.ts, repeated: the sandboxed preload bundle must not pull in main-process code
const CALL_CHANNEL = 'dive:call';
const EVENT_CHANNEL = 'dive:event';

type Envelope = { ok: true; result: unknown } | { ok: false; error: string };

export function createDiveBridge(ipc: IpcRendererLike): DiveApi {
  return {
    async call(name, args) {
      const r = (await ipc.invoke(CALL_CHANNEL, name, args)) as Envelope;
      if (!r.ok) throw new Error(r.error);
      return r.result as never;
    },
    subscribe(fn: (e: ApiEvent) => void) {
      const listener = (_event: unknown, e: unknown) => fn(e as ApiEvent);
      ipc.on(EVENT_CHANNEL, listener);
      return () => ipc.removeListener(EVENT_CHANNEL, listener);
    },
  };
}
