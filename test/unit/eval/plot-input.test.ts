import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { maxPlotChannels, plotInputOf, runsOf, telltaleChannels, timesAreRows } from '../../../eval/plot-input.ts';
import { logTicks, niceStep, numberTicks, timeTicks } from '../../../eval/plot-axis.ts';
import { plotFixture } from '../../support/plot-fixture.ts';

describe('plotInputOf', () => {
  it('every channel when there are few, the scored rows only, the calibrated score against the alert level', () => {
    const { series, result } = plotFixture({ channels: 4 });
    const p = plotInputOf(series, result, 0.5);
    assert.deepEqual(p.channels.map((c) => c.name), ['ch1', 'ch2', 'ch3', 'ch4']);
    assert.equal(p.channelNote, null);
    assert.equal(p.channels[1]?.values.length, result.errors.length);
    assert.equal(p.channels[1]?.values[0], series.values[result.trainRows * 4 + 1]);
    assert.equal(p.timeKind, 'time');
    assert.equal(p.level, 0.5);
    assert.equal(p.score, result.scores);
    assert.deepEqual([p.scoreLabel, p.scoreScale], ['anomaly score (calibrated)', 'linear']);
  });
  it('alert spans by kind from the open alerts of each kind, in row times', () => {
    const { series, result } = plotFixture({ channels: 4 });
    const p = plotInputOf(series, result, 0.5);
    const at = (k: number): number => result.timestamps[k] as number;
    const flagged = runsOf(result.kinds.length, (k) => ((result.kinds[k] as number) & 1) === 1);
    const faulty = runsOf(result.kinds.length, (k) => ((result.kinds[k] as number) & 2) === 2);
    assert.equal(flagged.length, 1);
    assert.equal(faulty.length, 1);
    assert.deepEqual(p.alerts, [
      { from: at(flagged[0]?.[0] ?? -1), to: at(flagged[0]?.[1] ?? -1), kind: 'anomaly' },
      { from: at(faulty[0]?.[0] ?? -1), to: at(faulty[0]?.[1] ?? -1), kind: 'sensor_fault' },
    ]);
    assert.equal(p.labels.length, 1);
  });
  it(`at most ${maxPlotChannels} channels, the one that shifted during the alert first`, () => {
    const { series, result } = plotFixture({ channels: 12 });
    const p = plotInputOf(series, result, 0.5);
    assert.equal(p.channels.length, maxPlotChannels);
    assert.equal(p.channels[0]?.name, 'ch12');
    assert.match(p.channelNote ?? '', /^6 of 12 channels/);
  });
});

describe('plot input helpers', () => {
  it('runsOf', () => {
    const f = [0, 1, 1, 0, 1];
    assert.deepEqual(runsOf(5, (i) => f[i] === 1), [[1, 2], [4, 4]]);
  });
  it('telltaleChannels falls back to all scored rows without alerts', () => {
    const train = [[0, 1, 0, 1], [5, 5, 5, 6], [0, 0, 1, 1]];
    const scored = [[0, 1, 9, 1], [5, 5, 5, 9], [0, 0, 1, 1]];
    const pick = (focus: (r: number) => boolean): number[] => telltaleChannels({ channels: 3, max: 2, train: (c) => train[c] ?? [], scored: (c) => scored[c] ?? [], focus });
    assert.deepEqual(pick(() => false), [0, 1]);
    assert.deepEqual(pick((r) => r === 3), [1, 0], 'on the alert rows first');
    assert.deepEqual(telltaleChannels({ channels: 2, max: 6, train: () => [], scored: () => [], focus: () => false }), [0, 1]);
  });
  it('timesAreRows tells row numbers from epoch-ms times', () => {
    assert.equal(timesAreRows({ trainRows: 3, timestamps: [3, 4], timeText: ['3', '4'] }), true);
    assert.equal(timesAreRows({ trainRows: 3, timestamps: [1393000000000, 1393000300000], timeText: ['1393000000000', '1393000300000'] }), false);
    assert.equal(timesAreRows({ trainRows: 3, timestamps: [3000, 4000], timeText: ['3', '4'] }), false);
  });
});

describe('plot axes', () => {
  it('time ticks at round UTC instants, seconds when the range is short', () => {
    const t0 = Date.parse('2026-02-14T10:00:07Z');
    assert.deepEqual(timeTicks(t0, t0 + 40_000).map((t) => t.text), ['2026-02-14 10:00:10', '10:00:15', '10:00:20', '10:00:25', '10:00:30', '10:00:35', '10:00:40', '10:00:45']);
    assert.deepEqual(timeTicks(Date.parse('2026-01-01T00:00:00Z'), Date.parse('2026-01-06T00:00:00Z')).map((t) => t.text), ['2026-01-01', '2026-01-02', '2026-01-03', '2026-01-04', '2026-01-05', '2026-01-06']);
  });
  it('number and log ticks', () => {
    assert.deepEqual([niceStep(0.3), niceStep(7), niceStep(12), niceStep(40)], [0.2, 5, 10, 50]);
    assert.deepEqual(numberTicks(0, 1.05).map((t) => t.text), ['0.0', '0.2', '0.4', '0.6', '0.8', '1.0']);
    assert.deepEqual(logTicks(-2, 1).map((t) => t.text), ['0.01', '0.1', '1', '10']);
    assert.deepEqual(logTicks(-9, 3).map((t) => t.text), ['1e-9', '1e-7', '1e-5', '0.001', '0.1', '10', '1000']);
  });
});
