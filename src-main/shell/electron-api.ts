// The narrow part of Electron's API that the shell's testable modules take (ipc.ts, spawner.ts,
// preload-api.ts), so tests can pass small fakes. They are not trusted copies: main.ts and
// preload.ts hand Electron's real objects (typed by the electron devDependency) to those modules,
// so tsc checks every shape here against Electron's own types.

export interface IpcMainInvokeEventLike {
  sender: WebContentsLike;
  /** the frame that sent the message (null once it navigated away or was destroyed) */
  senderFrame: { url: string } | null;
}

export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcMainInvokeEventLike, ...args: unknown[]) => unknown): void;
  removeHandler(channel: string): void;
}

export interface WebContentsLike {
  id: number;
  send(channel: string, ...args: unknown[]): void;
  isDestroyed(): boolean;
  once(event: 'destroyed', listener: () => void): void;
}

export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): void;
  removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void): void;
}

/** Electron's UtilityProcess (a Node child process managed by Chromium's service model). */
export interface UtilityProcessChildLike {
  pid: number | undefined;
  on(event: 'message', listener: (message: unknown) => void): void;
  on(event: 'exit', listener: (code: number) => void): void;
  on(event: 'spawn', listener: () => void): void;
  on(event: 'error', listener: (type: string, location: string) => void): void;
  kill(): boolean;
}

export interface UtilityProcessLike {
  fork(modulePath: string, args?: string[], options?: { env?: Record<string, string | undefined>; stdio?: 'inherit' | 'pipe' | 'ignore'; serviceName?: string }): UtilityProcessChildLike;
}
