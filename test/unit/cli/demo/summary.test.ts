import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { matchAlerts, type DetectionSummary } from '../../../../cli/demo/match.ts';
import { detectionLines, renderSummary, type Snapshot } from '../../../../cli/demo/summary.ts';
import type { InjectedAnomaly } from '../../../../common/types.ts';

const label = (sensorId: string, start: number, end: number): InjectedAnomaly => ({ sensorId, kind: 'spike', start, end, channels: [0] });
const none: DetectionSummary = matchAlerts([], [], { scoringSince: Number.POSITIVE_INFINITY, now: 0, slackMs: 100 });

describe('demo summary: precision and recall', () => {
  it('before any anomaly: no "n/a of 0", it says none was injected yet', () => {
    const [line] = detectionLines(matchAlerts([], [], { scoringSince: 0, now: 10_000, slackMs: 100 }));
    assert.equal(line, 'alerts opened 0 (true 0)   precision    — (no alert yet)   recall    — (no anomaly injected yet)');
    assert.doesNotMatch(line ?? '', /n\/a|of 0/);
  });

  it('an anomaly still running is announced, not counted', () => {
    const lines = detectionLines(matchAlerts([], [label('s1', 1000, 5000)], { scoringSince: 0, now: 3000, slackMs: 100 }));
    assert.match(lines[0] ?? '', /recall {4}— \(1 anomaly injected, counted once it ends\)$/);
  });

  it('anomalies before the first model are said to be left out', () => {
    const lines = detectionLines(matchAlerts([], [label('s1', 1000, 2000)], { scoringSince: 5000, now: 6000, slackMs: 100 }));
    assert.match(lines[0] ?? '', /recall {4}— \(1 anomaly injected before the first model, not counted\)$/);
  });

  it('fewer alerts than anomalies at 100 %: the line under it says one alert covered two', () => {
    const labels = [label('s1', 1000, 2000), label('s1', 9000, 9500), label('s2', 5000, 6000)];
    const d = matchAlerts(
      [
        { alertId: 'a', sensorId: 's1', kind: 'anomaly', windowStart: 1500, windowEnd: 1600 },
        { alertId: 'a', sensorId: 's1', kind: 'anomaly', windowStart: 9100, windowEnd: 9200 },
        { alertId: 'b', sensorId: 's2', kind: 'anomaly', windowStart: 5500, windowEnd: 5600 },
      ],
      labels,
      { scoringSince: 0, now: 20_000, slackMs: 100 },
    );
    assert.deepEqual(detectionLines(d), [
      'alerts opened 2 (true 2)   precision  100%   recall  100% of 3 injected anomalies',
      '  2 alerts for 3 anomalies: 1 alert covered 2 anomalies of its sensor',
    ]);
  });

  it('alerts that follow another within the hold-off: counted as one excursion, and a line says so', () => {
    const labels = [label('s1', 1000, 2000), label('s2', 5000, 6000)];
    const d = matchAlerts(
      [
        { alertId: 'a', follows: null, sensorId: 's1', kind: 'anomaly', windowStart: 1500, windowEnd: 1600 },
        { alertId: 'a2', follows: 'a', sensorId: 's1', kind: 'anomaly', windowStart: 2500, windowEnd: 2600 },
        { alertId: 'b', follows: null, sensorId: 's2', kind: 'anomaly', windowStart: 5500, windowEnd: 5600 },
        { alertId: 'x', follows: null, sensorId: 's3', kind: 'anomaly', windowStart: 4000, windowEnd: 4100 },
      ],
      labels,
      { scoringSince: 0, now: 20_000, slackMs: 100 },
    );
    assert.deepEqual(detectionLines(d), [
      'alerts opened 4 in 3 excursions (true 2)   precision   67%   recall  100% of 2 injected anomalies',
      '  1 alert followed another of its sensor within the hold-off: one excursion, counted once',
      '  3 excursions for 2 anomalies: 1 excursion matched no anomaly',
    ]);
  });

  it('more alerts than anomalies: a second alert of one anomaly, a false one, one still running', () => {
    const labels = [label('s1', 1000, 2000), label('s2', 15_000, 30_000)];
    const d = matchAlerts(
      [
        { alertId: 'a', sensorId: 's1', kind: 'anomaly', windowStart: 1500, windowEnd: 1600 },
        { alertId: 'f', sensorId: 's1', kind: 'sensor_fault', windowStart: 1700, windowEnd: 1800 },
        { alertId: 'x', sensorId: 's3', kind: 'anomaly', windowStart: 4000, windowEnd: 4100 },
        { alertId: 'r', sensorId: 's2', kind: 'anomaly', windowStart: 15_500, windowEnd: 15_600 },
      ],
      labels,
      { scoringSince: 0, now: 20_000, slackMs: 100 },
    );
    assert.deepEqual(detectionLines(d), [
      'alerts opened 4 (true 3)   precision   75%   recall  100% of 1 injected anomaly',
      '  4 alerts for 1 anomaly: 1 anomaly raised 2 alerts; 1 alert matched no anomaly; 1 anomaly still running, counted once ended',
    ]);
  });

  it('equal counts need no explanation; a missed anomaly is named', () => {
    const labels = [label('s1', 1000, 2000), label('s2', 5000, 6000)];
    const equal = matchAlerts([{ sensorId: 's1', kind: 'anomaly', windowStart: 1500, windowEnd: 1600 }, { sensorId: 's2', kind: 'anomaly', windowStart: 5500, windowEnd: 5600 }], labels, { scoringSince: 0, now: 20_000, slackMs: 100 });
    assert.equal(detectionLines(equal).length, 1);
    const missed = matchAlerts([{ sensorId: 's1', kind: 'anomaly', windowStart: 1500, windowEnd: 1600 }], labels, { scoringSince: 0, now: 20_000, slackMs: 100 });
    assert.equal(detectionLines(missed)[1], '  1 alert for 2 anomalies: 1 anomaly missed');
  });
});

describe('demo summary: rates', () => {
  const snapshot: Snapshot = {
    elapsedSeconds: 0.4, durationSeconds: null, readingsPerSecond: null, windowsPerSecond: null, readings: 0, windowsScored: 0, deadLettered: 0,
    model: 'none yet', phase: 'warming up', recentAlerts: [], detection: none, recovery: null, metricsUrl: 'http://x/metrics', logFile: 'demo.log',
  };
  it('a rate not known yet reads as a dash, not 0 or a huge figure', () => {
    assert.match(renderSummary(snapshot), /^readings\/s {6}— {3}windows scored\/s {6}— {3}model none yet$/m);
  });
  it('a known rate keeps its columns', () => {
    assert.match(renderSummary({ ...snapshot, readingsPerSecond: 120.4, windowsPerSecond: 12 }), /^readings\/s {4}120 {3}windows scored\/s {3}12\.0 {3}model/m);
  });
});
