import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SeriesResult } from '../../../eval/backtest.ts';
import { nabAnomalyScore, nabFiles, spanDays, summarise } from '../../../eval/summary.ts';

const day = 86_400_000;
function result(name: string, trainRows: number, errors: number[], flags: number[], labels: number[]): SeriesResult {
  return {
    name,
    trainRows,
    timestamps: errors.map((_, i) => (trainRows + i) * day),
    timeText: errors.map((_, i) => String(i)),
    labels: Uint8Array.from(labels),
    errors: Float64Array.from(errors),
    thresholds: Float64Array.from(errors, () => 1),
    scores: Float64Array.from(errors, (e) => e / (1 + e)),
    detections: Float64Array.from(flags, (f, i) => (f === 1 && (flags[i - 1] ?? 0) === 0 ? errors[i] as number / (1 + (errors[i] as number)) : 0)),
    kinds: Uint8Array.from(flags),
    rowKeys: errors.map((_, i) => trainRows + i),
    flags: Uint8Array.from(flags),
    anomalyAlerts: 1,
    faultAlerts: 0,
    windows: [],
    segments: [{ fromWindow: 0, toWindow: 0, trainWindows: 1, valLoss: 0, epochs: 1, thresholds: { thresholds: { model: { value: 1, method: 'static', details: {} }, perSensor: {} }, calibration: { errors: [], perSensorErrors: {} } } }],
    model: { kind: 'dense', models: 1, firstModelRow: 0, skipped: 0, rejected: 0, trainWindows: 1, epochs: 1, valLoss: 0, trainSeconds: 0, backend: 'cpu' },
    windowerStats: { duplicates: 0, conflicts: 0, late: 0, filled: 0, resets: 0 },
  };
}

describe('summary', () => {
  const cases: Array<[number, number]> = [[0.5, 0.5], [0.75, 0.75], [0, 0], [Number.NaN, 0]];
  for (const [s, want] of cases) it(`nabAnomalyScore(${s}) = ${want}`, () => assert.equal(nabAnomalyScore(s), want));
  it('spanDays', () => {
    assert.equal(spanDays([0, 2 * day]), 2);
    assert.equal(spanDays([5]), null);
  });
  const a = result('a', 2, [0.5, 2, 2, 0.5], [0, 1, 1, 0], [0, 1, 0, 0]);
  const b = result('b', 1, [0.5, 0.5, 3], [0, 0, 1], [0, 1, 1]);
  it('pools point counts over files (not a mean of per-file figures)', () => {
    const s = summarise([a, b]);
    // a: tp1 fp1 tn2; b: tp1 fn1 tn1 → tp2 fp1 fn1 tn3
    assert.deepEqual([s.tp, s.fp, s.fn, s.tn], [2, 1, 1, 3]);
    assert.equal(s.precision, 2 / 3);
    assert.equal(s.far, 25);
    assert.equal(s.mar, (100 * 1) / 3);
    assert.equal(s.eventRecall, 1);
    assert.equal(s.perFile.a?.alertsPerDay, 1 / 3);
    assert.equal(s.perFile.b?.meanDetectionDelayRows, 1);
  });
  it('NAB inputs are full length: training rows score 0; detections score only where an alert opens', () => {
    const [fd] = nabFiles([a], { a: [[3, 3]] }, 'detection');
    assert.deepEqual(Array.from(fd?.scores ?? []), [0, 0, 0, 2 / 3, 0, 0]);
    const [fa] = nabFiles([a], { a: [[3, 3]] }, 'score');
    assert.deepEqual(Array.from(fa?.scores ?? []), [0, 0, 1 / 3, 2 / 3, 2 / 3, 1 / 3]);
    const [da] = nabFiles([a], { a: [[3, 3]] }, 'decision');
    assert.deepEqual(Array.from(da?.scores ?? []), [0, 0, 0, 1, 1, 0]);
  });
  it('adds nab.* keys with NAB data', () => {
    const s = summarise([a], { profiles: { standard: { tpWeight: 1, fnWeight: 1, fpWeight: 0.11 } }, windows: { a: [[3, 3]] } });
    assert.equal(typeof s['nab.standard'], 'number');
    assert.ok(s.perFile.a?.nab?.['nab.standard'] !== undefined);
  });
});
