import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultConfig } from '../../../common/config/defaults.ts';
import type { Config } from '../../../common/config/types.ts';
import { initBackend } from '../../../common/model/backend.ts';
import { backtestSeries, firstTraining, medianStep, retrainPoints } from '../../../eval/backtest.ts';
import type { SignalWindow } from '../../../common/types.ts';
import type { Series } from '../../../eval/series.ts';

describe('backtest helpers', () => {
  const points: Array<[number, number, number, number[]]> = [
    [100, 1000, 0, [100]],
    [100, 1000, 300, [100, 400, 700]],
    [100, 400, 300, [100]],
  ];
  for (const [train, rows, every, want] of points) it(`retrainPoints(${train}, ${rows}, ${every})`, () => assert.deepEqual(retrainPoints(train, rows, every), want));
  it('medianStep ignores the odd gap', () => assert.equal(medianStep([0, 10, 20, 30, 1000, 1010]), 10));
});

describe('firstTraining (the first model as the service trains it)', () => {
  const w = (seq: number): SignalWindow => ({ sensorId: 's', seq, start: seq, end: seq + 3, channels: ['v'], samples: [0, 0, 0, 0], missing: 0, badQuality: 0 });
  const before = [w(0), w(1), w(2)];
  const after = [3, 4, 5].map((seq) => ({ w: w(seq), row: seq + 3 }));
  it('enough windows before the scored rows: they train, at the split', () => {
    assert.deepEqual(firstTraining({ before, after, minWindows: 3, trainRows: 6 }), { windows: before, atRow: 6 });
  });
  it('too few: as many more as it takes, the model existing after the last one ends', () => {
    const f = firstTraining({ before, after, minWindows: 5, trainRows: 6 });
    assert.deepEqual(f?.windows.map((x) => x.seq), [0, 1, 2, 3, 4]);
    assert.equal(f?.atRow, 8);
  });
  it('never enough: no model', () => assert.equal(firstTraining({ before, after, minWindows: 7, trainRows: 6 }), null));
});

