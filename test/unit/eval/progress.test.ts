import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createProgress, renderBar } from '../../../eval/progress.ts';

describe('progress bar', () => {
  const bars: Array<[number, number, string]> = [[0, 4, '[....]'], [1, 4, '[#...]'], [4, 4, '[####]'], [0, 0, '[####]']];
  for (const [done, total, want] of bars) it(`${done}/${total} -> ${want}`, () => assert.equal(renderBar(done, total, 4), want));
  it('prints one line per file off a terminal, with elapsed time and eta', () => {
    const out: string[] = [];
    let t = 0;
    const p = createProgress({ total: 2, write: (s) => out.push(s), tty: false, now: () => t, width: 4 });
    t = 10_000;
    p.tick('a.csv');
    t = 20_000;
    p.tick('b.csv');
    p.done();
    assert.deepEqual(out, ['eval [##..] 1/2 a.csv (elapsed 10s, eta 10s)\n', 'eval [####] 2/2 b.csv (elapsed 20s, eta 0s)\n']);
  });
  it('redraws in place on a terminal', () => {
    const out: string[] = [];
    const p = createProgress({ total: 1, write: (s) => out.push(s), tty: true, now: () => 0, width: 2 });
    p.tick('a');
    p.done();
    assert.match(out[0] ?? '', /^\r\x1b\[2Keval \[##\] 1\/1 a/);
    assert.equal(out[1], '\n');
  });
});
