import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { trainRowCount, type Split } from '../../../eval/split.ts';

describe('trainRowCount', () => {
  const ts = Array.from({ length: 100 }, (_, i) => i * 1000);
  const cases: Array<[Split, number]> = [
    [{ kind: 'rows', rows: 30 }, 30],
    [{ kind: 'fraction', fraction: 0.25 }, 25],
    [{ kind: 'until', time: 9000 }, 10], // rows at or before the time train
    [{ kind: 'nab' }, 15],
  ];
  for (const [split, want] of cases) it(`${JSON.stringify(split)} -> ${want}`, () => assert.equal(trainRowCount(ts, split, 'f.csv'), want));
  it('refuses a split that leaves nothing to score', () => {
    assert.throws(() => trainRowCount(ts, { kind: 'rows', rows: 100 }, 'f.csv'), /f\.csv: the split leaves 100 training and 0 scored rows/);
  });
});
