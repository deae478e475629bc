// The alert record's error and threshold are in one unit for a sensor across its events
// (issue 19): with thresholds.likelihood.error `both` (the default) the score is the larger
// of the whole-window error's and the per-step error's, and the two are in different units
// (normalised units squared vs standardised squared residual, here about 200× apart). An
// alert opened by a short spike (the per-step error) and raised by a sustained rise (the
// window error) used to report the per-step pair in one event and the window pair in the next.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decide, initialSensorState, type DecisionInput, type SensorState } from '../../../../common/decision/decide.ts';
import { mergePolicy } from '../../../../common/decision/policy.ts';
import { defaultConfig } from '../../../../common/config/defaults.ts';
import type { ThresholdSource } from '../../../../common/calibration/thresholds.ts';
import type { AnomalyAlert } from '../../../../common/types.ts';

/** A seeded generator (mulberry32), so the case is the same on every run. */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const rand = seeded(19);
const windowScale = 0.05;
const stepScale = 10;
const noise = (scale: number): number => scale * (0.8 + 0.4 * rand());
const held = (scale: number): number[] => Array.from({ length: 400 }, () => noise(scale));
const source: ThresholdSource = {
  thresholds: { model: { value: windowScale * 2, method: 'static', details: {} }, perSensor: {} },
  calibration: { errors: held(windowScale), perSensorErrors: {}, steps: { stepSamples: 16, mean: { s1: held(stepScale) }, max: { s1: held(stepScale) } } },
};
const policy = mergePolicy(defaultConfig, 's1');
const model = { key: 'default', version: 1, calibration: source };

type Phase = { windows: number; window: number; step: number };
/** Steps the sensor through the phases; returns every alert event. */
function run(phases: Phase[]): AnomalyAlert[] {
  let state: SensorState = initialSensorState('s1');
  const events: AnomalyAlert[] = [];
  let seq = 0;
  for (const p of phases) {
    for (let i = 0; i < p.windows; i++, seq++) {
      const step = noise(p.step);
      const d = decide(state, {
        window: { sensorId: 's1', seq, start: seq * 800, end: seq * 800 + 3150 },
        errors: { error: noise(p.window), step, stepMax: step },
        channels: { names: ['ch0'], window: [1], step: [1000], top: 1 },
        model,
        policy,
        fault: null,
      });
      state = d.state;
      events.push(...d.events);
    }
  }
  return events;
}

describe('alert record: error and threshold in one unit for a sensor', () => {
  assert.equal(policy.thresholds.method, 'likelihood');
  assert.equal(policy.likelihood.error, 'both');
  const events = run([
    { windows: 300, window: windowScale, step: stepScale },
    // a short spike: only the per-step error leaves its range (it opens a warning)
    { windows: 3, window: windowScale, step: stepScale * 1.6 },
    // a sustained rise of the whole window's error (it raises the alert to critical)
    { windows: 40, window: windowScale * 20, step: stepScale },
    { windows: 300, window: windowScale, step: stepScale },
  ]);
  const states = events.map((e) => e.state);

  it('the case opens on the per-step error and is then carried by the window error, through an update and a resolve', () => {
    assert.ok(states.includes('open') && states.includes('update') && states.includes('resolve'), `events: ${states.join(', ')}`);
    const open = events.find((e) => e.state === 'open');
    assert.ok(open !== undefined && open.stepError != null && open.stepThreshold != null);
    assert.ok(open.stepError > open.stepThreshold, 'the per-step error opened it');
    assert.ok(open.reconstructionError < open.threshold, 'the window error was below its level when it opened');
    assert.ok(events.some((e) => e.reconstructionError > e.threshold), 'the window error carries a later event');
  });

  it('every event reports the whole-window error and its level, the per-step pair beside them', () => {
    for (const e of events) {
      const where = `${e.state} ${e.windowStart}`;
      // window errors are about 0.05 (20× in the rise), per-step ones about 10 (50× in the spike)
      assert.ok(e.reconstructionError < 2 && e.threshold < 1, `${where}: error ${e.reconstructionError}, threshold ${e.threshold} in window units`);
      assert.ok(e.stepError != null && e.stepThreshold != null && e.stepThreshold > 5, `${where}: step threshold ${e.stepThreshold} in per-step units`);
      assert.ok(e.topChannels.every((c) => c.contribution === 1), `${where}: channel terms of the window error`);
    }
    const thresholds = events.map((e) => e.threshold);
    assert.ok(Math.max(...thresholds) / Math.min(...thresholds) < 5, `thresholds ${thresholds.join(', ')} stay on one scale`);
  });
});

describe('alert record: one error reported', () => {
  for (const error of ['window', 'step'] as const) {
    it(`thresholds.likelihood.error ${error}: no per-step pair beside it`, () => {
      const p: DecisionInput['policy'] = { ...policy, likelihood: { ...policy.likelihood, error } };
      let state = initialSensorState('s1');
      const events: AnomalyAlert[] = [];
      for (let seq = 0; seq < 260; seq++) {
        const scale = seq > 200 && seq < 230 ? 40 : 1;
        const d = decide(state, {
          window: { sensorId: 's1', seq, start: seq * 800, end: seq * 800 + 3150 },
          errors: { error: noise(windowScale * scale), step: noise(stepScale * scale), stepMax: noise(stepScale * scale) },
          model,
          policy: p,
          fault: null,
        });
        state = d.state;
        assert.equal(d.errorKind, error);
        events.push(...d.events);
      }
      assert.ok(events.length > 0, 'the rise raised an alert');
      for (const e of events) assert.equal(e.stepError, null);
    });
  }
});
