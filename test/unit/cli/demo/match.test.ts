import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { matchAlerts, misses } from '../../../../cli/demo/match.ts';
import type { InjectedAnomaly } from '../../../../common/types.ts';

const label = (sensorId: string, start: number, end: number): InjectedAnomaly => ({ sensorId, kind: 'spike', start, end, channels: [0] });

describe('demo alert matching', () => {
  const labels = [label('s1', 1000, 2000), label('s2', 5000, 6000), label('s1', 9000, 9500)];
  const opts = { scoringSince: 0, now: 20_000, slackMs: 100 };

  it('counts overlapping alerts of the same sensor as true positives', () => {
    const r = matchAlerts(
      [
        { sensorId: 's1', kind: 'anomaly', windowStart: 1500, windowEnd: 2500 },
        { sensorId: 's2', kind: 'anomaly', windowStart: 1500, windowEnd: 2500 }, // wrong sensor
        { sensorId: 's2', kind: 'anomaly', windowStart: 6050, windowEnd: 7000 }, // within slack
      ],
      labels,
      opts,
    );
    assert.deepEqual(r, {
      alerts: 3, followingAlerts: 0, truePositives: 2, anomalies: 3, detected: 2, precision: 2 / 3, recall: 2 / 3,
      alertsCoveringSeveral: 0, anomaliesCoveredBySharedAlerts: 0, anomaliesWithSeveralAlerts: 0, alertsOnSharedAnomalies: 0, pending: 0, beforeScoring: 0,
    });
  });

  it('openings with one id (a scorer before AnomalyAlert v4 re-opened it) are one alert, true if any opening overlaps', () => {
    const r = matchAlerts(
      [
        { alertId: 'a', sensorId: 's1', kind: 'anomaly', windowStart: 500, windowEnd: 700 },
        { alertId: 'a', sensorId: 's1', kind: 'anomaly', windowStart: 1500, windowEnd: 1600 },
        { alertId: 'b', sensorId: 's1', kind: 'anomaly', windowStart: 3000, windowEnd: 3100 },
      ],
      labels,
      opts,
    );
    assert.deepEqual([r.alerts, r.truePositives], [2, 1]);
  });

  it('an alert that follows another is counted in its excursion, true if any alert of it overlaps', () => {
    const r = matchAlerts(
      [
        { alertId: 'a', follows: null, sensorId: 's1', kind: 'anomaly', windowStart: 1500, windowEnd: 1600 },
        { alertId: 'a2', follows: 'a', sensorId: 's1', kind: 'anomaly', windowStart: 3000, windowEnd: 3100 }, // after the anomaly: false on its own
        { alertId: 'a3', follows: 'a2', sensorId: 's1', kind: 'anomaly', windowStart: 4000, windowEnd: 4100 },
        { alertId: 'b', follows: null, sensorId: 's1', kind: 'anomaly', windowStart: 7000, windowEnd: 7100 },
      ],
      labels,
      opts,
    );
    assert.deepEqual([r.alerts, r.followingAlerts, r.truePositives, r.precision], [2, 2, 1, 0.5]);
  });

  it('followers of an alert that opened before the watch began still form one excursion', () => {
    const r = matchAlerts(
      [
        { alertId: 'a2', follows: 'a', sensorId: 's1', kind: 'anomaly', windowStart: 1500, windowEnd: 1600 },
        { alertId: 'a3', follows: 'a2', sensorId: 's1', kind: 'anomaly', windowStart: 3000, windowEnd: 3100 },
      ],
      labels,
      opts,
    );
    assert.deepEqual([r.alerts, r.followingAlerts, r.truePositives], [1, 2, 1]);
  });

  it('a follows cycle (never written by the scorer) ends the walk', () => {
    const r = matchAlerts(
      [
        { alertId: 'a', follows: 'b', sensorId: 's1', kind: 'anomaly', windowStart: 1500, windowEnd: 1600 },
        { alertId: 'b', follows: 'a', sensorId: 's1', kind: 'anomaly', windowStart: 3000, windowEnd: 3100 },
      ],
      labels,
      opts,
    );
    assert.deepEqual([r.alerts, r.followingAlerts, r.truePositives], [2, 2, 1], 'it terminates; each walk stops where it would repeat');
  });

  it('leaves anomalies out of recall that ended before scoring began or have not ended yet', () => {
    const r = matchAlerts([], labels, { scoringSince: 3000, now: 9550, slackMs: 100 });
    assert.equal(r.anomalies, 1); // only s2's; s1's second ends at 9500 + slack > now
    assert.equal(r.precision, null);
    assert.equal(r.recall, 0);
    assert.deepEqual([r.pending, r.beforeScoring], [1, 1]);
  });

  it('one alert (one id opened twice, as before v4) covers two anomalies of its sensor: 1 alert, 2 detected', () => {
    const r = matchAlerts(
      [
        { alertId: 'a', sensorId: 's1', kind: 'anomaly', windowStart: 1500, windowEnd: 1600 },
        { alertId: 'a', sensorId: 's1', kind: 'anomaly', windowStart: 9100, windowEnd: 9200 },
        { alertId: 'b', sensorId: 's2', kind: 'anomaly', windowStart: 5500, windowEnd: 5600 },
      ],
      labels,
      opts,
    );
    assert.deepEqual([r.alerts, r.truePositives, r.anomalies, r.detected, r.recall], [2, 2, 3, 3, 1]);
    assert.deepEqual([r.alertsCoveringSeveral, r.anomaliesCoveredBySharedAlerts, r.anomaliesWithSeveralAlerts], [1, 2, 0]);
  });

  it('one anomaly that raised two alerts (an anomaly and a sensor fault)', () => {
    const r = matchAlerts(
      [
        { alertId: 'a', sensorId: 's2', kind: 'anomaly', windowStart: 5500, windowEnd: 5600 },
        { alertId: 'f', sensorId: 's2', kind: 'sensor_fault', windowStart: 5700, windowEnd: 5800 },
      ],
      labels,
      opts,
    );
    assert.deepEqual([r.alerts, r.truePositives, r.detected, r.anomaliesWithSeveralAlerts, r.alertsOnSharedAnomalies, r.alertsCoveringSeveral], [2, 2, 1, 1, 2, 0]);
  });

  it('misses(): the counted anomalies no alert overlaps and the excursions that overlap none, as matchAlerts counts them', () => {
    const alerts = [
      { sensorId: 's1', kind: 'anomaly', windowStart: 1500, windowEnd: 2500, alertId: 'a', follows: null },
      { sensorId: 's2', kind: 'anomaly', windowStart: 12_000, windowEnd: 13_000, alertId: 'b', follows: null }, // false
      { sensorId: 's2', kind: 'anomaly', windowStart: 13_500, windowEnd: 14_000, alertId: 'c', follows: 'b' }, // same excursion: not listed again
    ];
    const m = misses(alerts, labels, opts);
    assert.deepEqual(m.missed.map((l) => `${l.sensorId}@${l.start}`), ['s2@5000', 's1@9000']);
    assert.deepEqual(m.falseAlerts.map((a) => a.alertId), ['b']);
    const r = matchAlerts(alerts, labels, opts);
    assert.equal(r.anomalies - r.detected, m.missed.length);
    assert.equal(r.alerts - r.truePositives, m.falseAlerts.length);
    // Not counted yet (before the model, or within the slack of now): not listed as missed.
    assert.deepEqual(misses([], labels, { scoringSince: 5500, now: 9550, slackMs: 100 }).missed.map((l) => l.start), [5000]);
  });
});
