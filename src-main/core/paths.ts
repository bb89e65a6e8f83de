import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

/** Same folder Electron's app.getPath('userData') gives for an app named "dive-workbench". */
export function defaultUserDataDir(platform: NodeJS.Platform = process.platform, env = process.env): string {
  const app = 'dive-workbench';
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), app);
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', app);
  return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), app);
}

export interface StorePaths {
  dbPath: string;
  dataDir: string;
}

/** --db beats DIVE_DB beats the per-user default; data files live beside the database unless DIVE_DATA_DIR says otherwise. */
export function resolveStorePaths(opts: { db?: string; dataDir?: string } = {}, env = process.env): StorePaths {
  const dbPath = resolve(opts.db || env.DIVE_DB || join(defaultUserDataDir(process.platform, env), 'dive.sqlite'));
  const dataDir = resolve(opts.dataDir || env.DIVE_DATA_DIR || join(dirname(dbPath), 'data'));
  return { dbPath, dataDir };
}
