// The transport: Electron's preload bridge (window.dive) when present, else the web server's
// HTTP + server-sent events, authorised by the session cookie that loading the address `dive
// serve` printed (`/?token=…`) set (HttpOnly: this code never sees the token).
import type { ApiEvent, Args, CallEnvelope, CallName, DiveApi, DiveBridge, Results } from '../../src-main/core/domain/contract';
import { ApiError, unwrap } from './api-error';
import { stripToken } from './route';

export { ApiError, message, unwrap } from './api-error';

declare global {
  interface Window {
    dive?: DiveBridge;
  }
}

/** What the page says when the server does not know this browser (no session cookie, or a stale one). */
export function noSessionMessage(origin: string): string {
  return `This browser has no session with the workbench at ${origin}. Open the address that dive serve printed (${origin}/?token=…) once in this browser: links opened afterwards, in new tabs too, need no token. If the server was restarted, it printed a new address with a new token.`;
}

/**
 * An address from before the session cookie carried the token in its hash (`#token=T`,
 * `#/runs/x?token=T`): the server is asked to turn it into the cookie (`/?token=T`), keeping the
 * screen the address names. True when the page is leaving for that address.
 */
function signInFromHash(): boolean {
  const { hash, token } = stripToken(location.hash);
  if (!token) return false;
  location.replace(`${location.pathname}?token=${encodeURIComponent(token)}${hash}`);
  return true;
}

/** The desktop app's bridge as the typed API. */
function bridgeApi(bridge: DiveBridge): DiveApi {
  return {
    call: async <K extends CallName>(name: K, args: Args<K>) => unwrap((await bridge.call(name, args)) as CallEnvelope<Results[K]>),
    subscribe: (fn) => bridge.subscribe(fn),
  };
}

function httpApi(): DiveApi {
  const listeners = new Set<(e: ApiEvent) => void>();
  let source: EventSource | null = null;
  const connect = () => {
    let opened = false;
    // same-origin: the browser sends the session cookie, and no token is in the stream's URL
    source = new EventSource('/api/events');
    // EventSource reconnects by itself; events sent while it was away are lost, so reload the lists
    source.onopen = () => {
      if (opened) for (const what of ['datasets', 'splits', 'runs'] as const) listeners.forEach((fn) => fn({ type: 'changed', what }));
      opened = true;
    };
    source.onmessage = (m) => {
      let e: ApiEvent;
      try {
        e = JSON.parse(m.data) as ApiEvent;
      } catch {
        return;
      }
      listeners.forEach((fn) => fn(e));
    };
  };
  return {
    async call<K extends CallName>(name: K, args: Args<K>): Promise<Results[K]> {
      let res: Response;
      try {
        res = await fetch(`/api/${name}`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify(args ?? {}),
        });
      } catch {
        throw new ApiError('The workbench server is not reachable. Is `dive serve` still running?');
      }
      if (res.status === 401) throw new ApiError(noSessionMessage(location.origin), [], 401);
      let body: CallEnvelope<Results[K]>;
      try {
        body = await res.json();
      } catch {
        throw new ApiError(`The server answered ${res.status} ${res.statusText} without a readable body.`);
      }
      return unwrap(body);
    },
    subscribe(fn) {
      listeners.add(fn);
      if (!source) connect();
      return () => listeners.delete(fn);
    },
  };
}

/** The API for this page; null while the page leaves to sign in with a token from its hash. */
export function connectApi(): DiveApi | null {
  if (window.dive) return bridgeApi(window.dive);
  if (signInFromHash()) return null;
  return httpApi();
}
