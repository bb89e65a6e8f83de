import assert from 'node:assert/strict';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { it } from 'node:test';
import { defaultUserDataDir, resolveStorePaths } from '../../src-main/core/paths';

it('defaults to the folder Electron uses for an app named dive-workbench', () => {
  assert.equal(defaultUserDataDir('linux', {}), join(homedir(), '.config', 'dive-workbench'));
  assert.equal(defaultUserDataDir('linux', { XDG_CONFIG_HOME: '/x' }), '/x/dive-workbench');
  assert.equal(defaultUserDataDir('darwin', {}), join(homedir(), 'Library', 'Application Support', 'dive-workbench'));
  assert.equal(defaultUserDataDir('win32', { APPDATA: 'C:/Users/u/AppData/Roaming' }), join('C:/Users/u/AppData/Roaming', 'dive-workbench'));
});

it('--db beats DIVE_DB beats the default; data lives beside the database unless DIVE_DATA_DIR says otherwise', () => {
  assert.deepEqual(resolveStorePaths({ db: '/a/x.sqlite' }, { DIVE_DB: '/b/y.sqlite' }), { dbPath: '/a/x.sqlite', dataDir: '/a/data' });
  assert.deepEqual(resolveStorePaths({}, { DIVE_DB: '/b/y.sqlite' }), { dbPath: '/b/y.sqlite', dataDir: '/b/data' });
  assert.deepEqual(resolveStorePaths({}, { DIVE_DB: '/b/y.sqlite', DIVE_DATA_DIR: '/d' }), { dbPath: '/b/y.sqlite', dataDir: '/d' });
  assert.equal(resolveStorePaths({ db: 'rel.sqlite' }, {}).dbPath, resolve('rel.sqlite'));
  // an empty variable counts as unset, not as "the current folder"
  assert.equal(resolveStorePaths({}, { DIVE_DB: '', HOME: homedir() }).dbPath.endsWith(join('dive-workbench', 'dive.sqlite')), true);
});
