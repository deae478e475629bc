import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pacePlan, tickDue } from '../../../../bench/load/plan.ts';

describe('pacePlan', () => {
  const cases: { rate: number; seconds: number; sensors: number; tickMs: number; ticks: number }[] = [
    { rate: 5_000, seconds: 10, sensors: 100, tickMs: 20, ticks: 500 },
    { rate: 20_000, seconds: 10, sensors: 400, tickMs: 20, ticks: 500 },
    { rate: 50_000, seconds: 2, sensors: 1000, tickMs: 20, ticks: 100 },
    { rate: 10, seconds: 1, sensors: 1, tickMs: 100, ticks: 10 },
  ];
  for (const c of cases) {
    it(`${c.rate}/s for ${c.seconds} s`, () => {
      const p = pacePlan(c.rate, c.seconds);
      assert.deepEqual(p, { sensors: c.sensors, tickMs: c.tickMs, ticks: c.ticks });
      // The offered rate is exactly what was asked for.
      assert.equal((p.sensors * 1000) / p.tickMs, c.rate);
    });
  }
  it('rejects a non-positive rate or duration', () => {
    assert.throws(() => pacePlan(0, 1), /must be positive/);
    assert.throws(() => pacePlan(10, -1), /must be positive/);
  });
  it('spaces ticks evenly from the start', () => {
    const p = pacePlan(20_000, 1);
    assert.deepEqual([0, 1, 10].map((i) => tickDue(1000, p, i)), [1000, 1020, 1200]);
  });
});
