import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { rollingScore } from '../../../eval/rolling.ts';

describe('rollingScore', () => {
  const o = { history: 4, short: 1, warmup: 2 };
  it('is 0.5 during warm-up and for unscored rows', () => {
    const s = rollingScore([Number.NaN, 1, 1, 1], o);
    assert.deepEqual(Array.from(s.subarray(0, 3)), [0.5, 0.5, 0.5]);
  });
  it('hand-worked: log errors 0, ln e, then e² → z = (2 − 0.5)/0.5 = 3 → 0.5 + 0.5·3/4 = 0.875', () => {
    const s = rollingScore([1, Math.E, Math.E ** 2], o);
    assert.ok(Math.abs((s[2] as number) - 0.875) < 1e-12, String(s[2]));
  });
  it('is causal: later rows do not change earlier scores', () => {
    const a = rollingScore([1, 2, 3, 4, 5, 6], o);
    const b = rollingScore([1, 2, 3, 4, 5, 6, 1000, 1], o);
    assert.deepEqual(Array.from(b.subarray(0, 6)), Array.from(a));
  });
  it('a sustained level becomes the new normal (history forgets after `history` rows)', () => {
    const e = [...Array(10).fill(1), ...Array(20).fill(100)];
    const s = rollingScore(e, o);
    assert.ok((s[10] as number) > 0.9, 'the jump stands out');
    assert.equal(s[29], 0.5, "twenty rows later it is ordinary");
  });
});
