// The FF-vs-BP table of `ff compare`: text and Markdown forms.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { markdownTable, textTable, type CompareRow } from '../../src/cli/compare.js';

const rows: CompareRow[] = [
  { algorithm: 'FF (goodness)', algo: 'ff', classifier: 'goodness', testError: 0.0141, epochs: 100, wallSeconds: 3600.04, secondsPerEpoch: 35.5 },
  { algorithm: 'BP (output)', algo: 'bp', classifier: 'output', testError: 0.0152, epochs: 100, wallSeconds: 1500, secondsPerEpoch: 14.987 },
];

test('compare table: one aligned line per classifier, errors in percent', () => {
  const lines = textTable(rows).split('\n');
  assert.equal(lines.length, 4);
  assert.match(lines[0], /^algorithm\s+test error\s+epochs\s+wall time\s+time \/ epoch$/);
  assert.match(lines[2], /^FF \(goodness\)\s+1\.41 %\s+100\s+3600\.0 s\s+35\.50 s$/);
  assert.match(lines[3], /^BP \(output\)\s+1\.52 %\s+100\s+1500\.0 s\s+14\.99 s$/);
  assert.equal(new Set(lines.map((l) => l.length)).size, 1, 'all lines equally wide');
});

test('compare table: Markdown', () => {
  assert.equal(
    markdownTable(rows),
    [
      '| algorithm | test error | epochs | wall time | time / epoch |',
      '| --- | ---: | ---: | ---: | ---: |',
      '| FF (goodness) | 1.41 % | 100 | 3600.0 s | 35.50 s |',
      '| BP (output) | 1.52 % | 100 | 1500.0 s | 14.99 s |',
    ].join('\n'),
  );
});
