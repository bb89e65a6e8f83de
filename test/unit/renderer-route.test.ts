import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatRoute, parseRoute, stripToken } from '../../src-renderer/lib/route';

test('every address parses back to the route it was made from', () => {
  for (const hash of ['#/datasets', '#/datasets/fashion-mnist', '#/splits/fm-lt100', '#/train', '#/runs', '#/runs/dive-mlp%20a', '#/queue', '#/studies', '#/studies/s1', '#/compare?runs=a,b,c', '#/compare', '#/trash']) {
    assert.equal(formatRoute(parseRoute(hash)), hash, hash);
  }
});

test('a route names its screen, its object and the runs of a comparison', () => {
  assert.deepEqual(parseRoute('#/runs/teacher'), { screen: 'runs', name: 'teacher', runs: [] });
  assert.deepEqual(parseRoute('#/compare?runs=a,b'), { screen: 'compare', name: '', runs: ['a', 'b'] });
  assert.deepEqual(parseRoute('#/runs/a%2Fb'), { screen: 'runs', name: 'a/b', runs: [] });
  assert.equal(formatRoute({ screen: 'runs', name: 'a b', runs: [] }), '#/runs/a%20b');
});

test('an empty or unknown hash is the datasets screen', () => {
  assert.deepEqual(parseRoute(''), { screen: 'datasets', name: '', runs: [] });
  assert.deepEqual(parseRoute('#/nowhere/x'), { screen: 'datasets', name: '', runs: [] });
  assert.deepEqual(parseRoute('#token=abc'), { screen: 'datasets', name: '', runs: [] });
});

test('the token leaves the hash wherever it stands, and the rest of the address stays', () => {
  assert.deepEqual(stripToken('#token=abc'), { hash: '', token: 'abc' });
  assert.deepEqual(stripToken('#token=abc&/runs/x'), { hash: '#/runs/x', token: 'abc' });
  assert.deepEqual(stripToken('#/runs/x?token=abc'), { hash: '#/runs/x', token: 'abc' });
  assert.deepEqual(stripToken('#/compare?runs=a,b&token=abc'), { hash: '#/compare?runs=a,b', token: 'abc' });
  assert.deepEqual(stripToken('#/compare?token=abc&runs=a,b'), { hash: '#/compare?runs=a,b', token: 'abc' });
  assert.deepEqual(stripToken('#/runs/x'), { hash: '#/runs/x', token: '' });
});
