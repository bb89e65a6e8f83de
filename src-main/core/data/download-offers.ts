// What the UI offers to download: the catalogue with whether each dataset is already cached.
import type { DownloadOffer } from '../domain/contract';
import { DOWNLOADS } from '../domain/downloads';
import { isCached } from './download-import';

export function downloadOffers(dataDir: string): DownloadOffer[] {
  return DOWNLOADS.map((e) => ({
    id: e.id,
    title: e.title,
    images: e.images,
    approxMB: e.approxMB,
    homepage: e.homepage,
    licence: e.licence,
    urls: e.files.map((f) => f.urls[0]),
    cached: isCached(dataDir, e.id),
  }));
}
