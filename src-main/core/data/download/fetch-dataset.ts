// Every file of a catalogue entry in one folder, downloaded where missing and checked against its
// published MD5 (fetch-file.ts), one after the other so progress reads file by file.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { DownloadEntry } from '../../domain/downloads';
import { fetchFile, type FetchOptions, type FetchedFile } from './fetch-file';

export async function fetchDataset(entry: DownloadEntry, dir: string, opts: FetchOptions = {}): Promise<FetchedFile[]> {
  mkdirSync(dir, { recursive: true });
  const out: FetchedFile[] = [];
  for (const f of entry.files) out.push(await fetchFile(f, join(dir, f.name), opts));
  return out;
}
