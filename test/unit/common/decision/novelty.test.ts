import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { newSampleExtremes, rangesOf, widen, type WindowExtremes } from '../../../../common/calibration/ranges.ts';
import { noveltyReason, noveltyStep, seedFor, type RangeState } from '../../../../common/decision/novelty.ts';
import { decide, initialSensorState, type DecisionInput, type SensorState } from '../../../../common/decision/decide.ts';
import { mergePolicy } from '../../../../common/decision/policy.ts';
import { defaultConfig } from '../../../../common/config/defaults.ts';
import type { ThresholdSource } from '../../../../common/calibration/thresholds.ts';

const on = { enabled: true, tolerance: 0.1 };
const one = (a: number, b: number): WindowExtremes => ({ channels: ['x', 'y'], low: [a, b], high: [a, b] });

describe('newSampleExtremes', () => {
  it('takes the newest samples of each channel, in the model order, NaN for a channel the window lacks', () => {
    // Row-major frames of channels [y, x]: (y, x) = (1, 10), (2, 20), (3, 30), (4, 40).
    const w = { channels: ['y', 'x'], samples: [1, 10, 2, 20, 3, 30, 4, 40] };
    assert.deepEqual(newSampleExtremes(w, ['x', 'y'], 2), { channels: ['x', 'y'], low: [30, 3], high: [40, 4] });
    assert.deepEqual(newSampleExtremes(w, ['x', 'y'], 1), { channels: ['x', 'y'], low: [40, 4], high: [40, 4] });
    const missing = newSampleExtremes(w, ['x', 'z'], 4);
    assert.deepEqual(missing.low.slice(0, 1), [10]);
    assert.ok(Number.isNaN(missing.low[1]) && Number.isNaN(missing.high[1]));
  });

  it('skips non-finite samples', () => {
    const w = { channels: ['x'], samples: [Number.NaN, 5, Number.NaN] };
    assert.deepEqual(newSampleExtremes(w, ['x'], 3), { channels: ['x'], low: [5], high: [5] });
  });
});

describe('rangesOf and widen', () => {
  it('spans every sample of every window, per sensor', () => {
    const r = rangesOf(
      [
        { sensorId: 'a', channels: ['x'], samples: [1, 2, 3] },
        { sensorId: 'a', channels: ['x'], samples: [-1, 0] },
        { sensorId: 'b', channels: ['x'], samples: [7] },
      ],
      ['x'],
    );
    assert.deepEqual(r, { a: { low: [-1], high: [3] }, b: { low: [7], high: [7] } });
    assert.deepEqual(widen({ low: [0, Number.NaN], high: [1, Number.NaN] }, { low: [-2, 5], high: [0.5, 6] }), { low: [-2, 5], high: [1, 6] });
  });
});

