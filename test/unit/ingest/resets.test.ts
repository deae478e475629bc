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
    const text = describeReset({ sensorId: 'pump-7', at: Date.UTC(2026, 0, 1), gapMs: 1000, dropped: 12, samplePeriodMs: 100, maxGapSamples: 8 });
    assert.match(text, /sensor pump-7: 12 sample\(s\) in progress dropped, no window: readings 1000 ms apart at 2026-01-01T00:00:00.000Z, windowing.samplePeriodMs is 100 \(a gap of 9 sample\(s\); at most 8 are filled/);
    assert.match(text, /whole number of seconds apart/);
  });

  it("in a fleet, names the sensor type and gives the type's own sample period and gap limit", () => {
    const text = describeReset({ sensorId: 'valve-2', at: Date.UTC(2026, 0, 1), gapMs: 3000, dropped: 5, samplePeriodMs: 200, maxGapSamples: 4, sensorType: 'valve' });
    assert.match(text, /windowing\.samplePeriodMs of sensor type valve is 200 \(a gap of 14 sample\(s\); at most 4 are filled/);
    const implicit = describeReset({ sensorId: 'p', at: 0, gapMs: 300, dropped: 1, samplePeriodMs: 100, maxGapSamples: 1, sensorType: 'default' });
    assert.match(implicit, /windowing\.samplePeriodMs is 100 /);
  });

  it('counts every reset, warns once a minute per sensor, bounds the labels', () => {
    const { log, warnings } = fakeLog();
    const counted: string[] = [];
    const reporter = createResetReporter({ log, metrics: { windowResets: (s) => counted.push(s) }, maxSensors: 2 });
    const reset = (sensorId: string) => ({ sensorId, at: 0, gapMs: 5000, dropped: 3, samplePeriodMs: 100, maxGapSamples: 8 });
    reporter.report([reset('a'), reset('a'), reset('b'), reset('c')], 1000);
    reporter.report([reset('a')], 30_000);
    reporter.report([reset('a')], 62_000);
    assert.deepEqual(counted, ['a', 'a', 'b', '_other', 'a', 'a']);
    assert.deepEqual(warnings.map((w) => w.split(':')[0]), ['sensor a', 'sensor b', 'sensor c', 'sensor a']);
  });
});
