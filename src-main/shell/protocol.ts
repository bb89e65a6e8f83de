// Serves the built renderer on app://dive/ (registered as a standard, secure scheme), with the CSP
// and the same path rules as the web server: nothing outside out/renderer is reachable.
import { contentType, readStatic, rendererBuilt, resolveStatic } from '../server/static';
import { SECURITY_HEADERS } from '../server/security';
import { isAppUrl } from './security';

export interface AppResponse {
  status: number;
  body: Buffer;
  headers: Record<string, string>;
}

export function appResponse(rendererDir: string, url: string): AppResponse {
  const text = (status: number, s: string, type = 'text/plain; charset=utf-8'): AppResponse => ({
    status,
    body: Buffer.from(s),
    headers: { ...SECURITY_HEADERS, 'Content-Type': type },
  });
  if (!isAppUrl(url)) return text(404, 'Not found');
  if (!rendererBuilt(rendererDir)) {
    return text(503, '<!doctype html><meta charset="utf-8"><title>DiVE Workbench</title><p>The workbench UI is not built: run <code>npm run build</code>, then restart the app.</p>', 'text/html; charset=utf-8');
  }
  const file = resolveStatic(rendererDir, new URL(url).pathname);
  if (!file) return text(404, 'Not found');
  return { status: 200, body: readStatic(file), headers: { ...SECURITY_HEADERS, 'Content-Type': contentType(file) } };
}
