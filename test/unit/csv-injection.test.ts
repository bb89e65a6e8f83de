// CSV formula injection (issue 23, item 6): OWASP's rule for every cell a spreadsheet may read as a
// formula. A text cell that starts with =, +, -, @, tab or carriage return gets a leading quote,
// whatever follows (the old exemption of text like "+1+HYPERLINK(...)" let formulas through);
// a real number, or text that is a plain numeric literal and nothing else, stays a number.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { csvField, toCsv } from '../../src-main/core/domain/csv';

it('defuses every text cell that starts with = + - @ tab or CR, formulas after a number included', () => {
  assert.equal(csvField('+1+HYPERLINK("http://x","y")'), `"'+1+HYPERLINK(""http://x"",""y"")"`);
  assert.equal(csvField("-2+3+cmd|' /C calc'!A0"), `'-2+3+cmd|' /C calc'!A0`);
  assert.equal(csvField('=1+1'), "'=1+1");
  assert.equal(csvField('@SUM(A1:A2)'), "'@SUM(A1:A2)");
  assert.equal(csvField('\t=1+1'), "'\t=1+1");
  assert.equal(csvField('\r=1+1'), `"'\r=1+1"`);
  assert.equal(csvField('1e3+cmd'), '1e3+cmd', 'a digit first cannot start a formula');
  assert.equal(csvField('+'), "'+");
  assert.equal(csvField('-'), "'-");
});

it('writes numbers as numbers: number cells and text that is one plain numeric literal', () => {
  assert.equal(csvField(-0.5), '-0.5');
  assert.equal(csvField(1e21), '1e+21');
  assert.equal(csvField('-0.5'), '-0.5');
  assert.equal(csvField('+3'), '+3');
  assert.equal(csvField('-1.25e-3'), '-1.25e-3');
  assert.equal(csvField('-.5'), '-.5');
  assert.equal(csvField('-1,5'), `"'-1,5"`, 'not one numeric literal: defused, then quoted for its comma');
  assert.equal(toCsv(['run', 'few'], [['-x', -0.25]]), "run,few\r\n'-x,-0.25\r\n");
});
