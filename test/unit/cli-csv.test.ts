import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compareCsv } from '../../src-main/cli/commands/runs';
import type { CompareRow } from '../../src-main/core/domain/types';

test("the CLI's compare --csv is RFC 4180 and defuses formulas like the renderer's export", () => {
  const row: CompareRow = { run: '=HYPERLINK("x")', method: 'dive', model: 'cnn', params: 'T=3, p=0.5', epochs: 3, status: 'completed', top1: 0.5, many: null, medium: 0.25, few: -0.5, ece: 0.1 };
  const lines = compareCsv([row]).split('\r\n');
  assert.equal(lines[0], 'run,method,model,params,epochs,status,top1,many,medium,few,ece');
  // quote prefixed (formula defused), then quoted for its own quotes; negative numbers stay numbers
  assert.equal(lines[1], `"'=HYPERLINK(""x"")",dive,cnn,"T=3, p=0.5",3,completed,0.5,,0.25,-0.5,0.1`);
  assert.equal(lines.length, 2);
});
