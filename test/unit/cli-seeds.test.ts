// `--seeds` (issue 23, item 11): a count of seeds or a comma list of whole numbers, written in
// decimal digits. JavaScript's Number() also reads "1e9", "1e3", "0x10" and " 7 " as numbers; they
// were stored as seeds 1000000000, 1000 and 16. Anything but digits is refused with one line.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { InvalidArgumentError } from 'commander';
import { seedsFlag } from '../../src-main/cli/options';
import { dive, tempDir } from '../helpers/cli';

it('reads a count or a list of decimal whole numbers', () => {
  assert.equal(seedsFlag('3'), 3);
  assert.equal(seedsFlag(' 5 '), 5);
  assert.deepEqual(seedsFlag('1,5,9'), [1, 5, 9]);
  assert.deepEqual(seedsFlag('0, 7'), [0, 7]);
});

it('refuses exponents, hex, signs, fractions and empty entries, naming the value', () => {
  for (const bad of ['1e9', '1e3', '0x10', '-1', '+2', '1.5', '1,,2', '1,e3', '', ',', 'three', '0b11', '1_000']) {
    assert.throws(() => seedsFlag(bad), (e: unknown) => e instanceof InvalidArgumentError && e.message.includes(`"${bad}"`), bad);
  }
});

it('`dive study create --seeds 1e9` is a usage error in one line, before any store is touched', () => {
  const t = tempDir();
  try {
    const r = dive(`${t.dir}/dive.sqlite`, ['study', 'create', 'x', '--split', 's', '--methods', 'ce', '--seeds', '1e9']);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /--seeds.*"1e9"/);
    assert.equal(r.stderr.trim().split('\n').filter((l) => !l.startsWith('(run with --help')).length, 1, r.stderr);
    const p = dive(`${t.dir}/dive.sqlite`, ['recipe', 'paper', '--split', 's', '--seeds', '0x10']);
    assert.equal(p.code, 2, p.stderr);
    assert.match(p.stderr, /"0x10"/);
  } finally {
    t.cleanup();
  }
});
