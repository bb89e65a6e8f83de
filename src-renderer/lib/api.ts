// The transport: Electron's preload bridge (window.dive) when present, else the web server's
// HTTP + server-sent events, authorised by the token `dive serve` put in the page URL.
import type { ApiEvent, Args, CallEnvelope, CallName, DiveApi, DiveBridge, Results } from '../../src-main/core/domain/contract';
import { ApiError, unwrap } from './api-error';
import { stripToken } from './route';

export { ApiError, message, unwrap } from './api-error';

declare global {
  interface Window {
    dive?: DiveBridge;
  }
}

const TOKEN_KEY = 'dive-token';

/**
 * Takes the token out of the visible URL (and history) into sessionStorage, keeping the rest of
 * the address (#/runs/x?token=T opens the run), so a copied address never carries it.
 */
export function takeToken(): string | null {
  const { hash, token } = stripToken(location.hash);
  if (token) {
    sessionStorage.setItem(TOKEN_KEY, token);
    history.replaceState(null, '', location.pathname + location.search + hash);
  }
  return sessionStorage.getItem(TOKEN_KEY);
}

/** The desktop app's bridge as the typed API. */
function bridgeApi(bridge: DiveBridge): DiveApi {
  return {
    call: async <K extends CallName>(name: K, args: Args<K>) => unwrap((await bridge.call(name, args)) as CallEnvelope<Results[K]>),
    subscribe: (fn) => bridge.subscribe(fn),
  };
}

function httpApi(token: string): DiveApi {
  const listeners = new Set<(e: ApiEvent) => void>();
  let source: EventSource | null = null;
  const connect = () => {
    let opened = false;
    source = new EventSource(`/api/events?token=${encodeURIComponent(token)}`);
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
          headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
          body: JSON.stringify(args ?? {}),
        });
      } catch {
        throw new ApiError('The workbench server is not reachable. Is `dive serve` still running?');
      }
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

/** The API for this page, or a message saying why there is none. */
export function connectApi(): DiveApi | string {
  if (window.dive) return bridgeApi(window.dive);
  const token = takeToken();
  if (!token) return 'This page needs the access token from `dive serve`. Open the full URL it printed (it ends in #token=…).';
  return httpApi(token);
}
