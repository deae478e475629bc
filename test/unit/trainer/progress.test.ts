import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { duration, formatProgress } from '../../../trainer/progress.ts';

describe('progress bar', () => {
  it('shows epoch, bar, loss, val loss, best and ETA', () => {
    const line = formatProgress({ epoch: 3, epochs: 10, loss: 0.123456, valLoss: 0.1, bestValLoss: 0.09, elapsedSeconds: 3, etaSeconds: 75 }, 10);
    assert.equal(line, 'epoch  3/10 [==>       ] loss 0.1235 val 0.1000 best 0.09000 ETA 1m15s');
  });

  const rows: [number, string][] = [
    [0, '0s'],
    [59.4, '59s'],
    [60, '1m00s'],
    [3599, '59m59s'],
    [Number.NaN, '?'],
  ];
  for (const [s, text] of rows) it(`duration(${s}) = ${text}`, () => assert.equal(duration(s), text));
});
