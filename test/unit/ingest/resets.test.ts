// Gap resets are loud: counted per sensor (bounded labels), warned about at
// most once a minute per sensor, with the cause in the operator's terms.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createResetReporter, describeReset } from '../../../ingest/resets.ts';
import type { Logger } from '../../../common/log.ts';

function fakeLog(): { log: Logger; warnings: string[] } {
  const warnings: string[] = [];
  const log = { warn: (m: string) => warnings.push(m), info: () => undefined, debug: () => undefined, error: () => undefined, child: () => log } as unknown as Logger;
  return { log, warnings };
}

describe('gap resets', () => {
  it('names the sensor, the gap and the setting', () => {
    const text = describeReset({ sensorId: 'pump-7', at: Date.UTC(2026, 0, 1), gapMs: 1000, dropped: 12 }, 100, 8);
    assert.match(text, /sensor pump-7: 12 sample\(s\) in progress dropped, no window: readings 1000 ms apart at 2026-01-01T00:00:00.000Z, windowing.samplePeriodMs is 100 \(a gap of 9 sample\(s\); at most 8 are filled/);
    assert.match(text, /whole number of seconds apart/);
  });

  it('counts every reset, warns once a minute per sensor, bounds the labels', () => {
    const { log, warnings } = fakeLog();
    const counted: string[] = [];
    const reporter = createResetReporter({ log, metrics: { windowResets: (s) => counted.push(s) }, samplePeriodMs: 100, maxGapSamples: 8, maxSensors: 2 });
    const reset = (sensorId: string) => ({ sensorId, at: 0, gapMs: 5000, dropped: 3 });
    reporter.report([reset('a'), reset('a'), reset('b'), reset('c')], 1000);
    reporter.report([reset('a')], 30_000);
    reporter.report([reset('a')], 62_000);
    assert.deepEqual(counted, ['a', 'a', 'b', '_other', 'a', 'a']);
    assert.deepEqual(warnings.map((w) => w.split(':')[0]), ['sensor a', 'sensor b', 'sensor c', 'sensor a']);
  });
});
