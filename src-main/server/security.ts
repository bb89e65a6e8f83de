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
 * The token of a request: Authorization: Bearer or x-dive-token; ?token= only where `queryAllowed`
 * (the event stream: EventSource cannot set headers). A token in a URL ends up in logs and history.
 */
export function requestToken(req: IncomingMessage, url: URL, queryAllowed = false): string | undefined {
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice(7).trim();
  const header = req.headers['x-dive-token'];
  if (typeof header === 'string') return header;
  return queryAllowed ? (url.searchParams.get('token') ?? undefined) : undefined;
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