describe('backtestSeries', () => {
  // 400 rows of a sine with irregular gaps; rows 300..309 shifted by +5.
  const n = 400;
  const timestamps = Array.from({ length: n }, (_, i) => i * 60_000 + (i > 200 ? 3_600_000 : 0));
  const values = Array.from({ length: n }, (_, i) => Math.sin(i / 5) + (i >= 300 && i < 310 ? 5 : 0));
  const series: Series = {
    name: 's.csv',
    timestamps,
    timeText: timestamps.map(String),
    channels: ['v'],
    values,
    labels: Uint8Array.from(values, (_, i) => (i >= 300 && i < 310 ? 1 : 0)),
    filledCells: 0,
    outOfOrderRows: 0,
  };
  const config = structuredClone(defaultConfig) as Config;
  config.windowing.length = 8;
  config.model.kind = 'dense';
  config.model.hidden = [8];
  config.model.codeSize = 2;
  config.model.training.epochs = 2;
  // The schedule's mechanics on a short file: 100 rows of lookback hold at most 100 windows.
  config.trainer.minWindows = 50;
  const base = { backend: 'cpu', trainHop: 1, lookback: 100 };

  it("spacing 'rows' scores every row; retraining adds models and carries decisions", async () => {
    const backend = (await initBackend('auto')).name;
    const r = await backtestSeries({ series, trainRows: 100, config, ...base, backend, spacing: 'rows', retrainEvery: 100 });
    assert.equal(r.errors.length, 300);
    assert.ok(r.errors.every(Number.isFinite), 'every scored row has its window');
    assert.equal(r.model.models, 3); // at rows 100, 200, 300
    assert.deepEqual(r.segments.map((s) => s.toWindow - s.fromWindow), [100, 100, 100]);
    assert.ok(r.flags.slice(200, 215).some((f) => f === 1), 'the +5 shift is flagged');
  });
  it("spacing 'time': the one-hour gap resets the window; rows before the next full window keep the last decision", async () => {
    const backend = (await initBackend('auto')).name;
    const r = await backtestSeries({ series, trainRows: 100, config, ...base, backend, spacing: 'time', retrainEvery: 0 });
    assert.equal(r.errors.length, 300);
    assert.equal(r.windowerStats.resets, 1);
    // rows 201..207 (scored 101..107) follow the gap: no window ends at them, they carry row 200's;
    // the first window after the gap is full at row 208
    for (let i = 101; i <= 107; i++) assert.equal(r.errors[i], r.errors[100]);
    assert.notEqual(r.errors[108], r.errors[100]);
  });
  it('skips a retraining whose lookback is all alerted (trainer.excludeAlerted), keeping the model', async () => {
    const backend = (await initBackend('auto')).name;
    // a permanent +50 shift from row 100: the alert opens and stays open
    const shifted: Series = { ...series, values: values.map((v, i) => v + (i >= 100 ? 50 : 0)) };
    const uncapped = structuredClone(config);
    uncapped.scorer.newNormalAfter = 'never';
    // The shift starts with scoring: the likelihood's warm-up would take it in as the sensor's normal.
    uncapped.thresholds.likelihood.warmupSamples = 0;
    const r = await backtestSeries({ series: shifted, trainRows: 100, config: uncapped, ...base, backend, spacing: 'rows', retrainEvery: 100 });
    assert.equal(r.model.models, 1);
    assert.equal(r.segments.length, 3);
    assert.ok(r.flags.slice(20, 200).every((f) => f === 1));
  });
  it('scorer.newNormalAfter caps how long an alert keeps data out: the shifted level is trained on after it, and the alert resolves new_normal', async () => {
    const backend = (await initBackend('auto')).name;
    const shifted: Series = { ...series, values: values.map((v, i) => v + (i >= 100 ? 50 : 0)) };
    const capped = structuredClone(config);
    capped.scorer.newNormalAfter = '30m'; // 30 rows of this series
    const r = await backtestSeries({ series: shifted, trainRows: 100, config: capped, ...base, backend, spacing: 'rows', retrainEvery: 100 });
    assert.equal(r.model.models, 3, 'both retrainings ran on the new level');
    // (the uncapped test above: open from row 20 to the end)
    assert.ok(r.flags.slice(40, 200).every((f) => f === 0), 'the shift is learnt after 30 rows and its alert resolves');
  });
  it('fewer than trainer.minWindows training windows: the first model trains once there are, and scores every scored row (as the service does)', async () => {
    const backend = (await initBackend('auto')).name;
    const late = structuredClone(config);
    late.trainer.minWindows = 150; // rows 0..99 hold 93 windows of 8; the 150th ends at row 156
    const r = await backtestSeries({ series, trainRows: 100, config: late, ...base, backend, spacing: 'rows', retrainEvery: 0 });
    assert.equal(r.model.models, 1);
    assert.equal(r.model.firstModelRow, 157);
    assert.ok(r.errors.every(Number.isFinite), 'the held rows are scored too');
  });
  it('a file that never has trainer.minWindows windows gets no model: no scores, no alerts', async () => {
    const backend = (await initBackend('auto')).name;
    const never = structuredClone(config);
    never.trainer.minWindows = 1000;
    const r = await backtestSeries({ series, trainRows: 100, config: never, ...base, backend, spacing: 'rows', retrainEvery: 100 });
    assert.equal(r.model.models, 0);
    assert.equal(r.model.firstModelRow, null);
    assert.equal(r.errors.length, 300);
    assert.ok(r.scores.every(Number.isNaN));
    assert.ok(r.flags.every((f) => f === 0));
    assert.equal(r.anomalyAlerts + r.faultAlerts, 0);
  });
  it("a retrained candidate the quality gate finds worse is dropped: the model in force stays (the trainer's retrain)", async () => {
    const backend = (await initBackend('auto')).name;
    const strict = structuredClone(config);
    strict.trainer.promotionMargin = -0.99; // a candidate must be 100× better than the model in force
    const r = await backtestSeries({ series, trainRows: 100, config: strict, ...base, backend, spacing: 'rows', retrainEvery: 100 });
    assert.equal(r.model.models, 1);
    assert.equal(r.model.rejected, 2);
    assert.equal(r.segments.length, 3);
    assert.ok(r.segments.every((seg) => seg.thresholds === r.segments[0]?.thresholds), 'one model scores throughout');
  });
});
