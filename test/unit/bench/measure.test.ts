import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { measureThroughput } from '../../../bench/measure.ts';

/** A fake clock that advances by `stepMs` each time the operation runs. */
function fakeClock(stepMs: number): { now: () => number; op: () => void; calls: () => number } {
  let t = 0;
  let calls = 0;
  return {
    now: () => t,
    op: () => {
      t += stepMs;
      calls++;
    },
    calls: () => calls,
  };
}

describe('measureThroughput', () => {
  const cases: { name: string; stepMs: number; items: number; minMs: number; repeats: number; warmup: number; want: number; wantCalls: number }[] = [
    { name: '10 ms per call of 64 items', stepMs: 10, items: 64, minMs: 100, repeats: 3, warmup: 2, want: 6400, wantCalls: 30 },
    { name: 'one call longer than minMs', stepMs: 500, items: 1024, minMs: 100, repeats: 1, warmup: 0, want: 2048, wantCalls: 1 },
    { name: 'batch size 1', stepMs: 1, items: 1, minMs: 5, repeats: 2, warmup: 1, want: 1000, wantCalls: 10 },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const clock = fakeClock(c.stepMs);
      const r = await measureThroughput(clock.op, c.items, { warmupCalls: c.warmup, repeats: c.repeats, minMs: c.minMs, now: clock.now });
      assert.equal(r.perSec, c.want);
      assert.equal(r.samples.length, c.repeats);
      assert.equal(r.calls, c.wantCalls);
      assert.equal(clock.calls(), c.wantCalls + c.warmup);
    });
  }

  it('reports the median repeat, not the mean', async () => {
    const steps = [10, 10, 10, 40, 10, 10];
    let t = 0;
    let i = 0;
    const r = await measureThroughput(
      () => {
        t += steps[i++] ?? 10;
      },
      1,
      { warmupCalls: 0, repeats: 3, minMs: 15, now: () => t },
    );
    // repeats: (10+10)=20 ms, (10+40)=50 ms, (10+10)=20 ms for 2 calls each
    assert.deepEqual(r.samples, [100, 40, 100]);
    assert.equal(r.perSec, 100);
  });

  it('caps calls per repeat', async () => {
    const clock = fakeClock(1);
    const r = await measureThroughput(clock.op, 1, { warmupCalls: 0, repeats: 1, minMs: 1e9, maxCallsPerRepeat: 7, now: clock.now });
    assert.equal(r.calls, 7);
  });

  it('awaits asynchronous operations', async () => {
    let t = 0;
    const r = await measureThroughput(
      async () => {
        await Promise.resolve();
        t += 2;
      },
      10,
      { warmupCalls: 0, repeats: 1, minMs: 10, now: () => t },
    );
    assert.equal(r.perSec, 5000);
  });
});
