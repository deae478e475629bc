import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultConfig } from '../../../../common/config/defaults.ts';
import type { Config } from '../../../../common/config/types.ts';
import { channelTerms } from '../../../../common/decision/channels.ts';
import { initialSensorState } from '../../../../common/decision/decide.ts';
import { judgeWindow, type JudgeInput } from '../../../../common/decision/judge.ts';
import type { ThresholdSource } from '../../../../common/calibration/thresholds.ts';
import type { SignalWindow } from '../../../../common/types.ts';

// The raw-error path with a static threshold 0.1: an error of 0.3 scores 0.75 (critical).
const config: Config = {
  ...defaultConfig,
  windowing: { ...defaultConfig.windowing, hop: 1 },
  thresholds: { ...defaultConfig.thresholds, method: 'static', value: 0.1 },
  scorer: { ...defaultConfig.scorer, topChannels: 1, faults: { ...defaultConfig.scorer.faults, flatlineSamples: 4 } },
};
const source: ThresholdSource = {
  thresholds: { model: { value: 0.1, method: 'static', details: {} }, perSensor: {} },
  calibration: { errors: [], perSensorErrors: {}, ranges: { s1: { low: [0, 0], high: [10, 10] } } },
};
const model: JudgeInput['model'] = { key: 'm', version: 1, calibration: source, channels: ['a', 'b'] };
const errors: JudgeInput['errors'] = { error: 0.3, step: 0.3, stepMax: 0.3, contributions: [0.1, 0.2], stepContributions: [0.2, 0.1] };

/** Four samples of channels a, b; `b` gives channel b's values. */
function windowOf(seq: number, b: number[] = [1, 2, 3, 4]): SignalWindow {
  return { sensorId: 's1', seq, start: seq, end: seq + 3, channels: ['a', 'b'], samples: b.flatMap((v, t) => [1 + t, v]), missing: 0, badQuality: 0 };
}

describe('judgeWindow', () => {
  it('judged from its samples or from its record (a replay), a window decides alike', () => {
    const live = judgeWindow(initialSensorState('s1'), { window: windowOf(0), errors, model, config });
    assert.equal(live.fault, null);
    assert.deepEqual(live.extremes, { channels: ['a', 'b'], low: [4, 4], high: [4, 4] });
    const { fault, extremes } = live;
    const replayed = judgeWindow(initialSensorState('s1'), { window: { sensorId: 's1', seq: 0, start: 0, end: 3, fault, extremes }, errors, model, config });
    assert.deepEqual(replayed, live);
    assert.deepEqual(live.events.map((e) => [e.kind, e.state, e.severity]), [['anomaly', 'open', 'critical']]);
  });

  it("names the judged error's largest channel term (scorer.topChannels of them) and returns every term", () => {
    const d = judgeWindow(initialSensorState('s1'), { window: windowOf(0), errors, model, config });
    assert.equal(d.errorKind, 'window');
    assert.deepEqual(d.contributions, [0.1, 0.2]);
    assert.deepEqual(d.events[0]?.topChannels, [{ channel: 'b', contribution: 0.2 }]);
  });

  it('without channel terms (a scored history) the alert names none', () => {
    const { contributions: _c, stepContributions: _s, ...bare } = errors;
    const d = judgeWindow(initialSensorState('s1'), { window: windowOf(0), errors: bare, model, config });
    assert.deepEqual(d.contributions, []);
    assert.deepEqual(d.events[0]?.topChannels, []);
  });

  it('applies the fault rules of the sensor policy: a stuck channel opens sensor_fault, not anomaly', () => {
    const d = judgeWindow(initialSensorState('s1'), { window: windowOf(0, [5, 5, 5, 5]), errors, model, config });
    assert.equal(d.fault?.fault, 'flatline');
    assert.deepEqual(d.events.map((e) => [e.kind, e.state]), [['sensor_fault', 'open']]);
  });

  it("applies the sensor's own overrides (scorer.perSensor)", () => {
    const strict: Config = { ...config, scorer: { ...config.scorer, perSensor: { s1: { severities: [{ name: 'page', minScore: 0.8 }] } } } };
    const d = judgeWindow(initialSensorState('s1'), { window: windowOf(0), errors, model, config: strict });
    assert.deepEqual(d.events, [], '0.75 is below the sensor’s only band');
  });
});

describe('channelTerms', () => {
  const terms = { window: [1, 2], step: [0.1, 0.3] };
  it('window: the shares of the window error', () => assert.deepEqual(channelTerms(terms, 'window', 'max'), [1, 2]));
  it('step, mean: the per-step terms', () => assert.deepEqual(channelTerms(terms, 'step', 'mean'), [0.1, 0.3]));
  it('step, max: each channel’s own term (× channels)', () => assert.deepEqual(channelTerms(terms, 'step', 'max'), [0.2, 0.6]));
});
