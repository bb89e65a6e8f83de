// Saves a file through the browser's download (Electron shows its save dialog): text built here,
// or a file the core prepared (prepareExport), fetched by its one-time id so no token is in the link.
import { downloadPath, type ExportTicket } from '../../src-main/core/domain/contract';

function clickLink(href: string, filename: string): void {
  const a = document.createElement('a');
  a.href = href;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
}

export function download(filename: string, text: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  clickLink(url, filename);
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** The prepared file as a download: /api/download/ID on the web server, app://dive/api/download/ID in the desktop window. */
export function downloadTicket(t: ExportTicket): void {
  clickLink(downloadPath(t.id), t.filename);
}

/** "12.3 KB", "4.5 MB" */
export function fileSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
