// The one IPC channel of the desktop app. The renderer invokes `dive:call` with (name, args); the
// answer is an envelope {ok:true, result} | {ok:false, error} (one line, never a stack), the same as
// the web API's. Events go to every app window on `dive:event`. Only frames showing the app's own
// pages (app://dive/...) may call: a frame that navigated elsewhere, or an embedded one, is refused.
import type { Dispatcher } from '../core/app/dispatch';
import type { CallEnvelope } from '../core/domain/contract';
import { failure } from '../core/domain/describe-error';
import { isInputError } from '../core/domain/errors';
import type { IpcMainLike, WebContentsLike } from './electron-api';
import { isAppUrl } from './security';

export const CALL_CHANNEL = 'dive:call';
export const EVENT_CHANNEL = 'dive:event';

export type Envelope = CallEnvelope;

export interface IpcBridge {
  /** starts forwarding events to a window's contents until it is destroyed */
  attach(contents: WebContentsLike): void;
  dispose(): void;
}

export function registerIpc(ipcMain: IpcMainLike, dispatcher: Dispatcher, log: (line: string) => void = (l) => process.stderr.write(l + '\n')): IpcBridge {
  const targets = new Map<number, WebContentsLike>();
  ipcMain.handle(CALL_CHANNEL, async (event, name, args): Promise<Envelope> => {
    const url = event.senderFrame?.url ?? '';
    if (!isAppUrl(url) || !targets.has(event.sender.id)) return { ok: false, error: 'refused: this page may not call the workbench' };
    try {
      return { ok: true, result: await dispatcher.callRaw(String(name), args) };
    } catch (e) {
      if (!isInputError(e)) log(`dive: ${String(name)}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      return failure(e);
    }
  });
  const unsubscribe = dispatcher.subscribe((e) => {
    for (const [id, wc] of targets) {
      if (wc.isDestroyed()) targets.delete(id);
      else wc.send(EVENT_CHANNEL, e);
    }
  });
  return {
    attach(contents) {
      targets.set(contents.id, contents);
      contents.once('destroyed', () => targets.delete(contents.id));
    },
    dispose() {
      unsubscribe();
      ipcMain.removeHandler(CALL_CHANNEL);
      targets.clear();
    },
  };
}
