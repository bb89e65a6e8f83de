// The web front door's defences. `dive serve` listens on loopback by default, but any web page the
// user visits can still send requests to 127.0.0.1: the per-launch token stops those (a page on
// another origin cannot read it), the Host check stops DNS rebinding (evil.example resolving to
// 127.0.0.1 makes the browser send "Host: evil.example"), and the Origin check refuses cross-site
// requests that carry one.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';

export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/** 127.0.0.0/8, ::1 and "localhost" (which a resolver may not map elsewhere for this to hold). */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (h.startsWith('::ffff:')) return isLoopback(h.slice(7));
  return false;
}

/** host:port as it appears in a Host header and a URL (IPv6 in brackets). */
export function hostPort(host: string, port: number): string {
  return `${isIP(host) === 6 ? `[${host}]` : host}:${port}`;
}

/**
 * The Host header values a request may carry. On loopback: the bound address and its usual names.
 * With --allow-remote on a wildcard address the server cannot know its public names: null means
 * any Host passes and the token alone guards the API.
 */
export function allowedHosts(bound: string, port: number): Set<string> | null {
  if (bound === '0.0.0.0' || bound === '::') return null;
  const names = new Set([hostPort(bound, port).toLowerCase()]);
  if (isLoopback(bound)) for (const n of ['127.0.0.1', 'localhost', '::1']) names.add(hostPort(n, port));
  return names;
}

export function hostAllowed(req: IncomingMessage, allowed: Set<string> | null): boolean {
  const host = req.headers.host?.toLowerCase();
  if (!host) return false;
  return allowed === null || allowed.has(host);
}

/** An Origin header, when a browser sends one, must be this server's own origin. */
export function originAllowed(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  return origin === `http://${req.headers.host}`;
}

/**
 * The token a request carries in a header: Authorization: Bearer or x-dive-token (scripts, the
 * CLI's tests). Never from the URL: a token in an address ends up in logs and history.
 */
export function headerToken(req: IncomingMessage): string | undefined {
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice(7).trim();
  const header = req.headers['x-dive-token'];
  return typeof header === 'string' ? header : undefined;
}

/**
 * The browser's session, as Jupyter keeps it: the first load of the address `dive serve` printed
 * (`/?token=T`) sets this cookie and redirects to the address without the token, so a copied link
 * opens in a new tab of the same browser with no token in it, and the event stream needs none in
 * its URL. HttpOnly: no script reads it. SameSite=Strict: no other site's page makes the browser
 * send it. Cookies are shared by every port of a host, so the name carries the port (two servers
 * on one machine keep their own). A session cookie: it ends with the browser session, and a new
 * launch (new token) makes it stale.
 */
export function sessionCookieName(port: number): string {
  return `dive_session_${port}`;
}

export function sessionCookie(port: number, token: string): string {
  return `${sessionCookieName(port)}=${token}; Path=/; HttpOnly; SameSite=Strict`;
}

/** The session cookie's value of a request, if it has one. */
export function cookieToken(req: IncomingMessage, port: number): string | undefined {
  const name = sessionCookieName(port);
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return part.slice(i + 1).trim();
  }
  return undefined;
}

/**
 * Cross-site request forgery: a request authorised by the cookie alone (the browser attaches it)
 * must show it comes from our own page. SameSite=Strict keeps other sites' requests cookie-less,
 * but another port of this host is the same site: so a state-changing (non-GET) request must also
 * carry an Origin header naming this server (browsers send one on every POST; originAllowed has
 * already refused any other origin), and the JSON Content-Type asks for a CORS preflight we never
 * grant. A GET (the event stream, read-only) needs no Origin.
 */
export function cookieRequestAllowed(req: IncomingMessage): boolean {
  if (req.method === 'GET' || req.method === 'HEAD') return true;
  return req.headers.origin !== undefined && originAllowed(req);
}

export function tokenMatches(given: string | undefined, token: string): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * The UI is a vite build of plain module scripts and CSS files: no inline script, no eval, no inline
 * style (the renderer sets sizes through the CSSOM, which CSP allows); images may be data:/blob: URLs
 * (thumbnails drawn from pixel arrays).
 */
export const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy': CSP,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Permissions-Policy': 'camera=(), microphone=(), geolocation=()',
};
