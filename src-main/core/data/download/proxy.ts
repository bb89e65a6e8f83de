// Which proxy a download goes through, from the environment as curl and pip read it:
// HTTPS_PROXY for https:// addresses, HTTP_PROXY for http:// ones (lower-case names win), and
// NO_PROXY's comma-separated hosts or domain suffixes ("*" for all) going direct.
// Node 20's fetch ignores these variables, and undici 6's EnvHttpProxyAgent prints an
// "experimental" warning on every use, so the choice is made here and handed to undici's ProxyAgent.

export type ProxyEnv = Record<string, string | undefined>;

function envVar(env: ProxyEnv, name: string): string | undefined {
  const v = env[name.toLowerCase()] ?? env[name.toUpperCase()];
  return v && v.trim() ? v.trim() : undefined;
}

/** True when NO_PROXY names this host (exactly, as a domain suffix, or with "*"). */
export function bypassesProxy(host: string, port: string, noProxy: string | undefined): boolean {
  if (!noProxy) return false;
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  return noProxy.split(/[,\s]+/).filter(Boolean).some((raw) => {
    const entry = raw.toLowerCase();
    if (entry === '*') return true;
    const [name, entryPort] = entry.startsWith('[') ? [entry.slice(1, entry.indexOf(']')), entry.split(']:')[1]] : entry.split(':');
    if (entryPort && entryPort !== port) return false;
    const bare = name.replace(/^\*?\./, '');
    return h === bare || h.endsWith(`.${bare}`);
  });
}

/** The proxy URL for `url`, or null to connect directly. */
export function proxyFor(url: string, env: ProxyEnv = process.env): string | null {
  const u = new URL(url);
  const port = u.port || (u.protocol === 'https:' ? '443' : '80');
  if (bypassesProxy(u.hostname, port, envVar(env, 'no_proxy'))) return null;
  const proxy = u.protocol === 'https:' ? envVar(env, 'https_proxy') ?? envVar(env, 'http_proxy') : envVar(env, 'http_proxy');
  return proxy ?? null;
}
