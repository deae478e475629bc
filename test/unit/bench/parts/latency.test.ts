import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StageRecorder, stageNames } from '../../../../bench/parts/latency.ts';
import type { SignalWindow } from '../../../../common/types.ts';

const win = (sensorId: string, end: number): SignalWindow => ({ sensorId, seq: 1, start: end - 100, end, channels: ['a'], samples: [0], missing: 0, badQuality: 0 }) as SignalWindow;

/** Marks one window through ingest and scorer: each stage `step` ms after the one before, from `fetchedAt`. */
function through(rec: StageRecorder, w: SignalWindow, fetchedAt: number, step: number): void {
  const ingest = rec.ingest();
  const scorer = rec.scorer();
  ingest('fetched', [w], fetchedAt);
  ingest('windowed', [w], fetchedAt + step);
  ingest('published', [w], fetchedAt + 2 * step);
  scorer('fetched', [w], fetchedAt + 3 * step);
  scorer('started', [w], fetchedAt + 4 * step);
  scorer('decided', [w], fetchedAt + 5 * step);
  scorer('acked', [w], fetchedAt + 6 * step);
}

describe('StageRecorder', () => {
  it('the generator\'s ticks give each window its reading queued / sent / acked stages, and a row from the produce call', () => {
    const rec = new StageRecorder();
    // Two windows ending at the stamps of ticks 1000 and 1020; the second is 50 ms late leaving the generator.
    through(rec, win('s1', 1000), 1010, 1);
    through(rec, win('s2', 1020), 1090, 1);
    rec.generator([
      [1000, 1001, 1003, 1008],
      [1020, 1030, 1070, 1085],
    ]);
    const rows = new Map(rec.summary(0).map((r) => [r.stage, r]));
    assert.deepEqual([...rows.keys()], [
      'reading due → reading queued',
      'reading queued → reading sent',
      'reading sent → reading acked',
      'reading acked → ingest fetched',
      'ingest fetched → windowed',
      'windowed → window acked',
      'window acked → scorer fetched',
      'scorer fetched → scoring started',
      'scoring started → decided',
      'decided → decision acked',
      'reading due → decision acked',
      'reading sent → decision acked',
    ]);
    // From due: 1016 − 1000 = 16 and 1096 − 1020 = 76; from the produce call: 13 and 26.
    assert.equal(rows.get('reading due → decision acked')?.p50Ms, 46);
    assert.equal(rows.get('reading due → decision acked')?.slowestMeanMs, 76);
    assert.equal(rows.get('reading sent → decision acked')?.p50Ms, 19.5);
    assert.equal(rows.get('reading sent → decision acked')?.slowestMeanMs, 26);
    assert.equal(rows.get('reading queued → reading sent')?.slowestMeanMs, 40, 'the slowest window waited 40 ms for its request');
  });

  it('without the generator\'s ticks (or one missing), the gap from due spans to the next stage seen', () => {
    const rec = new StageRecorder();
    through(rec, win('s1', 1000), 1010, 2);
    rec.generator([[5000, 5001, 5002, 5003]]);
    const stages = rec.summary(0).map((r) => r.stage);
    assert.equal(stages[0], `${stageNames[0]} → ingest fetched`);
    assert.ok(!stages.includes('reading sent → decision acked'));
  });

  it('windows that were not decided, or ended before `from`, are left out', () => {
    const rec = new StageRecorder();
    through(rec, win('s1', 1000), 1010, 1);
    rec.ingest()('fetched', [win('s2', 2000)], 2001);
    assert.equal(rec.summary(0).at(-1)?.windows, 1);
    assert.deepEqual(rec.summary(1001), []);
  });
});
