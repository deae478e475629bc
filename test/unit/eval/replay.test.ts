import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { replayDecisions, windowForRows, type ScoredWindow } from '../../../eval/replay.ts';
import { adaptiveStep, type AdaptiveState } from '../../../common/decision/adaptive.ts';
import { defaultConfig } from '../../../common/config/defaults.ts';
import type { Config } from '../../../common/config/types.ts';
import type { ThresholdSource } from '../../../common/calibration/thresholds.ts';

// The raw-error path (score r / (1 + r)): the lowest band 0.5 is the threshold itself.
const configWith = (method: 'static' | 'adaptive', settings = { adaptiveHalfLife: 2, adaptiveK: 1, adaptiveFloor: 0.5 }): Config => ({
  ...defaultConfig,
  thresholds: { ...defaultConfig.thresholds, method, ...settings },
  scorer: {
    ...defaultConfig.scorer,
    hysteresis: { openAfter: 2, openWindow: 3, resolveAfter: 2, releaseScore: 0.5, holdOffSamples: 0 },
    severities: [{ name: 'warning', minScore: 0.5 }],
  },
});
const policy = configWith('static');
const source = (value: number, errors: number[] = []): ThresholdSource => ({ thresholds: { model: { value, method: 'static', details: {} }, perSensor: {} }, calibration: { errors, perSensorErrors: {} } });
const whole = (n: number, thresholds: ThresholdSource) => [{ fromWindow: 0, toWindow: n, thresholds }];
const windows = (errors: number[]): ScoredWindow[] => errors.map((error, i) => ({ seq: i, start: i * 10 - 30, end: i * 10, error, step: error, stepMax: error, fault: null }));

describe('replayDecisions (the scorer decide(), window by window)', () => {
  it('opens after 2 of 3 above, resolves after 2 below', () => {
    // threshold 1: above = error >= 1
    const r = replayDecisions({ sensorId: 's', windows: windows([0, 2, 0, 2, 2, 0, 0, 0, 3, 0]), segments: whole(10, source(1)), config: policy });
    assert.deepEqual(Array.from(r.open), [0, 0, 0, 1, 1, 1, 0, 0, 0, 0]);
    assert.equal(r.anomalyAlerts, 1);
  });
  it('a faulty window goes to the fault track, not the anomaly track', () => {
    const w = windows([5, 5, 5, 5]).map((x) => ({ ...x, fault: { fault: 'flatline' as const, channels: ['v'], detail: '' } }));
    const r = replayDecisions({ sensorId: 's', windows: w, segments: whole(4, source(1)), config: policy });
    assert.deepEqual(Array.from(r.faultOpen), [0, 1, 1, 1]);
    assert.deepEqual(Array.from(r.open), [0, 0, 0, 0]);
    assert.equal(r.faultAlerts, 1);
  });
});

describe('replayDecisions with the adaptive threshold (the scorer adaptiveStep)', () => {
  const settings = { halfLife: 2, k: 1, floor: 0.5 };
  const adaptive = configWith('adaptive');
  const errors = [0.5, 0.6, 40, 40, 40, 40, 0.5, 0.5, 0.5, 0.5];
  const fold = (calibrated: number, seeds: Array<[number, number[]]>): number[] => {
    let state: AdaptiveState | undefined;
    return errors.map((error, i) => {
      const seg = seeds.filter(([from]) => from <= i).length;
      const heldOut = (seeds[seg - 1] as [number, number[]])[1];
      const r = adaptiveStep(state, { model: `s@${seg}`, error, calibrated, heldOut: () => heldOut, usable: true }, settings);
      state = r.state;
      return r.threshold;
    });
  };
  it('without it, the thresholds are the calibrated ones', () => {
    assert.deepEqual(Array.from(replayDecisions({ sensorId: 's', windows: windows(errors), segments: whole(errors.length, source(2)), config: policy }).thresholds), errors.map(() => 2));
  });
  it('one model: the thresholds are adaptiveStep folded over the windows', () => {
    const r = replayDecisions({ sensorId: 's', windows: windows(errors), segments: whole(errors.length, source(1, [0.2, 0.5, 1])), config: adaptive });
    assert.deepEqual(Array.from(r.thresholds), fold(1, [[0, [0.2, 0.5, 1]]]));
    assert.equal(r.anomalyAlerts, 1);
  });
  it('a new model (another threshold source) re-seeds; a kept one does not', () => {
    const a = source(1, [0.2, 0.5, 1]);
    const b = source(1, [5, 10, 20]);
    const segments = [
      { fromWindow: 0, toWindow: 4, thresholds: a },
      { fromWindow: 4, toWindow: 6, thresholds: b },
      { fromWindow: 6, toWindow: errors.length, thresholds: b },
    ];
    const r = replayDecisions({ sensorId: 's', windows: windows(errors), segments, config: adaptive });
    assert.deepEqual(Array.from(r.thresholds), fold(1, [[0, [0.2, 0.5, 1]], [4, [5, 10, 20]]]));
  });
});

describe('windowForRows', () => {
  const cases: Array<[number[], number[], number[]]> = [
    [[0, 10, 20], [0, 10, 20], [0, 1, 2]], // hop 1: the window ending at the row
    [[0, 10, 20, 30], [10, 30], [-1, 0, 0, 1]], // hop 2: the last window at or before
    [[5, 15], [], [-1, -1]],
  ];
  for (const [rows, ends, want] of cases) it(`${JSON.stringify(rows)} / ${JSON.stringify(ends)}`, () => assert.deepEqual(Array.from(windowForRows(rows, ends)), want));
});
