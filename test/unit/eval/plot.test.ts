import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { plotHtml } from '../../../eval/plot.ts';
import type { PlotInput } from '../../../eval/plot-input.ts';

function input(overrides: Partial<PlotInput> = {}): PlotInput {
  const n = 2500;
  const t0 = Date.parse('2026-02-14T00:00:00Z');
  return {
    title: 'a/<b>.csv',
    times: Array.from({ length: n }, (_, i) => t0 + i * 60_000),
    timeKind: 'time',
    channels: [
      { name: 'temp', values: Array.from({ length: n }, (_, i) => 20 + Math.sin(i / 50)) },
      { name: 'flow', values: Array.from({ length: n }, (_, i) => (i >= 1500 && i < 1510 ? Number.NaN : 3)) },
    ],
    channelNote: null,
    score: Array.from({ length: n }, (_, i) => (i === 1234 ? 50 : 0.01 + (i % 7) / 100)),
    scoreLabel: 'reconstruction error',
    scoreScale: 'log',
    level: Array.from({ length: n }, () => 0.5),
    levelLabel: 'threshold',
    alerts: [
      { from: t0 + 1234 * 60_000, to: t0 + 1240 * 60_000, kind: 'anomaly' },
      { from: t0 + 2000 * 60_000, to: t0 + 2100 * 60_000, kind: 'sensor_fault' },
    ],
    labels: [{ from: t0 + 1200 * 60_000, to: t0 + 1300 * 60_000 }],
    alertCounts: { anomaly: 1, sensor_fault: 1 },
    subtitle: 'model dae',
    ...overrides,
  };
}

describe('plotHtml', () => {
  const html = plotHtml(input());
  it('is self-contained: one inline SVG and inline script, no external references', () => {
    assert.equal(html.match(/<svg /g)?.length, 1);
    assert.doesNotMatch(html, /src=|href=|https?:\/\/(?!www\.w3\.org\/2000\/svg")|@import|url\(/);
  });
  it('draws each channel above the score, the spike kept by the per-bucket max', () => {
    assert.equal(html.match(/class="channel"/g)?.length, 2);
    assert.ok(html.indexOf('>temp<') < html.indexOf('>flow<') && html.indexOf('>flow<') < html.indexOf('class="score"'));
    assert.match(html, /2500 rows, drawn as 1000 time buckets/);
    const d = /class="score" d="([^"]+)"/.exec(html)?.[1] ?? '';
    const ys = d.split(/[ML]/).filter(Boolean).map((p) => Number(p.split(',')[1]));
    assert.equal(ys.length, 1000);
    assert.equal(ys.indexOf(Math.min(...ys)), Math.floor((1234 / 2499) * 1000)); // the spike's bucket is the highest point
  });
  it('breaks a channel line where a bucket has no value', () => {
    const flow = [...html.matchAll(/class="channel" d="([^"]+)"/g)][1]?.[1] ?? '';
    assert.equal(flow.match(/M/g)?.length, 2);
  });
  it('draws the level, alert spans by kind, labels and round UTC time ticks', () => {
    assert.match(html, /class="level" d="M/);
    assert.equal(html.match(/class="alert-anomaly"/g)?.length, 1);
    assert.equal(html.match(/class="alert-sensor_fault"/g)?.length, 1);
    assert.equal(html.match(/class="label"/g)?.length, 1);
    // 2500 minutes ≈ 41.7 h: 6-hour ticks, the date where the day changes.
    const ticks = [...html.matchAll(/text-anchor="middle" font-size="11" fill="#333">([^<]+)</g)].map((m) => m[1]);
    assert.deepEqual(ticks, ['2026-02-14 00:00', '06:00', '12:00', '18:00', '2026-02-15 00:00', '06:00', '12:00']);
    assert.match(html, /time \(UTC\)/);
  });
  it('a linear score in [0, 1] with one decision level', () => {
    const calibrated = plotHtml(input({ score: Array.from({ length: 2500 }, (_, i) => (i % 100) / 100), scoreScale: 'linear', level: 0.8, levelLabel: 'decision level', scoreLabel: 'anomaly score' }));
    assert.match(calibrated, /decision level \(alert above it\)/);
    const ticks = [...calibrated.matchAll(/text-anchor="end" font-size="11" fill="#444">([^<]+)</g)].map((m) => m[1]);
    assert.deepEqual(ticks, ['0.0', '0.2', '0.4', '0.6', '0.8', '1.0']);
  });
  it('row numbers when the file has no time column; the title is escaped', () => {
    const rows = plotHtml(input({ times: Array.from({ length: 2500 }, (_, i) => 100 + i), timeKind: 'row', alerts: [], labels: [] }));
    assert.match(rows, />row</);
    assert.match(rows, />1000</);
    assert.match(html, /a\/&lt;b&gt;\.csv/);
  });
  it('an empty file gives a page that says so', () => {
    assert.match(plotHtml(input({ times: [], channels: [], score: [], level: [], alerts: [], labels: [] })), /no rows; 0 rows/);
  });
});
