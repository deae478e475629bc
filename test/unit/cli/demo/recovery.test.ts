import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { alertIntervals, recoveryFigures, type AlertEvent } from '../../../../cli/demo/recovery.ts';
import { recoveryLine } from '../../../../cli/demo/summary.ts';
import type { InjectedAnomaly } from '../../../../common/types.ts';

const label = (sensorId: string, start: number, end: number): InjectedAnomaly => ({ sensorId, kind: 'level_shift', start, end, channels: [0] });
const ev = (alertId: string, sensorId: string, state: AlertEvent['state'], windowEnd: number): AlertEvent => ({ alertId, sensorId, state, windowEnd });

describe('demo recovery figures', () => {
  it('alert intervals: open to resolve, an open one up to now', () => {
    const iv = alertIntervals([ev('a', 's1', 'open', 100), ev('a', 's1', 'update', 150), ev('a', 's1', 'resolve', 300), ev('b', 's2', 'open', 500)], 1000);
    assert.deepEqual(iv.get('s1'), [[100, 300]]);
    assert.deepEqual(iv.get('s2'), [[500, 1000]]);
  });
  it('normal time inside alerts: alert time outside the (widened) labels, over every sensor', () => {
    // Two sensors scored for 10 s; s1's anomaly 2-3 s (+0.5 s slack); its alert 2.2-5 s: 2 s of it in normal time.
    const r = recoveryFigures([ev('a', 's1', 'open', 2200), ev('a', 's1', 'resolve', 5000)], [label('s1', 2000, 3000)], { sensors: 2, scoringSince: 0, now: 10_000, slackMs: 500 });
    assert.equal(r.normalMs, 20_000 - 1500);
    assert.equal(r.normalInAlertsMs, 1500);
    assert.equal(r.normalInAlerts, 1500 / 18_500);
    assert.deepEqual([r.openAtEnd, r.closed, r.meanCloseMs, r.maxCloseMs, r.stillOpen], [1, 1, 2000, 2000, 0]);
  });
  it('an alert that never closes after its anomaly: still open, and its normal time counts up to now', () => {
    const r = recoveryFigures([ev('a', 's1', 'open', 2200)], [label('s1', 2000, 3000), label('s1', 20_000, 21_000)], { sensors: 1, scoringSince: 0, now: 10_000, slackMs: 0 });
    assert.equal(r.normalInAlertsMs, 7000);
    assert.deepEqual([r.openAtEnd, r.closed, r.stillOpen], [1, 0, 1]);
    assert.equal(r.meanCloseMs, null);
  });
  it('an anomaly whose alert closed before its end, or before scoring began, does not count', () => {
    const r = recoveryFigures([ev('a', 's1', 'open', 2200), ev('a', 's1', 'resolve', 2800)], [label('s1', 2000, 3000), label('s1', -5000, -4000)], { sensors: 1, scoringSince: 0, now: 10_000, slackMs: 0 });
    assert.equal(r.openAtEnd, 0);
    assert.equal(r.normalInAlertsMs, 0);
  });
  it('the summary line says the share, the closes and what is still open', () => {
    assert.equal(recoveryLine(null), 'normal time in open alerts    — (not scoring yet)');
    // 17.5 sensor-s of normal time; in alerts: s1 3-5 s and s2 6.5-10 s, 5.5 s.
    const r = recoveryFigures([ev('a', 's1', 'open', 2200), ev('a', 's1', 'resolve', 5000), ev('b', 's2', 'open', 6000)], [label('s1', 2000, 3000), label('s2', 5000, 6500)], { sensors: 2, scoringSince: 0, now: 10_000, slackMs: 0 });
    assert.equal(recoveryLine(r), "normal time in open alerts 31.4% of 18 sensor-s   alerts open at an anomaly's end 2: closed 1 after 2.0 s on average (longest 2.0 s), 1 still open");
  });
});
