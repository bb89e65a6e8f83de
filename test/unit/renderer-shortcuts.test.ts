import { test } from 'node:test';
import assert from 'node:assert/strict';
import { shortcut } from '../../src-renderer/lib/shortcuts';

const SCREENS = ['datasets', 'splits', 'train', 'runs'] as const;
const key = (k: string, extra: Partial<{ ctrlKey: boolean; tag: string }> = {}) => ({
  key: k, ctrlKey: extra.ctrlKey ?? false, metaKey: false, altKey: false, target: extra.tag ? ({ tagName: extra.tag } as unknown as EventTarget) : null,
});

test('digits open the screens in sidebar order, n a new run, / the search box', () => {
  assert.equal(shortcut(key('1'), SCREENS), 'datasets');
  assert.equal(shortcut(key('4'), SCREENS), 'runs');
  assert.equal(shortcut(key('5'), SCREENS), null);
  assert.equal(shortcut(key('n'), SCREENS), 'train');
  assert.equal(shortcut(key('/'), SCREENS), 'search');
  assert.equal(shortcut(key('x'), SCREENS), null);
});

test('keys typed into a field or with a modifier are not shortcuts', () => {
  assert.equal(shortcut(key('1', { tag: 'input' }), SCREENS), null);
  assert.equal(shortcut(key('n', { tag: 'TEXTAREA' }), SCREENS), null);
  assert.equal(shortcut(key('1', { ctrlKey: true }), SCREENS), null);
});
