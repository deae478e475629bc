import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { rateWindow, ratesOver } from '../../../../cli/demo/rate.ts';

describe('demo rates', () => {
  it('the stop tick a moment after the last one does not read a batch as a huge rate', () => {
    // 120 readings/s arriving in batches of 240 every 2 s; Ctrl-C 50 ms after the tick at 10 s, just after a batch.
    const w = rateWindow();
    let last = w.add({ t: 0, readings: 0, scored: 0, windows: 0 });
    for (let t = 1000; t <= 10_000; t += 1000) last = w.add({ t, readings: Math.floor(t / 2000) * 240, scored: t / 100, windows: t / 100 });
    const stop = w.add({ t: 10_050, readings: 6 * 240, scored: 100, windows: 100 });
    // Over 5 s, batches of 2 s read within a factor 2 of the true 120/s; over the last 50 ms the batch read as 4,800/s.
    const near = (v: number | null): boolean => v !== null && v >= 60 && v <= 240;
    assert.ok(near(last.readingsPerSecond), `steady: ${last.readingsPerSecond}`);
    assert.ok(near(stop.readingsPerSecond), `after Ctrl-C: ${stop.readingsPerSecond}/s`);
    assert.ok(stop.windowsPerSecond !== null && Math.abs(stop.windowsPerSecond - 10) < 1);
  });

  it('no rate before a second has passed', () => {
    const w = rateWindow();
    w.add({ t: 0, readings: 0, scored: 0, windows: 0 });
    assert.deepEqual(w.add({ t: 300, readings: 500, scored: 1, windows: 1 }), { readingsPerSecond: null, windowsPerSecond: null, windowsPublishedPerSecond: null });
  });

  it('over the last span only: an old burst leaves the rate', () => {
    const w = rateWindow({ spanMs: 5000, minSpanMs: 1000 });
    w.add({ t: 0, readings: 0, scored: 0, windows: 0 });
    w.add({ t: 1000, readings: 100_000, scored: 0, windows: 0 });
    let r = w.add({ t: 2000, readings: 100_000, scored: 0, windows: 0 });
    for (let t = 3000; t <= 12_000; t += 1000) r = w.add({ t, readings: 100_000 + (t - 2000) / 10, scored: 0, windows: 0 });
    assert.ok(r.readingsPerSecond !== null && Math.abs(r.readingsPerSecond - 100) < 1e-9, `${r.readingsPerSecond}`);
  });

  it('sparse ticks: the newest sample at least minSpan old is the base', () => {
    const r = ratesOver([{ t: 0, readings: 0, scored: 0, windows: 0 }, { t: 9500, readings: 900, scored: 0, windows: 0 }], { t: 10_000, readings: 1000, scored: 0, windows: 0 }, { spanMs: 5000, minSpanMs: 1000 });
    assert.equal(r.readingsPerSecond, 100);
  });
});
