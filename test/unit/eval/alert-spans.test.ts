// report.md's alert count and the plot's spans (issue 19, issue 23 item 5): an alert that
// resolves and is crossed again within scorer.hysteresis.holdOffSamples used to re-open its id (one
// alert, two spans); now the crossing is an alert of its own that follows the resolved one, so
// count and spans agree. Where they still differ, both say why the same way.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SeriesResult } from '../../../eval/backtest.ts';
import { plotHtml } from '../../../eval/plot.ts';
import { alertRuns, plotInputOf, spansNote } from '../../../eval/plot-input.ts';
import { replayDecisions, type ScoredWindow } from '../../../eval/replay.ts';
import { reportMarkdown } from '../../../eval/report.ts';
import { summarise } from '../../../eval/summary.ts';
import type { Config } from '../../../common/config/types.ts';
import { defaultConfig } from '../../../common/config/defaults.ts';
import type { ThresholdSource } from '../../../common/calibration/thresholds.ts';
import { plotFixture } from '../../support/plot-fixture.ts';

const config = (holdOffSamples: number): Pick<Config, 'scorer' | 'thresholds' | 'windowing'> => ({
  thresholds: { ...defaultConfig.thresholds, method: 'static' },
  scorer: {
    ...defaultConfig.scorer,
    hysteresis: { openAfter: 1, openWindow: 1, resolveAfter: 1, releaseScore: 0.5, holdOffSamples },
    severities: [{ name: 'warning', minScore: 0.5 }],
  },
  windowing: { ...defaultConfig.windowing, hop: 1 },
});
const source: ThresholdSource = { thresholds: { model: { value: 1, method: 'static', details: {} }, perSensor: {} }, calibration: { errors: [], perSensorErrors: {} } };
// threshold 1: open at 2, resolved at the 0 after it, open again two windows later
const errors = [0, 2, 2, 0, 0, 2, 2, 0, 0, 0, 0, 0];
const windows: ScoredWindow[] = errors.map((error, i) => ({ seq: i, start: i - 3, end: i, error, step: error, stepMax: error, fault: null }));

function resultOf(holdOffSamples: number): SeriesResult {
  const replay = replayDecisions({ sensorId: 's', windows, segments: [{ fromWindow: 0, toWindow: windows.length, thresholds: source }], config: config(holdOffSamples) });
  const { result } = plotFixture({ channels: 2 });
  const n = windows.length;
  return {
    ...result,
    name: 's.csv',
    timestamps: windows.map((w) => w.end),
    timeText: windows.map((w) => String(w.end)),
    rowKeys: windows.map((w) => w.end),
    labels: null,
    errors: replay.errors,
    thresholds: replay.thresholds,
    scores: replay.scores,
    detections: new Float64Array(n),
    kinds: Uint8Array.from(replay.open),
    flags: Uint8Array.from(replay.open),
    anomalyAlerts: replay.anomalyAlerts,
    faultAlerts: replay.faultAlerts,
  };
}

describe('alert count and plot spans', () => {
  it('a crossing within the hold-off: a second alert that follows the first, two spans, nothing to explain', () => {
    const r = resultOf(10);
    assert.equal(r.anomalyAlerts, 2);
    assert.equal(alertRuns(r, 'anomaly').length, 2);
    const replay = replayDecisions({ sensorId: 's', windows, segments: [{ fromWindow: 0, toWindow: windows.length, thresholds: source }], config: config(10) });
    const opens = replay.events.filter((e) => e.state === 'open');
    assert.deepEqual(opens.map((e) => e.follows), [null, opens[0]?.alertId], 'the second names the first');
    const summary = summarise([r]);
    assert.deepEqual([summary.perFile['s.csv']?.anomalyAlerts, summary.perFile['s.csv']?.anomalySpans], [2, 2]);
    const row = reportMarkdown(summary, 't').split('\n').find((l) => l.startsWith('| s.csv |'));
    assert.match(row ?? '', /^\| s\.csv \| 12 \| [^|]+ \| 2 \|/);
    const { series } = plotFixture({ channels: 2 });
    const html = plotHtml(plotInputOf({ ...series, name: 's.csv' }, r, 0.5));
    assert.match(html, /anomaly alert open \(2 alerts\)/);
    assert.equal(html.match(/class="alert-anomaly"/g)?.length, 2);
  });

  it('windows not judged split an alert: one alert, two spans, and report.md and the plot both say so', () => {
    // Windows 2 to 3 in no segment: the alert opened at 1 stays open across them but those rows are not open.
    const replay = replayDecisions({ sensorId: 's', windows: windows.map((w) => ({ ...w, error: w.seq < 7 ? 2 : 0 })), segments: [{ fromWindow: 0, toWindow: 2, thresholds: source }, { fromWindow: 4, toWindow: windows.length, thresholds: source }], config: config(10) });
    const r: SeriesResult = { ...resultOf(10), kinds: Uint8Array.from(replay.open), flags: Uint8Array.from(replay.open), anomalyAlerts: replay.anomalyAlerts };
    assert.deepEqual([r.anomalyAlerts, alertRuns(r, 'anomaly').length], [1, 2]);
    const row = reportMarkdown(summarise([r]), 't').split('\n').find((l) => l.startsWith('| s.csv |'));
    assert.match(row ?? '', /\| 1 in 2 spans: windows not judged split an alert's span \|/);
    const { series } = plotFixture({ channels: 2 });
    assert.match(plotHtml(plotInputOf({ ...series, name: 's.csv' }, r, 0.5)), /anomaly alert open \(1 alert in 2 spans: windows not judged split an alert's span\)/);
  });

  it('without a hold-off the re-open is a second alert: counts and spans agree, nothing to explain', () => {
    const r = resultOf(0);
    assert.deepEqual([r.anomalyAlerts, alertRuns(r, 'anomaly').length], [2, 2]);
    const row = reportMarkdown(summarise([r]), 't').split('\n').find((l) => l.startsWith('| s.csv |'));
    assert.match(row ?? '', /^\| s\.csv \| 12 \| [^|]+ \| 2 \|/);
  });

  it('spansNote says which way they differ', () => {
    assert.equal(spansNote(3, 3), null);
    assert.equal(spansNote(1, 2), "2 spans: windows not judged split an alert's span");
    assert.equal(spansNote(2, 1), '1 span: an alert that opened and resolved between two rows has no span, and alerts with no row between them share one');
  });
});