describe('noveltyStep', () => {
  const seed = { low: [0, 0], high: [10, 1] };
  it('judges nothing without a training range, and nothing when disabled', () => {
    assert.deepEqual(noveltyStep(undefined, { model: 'm@1', seed: () => undefined, extremes: one(100, 100), usable: true }, on), { verdict: null, range: undefined });
    assert.equal(noveltyStep(undefined, { model: 'm@1', seed: () => seed, extremes: one(100, 0), usable: true }, { ...on, enabled: false }).verdict, null);
  });

  it('a value beyond the range by more than the tolerance is novel once; the range takes it in', () => {
    const inside = noveltyStep(undefined, { model: 'm@1', seed: () => seed, extremes: one(10.9, 0.5), usable: true }, on);
    assert.equal(inside.verdict, null, '10.9 is within 10 + 0.1 × 10');
    assert.deepEqual(inside.range, { model: 'm@1', low: [0, 0], high: [10.9, 1] }, 'but it widens the range');
    const out = noveltyStep(inside.range, { model: 'm@1', seed: () => seed, extremes: one(13, 0.5), usable: true }, on);
    assert.deepEqual(out.verdict, { channel: 'x', value: 13, low: 0, high: 10.9 });
    assert.deepEqual(out.range?.high, [13, 1]);
    assert.equal(noveltyStep(out.range, { model: 'm@1', seed: () => seed, extremes: one(13, 0.5), usable: true }, on).verdict, null, 'the same level again is not new');
    assert.match(noveltyReason(out.verdict as NonNullable<typeof out.verdict>), /^new extreme: x = 13, beyond every value seen \(0 to 10\.9\)$/);
  });

  it('judges low values too, and names the channel that left its range furthest (relative to its width)', () => {
    const r = noveltyStep(undefined, { model: 'm@1', seed: () => seed, extremes: one(-2, -0.5), usable: true }, on);
    assert.deepEqual(r.verdict, { channel: 'y', value: -0.5, low: 0, high: 1 }, 'y is 0.4 widths out, x only 0.1');
  });

  it('a faulty window is judged but does not widen the range', () => {
    const r = noveltyStep(undefined, { model: 'm@1', seed: () => seed, extremes: one(50, 0.5), usable: false }, on);
    assert.notEqual(r.verdict, null);
    assert.deepEqual(r.range, { model: 'm@1', low: [0, 0], high: [10, 1] });
  });

  it('a new model merges its training range into the one carried (ranges only grow)', () => {
    const carried: RangeState = { model: 'm@1', low: [-5, 0], high: [10, 1] };
    const r = noveltyStep(carried, { model: 'm@2', seed: () => ({ low: [0, -1], high: [20, 1] }), extremes: one(21, 0), usable: true }, on);
    assert.equal(r.verdict, null, '21 is within 20 + 0.1 × 25');
    assert.deepEqual(r.range, { model: 'm@2', low: [-5, -1], high: [21, 1] });
  });

  it('a flat channel (zero width) is never novel', () => {
    const r = noveltyStep(undefined, { model: 'm@1', seed: () => ({ low: [3, 0], high: [3, 1] }), extremes: one(4, 0.5), usable: true }, on);
    assert.equal(r.verdict, null);
  });
});

describe('decide with the new-extreme rule', () => {
  const source: ThresholdSource = {
    thresholds: { model: { value: 0.1, method: 'static', details: {} }, perSensor: {} },
    calibration: { errors: [], perSensorErrors: {}, ranges: { s1: { low: [0, 0], high: [10, 1] } } },
  };
  const policy: DecisionInput['policy'] = { ...mergePolicy(defaultConfig, 's1', 1), thresholds: { ...mergePolicy(defaultConfig, 's1', 1).thresholds, method: 'static', value: 0.1 } };
  const step = (state: SensorState, seq: number, x: number): ReturnType<typeof decide> =>
    decide(state, {
      window: { sensorId: 's1', seq, start: seq, end: seq },
      errors: { error: 0.01, step: 0.01, stepMax: 0.01 },
      model: { key: 'm', version: 1, calibration: source },
      policy,
      fault: null,
      extremes: one(x, 0.5),
    });

  it('a quiet window with a new extreme scores 1 and opens an alert that says why; the next ordinary window resolves it', () => {
    const a = step(initialSensorState('s1'), 0, 5);
    assert.ok(a.score < 0.5);
    assert.deepEqual(a.events, []);
    const b = step(a.state, 1, 12);
    assert.equal(b.score, 1);
    assert.deepEqual(
      b.events.map((e) => [e.state, e.severity, e.reason]),
      [['open', 'critical', 'new extreme: x = 12, beyond every value seen (0 to 10)']],
    );
    const c = step(b.state, 2, 11.5);
    assert.ok(c.score < 0.5, 'back inside the widened range');
    assert.deepEqual(c.events.map((e) => [e.state, e.reason]), [['resolve', null]]);
  });

  it('is not applied when the input carries no extremes (histories written before the rule)', () => {
    const d = decide(initialSensorState('s1'), {
      window: { sensorId: 's1', seq: 0, start: 0, end: 0 },
      errors: { error: 0.01, step: 0.01, stepMax: 0.01 },
      model: { key: 'm', version: 1, calibration: source },
      policy,
      fault: null,
    });
    assert.ok(d.score < 0.5);
    assert.deepEqual(d.events, []);
  });
});

describe('seedFor', () => {
  it("a sensor's own training range, else the union of every sensor's, else none", () => {
    const ranges = { a: { low: [0], high: [1] }, b: { low: [5], high: [9] } };
    assert.deepEqual(seedFor(ranges, 'b'), { low: [5], high: [9] });
    assert.deepEqual(seedFor(ranges, 'c'), { low: [0], high: [9] });
    assert.equal(seedFor({}, 'c'), undefined);
    assert.equal(seedFor(undefined, 'a'), undefined);
  });
});
