import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ThresholdSource } from '../../../../common/calibration/thresholds.ts';
import { defaultConfig } from '../../../../common/config/defaults.ts';
import { decide, initialSensorState, type DecisionInput, type SensorState } from '../../../../common/decision/decide.ts';
import { isNewNormal, newNormalAfterMsOf, parseNewNormalAfter } from '../../../../common/decision/new-normal.ts';
import { ConfigError, parseConfigText } from '../../../../common/config/load.ts';
import { typeConfig } from '../../../../common/config/sensor-types.ts';
import { mergePolicy } from '../../../../common/decision/policy.ts';
import { createRng } from '../../../../common/rng.ts';
import type { AnomalyAlert } from '../../../../common/types.ts';

// A sensor on the default likelihood (error `both`), one window a second: held-out errors around
// 0.05 (window) and 0.2 (step), then the stream given, both errors scaled alike.
const rng = createRng(11);
const heldOut = Array.from({ length: 400 }, () => 0.05 * (1 + 0.1 * rng.normal()));
const heldOutSteps = Array.from({ length: 400 }, () => 0.2 * (1 + 0.1 * rng.normal()));
const source: ThresholdSource = {
  thresholds: { model: { value: 0.1, method: 'static', details: {} }, perSensor: {} },
  calibration: { errors: heldOut, perSensorErrors: {}, steps: { stepSamples: 1, mean: { s1: heldOutSteps }, max: { s1: heldOutSteps } } },
};
const model = { key: 'k', version: 1, calibration: source };

function policy(newNormalAfter: string): DecisionInput['policy'] {
  const base = mergePolicy({ ...defaultConfig, scorer: { ...defaultConfig.scorer, newNormalAfter } }, 's1', 1);
  return { ...base, likelihood: { ...base.likelihood, warmupSamples: 0 }, novelty: { ...base.novelty, enabled: false } };
}

/** Feeds `factors` (the errors' multiple of normal, one window a second) and returns the anomaly events as "second:state:reason". */
function feed(factors: number[], newNormalAfter: string): { trace: string[]; events: AnomalyAlert[]; state: SensorState } {
  const p = policy(newNormalAfter);
  const noise = createRng(5);
  let state = initialSensorState('s1');
  const trace: string[] = [];
  const events: AnomalyAlert[] = [];
  factors.forEach((f, i) => {
    const wobble = 1 + 0.1 * noise.normal();
    const d = decide(state, { window: { sensorId: 's1', seq: i, start: i * 1000 - 999, end: i * 1000 }, errors: { error: 0.05 * f * wobble, step: 0.2 * f * wobble, stepMax: 0.2 * f * wobble }, model, policy: p, fault: null });
    state = d.state;
    for (const e of d.events) {
      if (e.kind !== 'anomaly') continue;
      trace.push(`${i}:${e.state}:${e.reason ?? ''}`);
      events.push(e);
    }
  });
  return { trace, events, state };
}

const normal = (n: number): number[] => Array.from({ length: n }, () => 1);
const shifted = (n: number, by: number): number[] => Array.from({ length: n }, () => by);

describe('parseNewNormalAfter', () => {
  it('reads a duration in s, m, h or d, and never', () => {
    assert.equal(parseNewNormalAfter('30s'), 30_000);
    assert.equal(parseNewNormalAfter('30m'), 1_800_000);
    assert.equal(parseNewNormalAfter('1.5h'), 5_400_000);
    assert.equal(parseNewNormalAfter('3d'), 259_200_000);
    assert.equal(parseNewNormalAfter('never'), Number.POSITIVE_INFINITY);
  });
  it('refuses anything else, naming the key and the forms it takes', () => {
    for (const bad of ['', '30', '0m', '-1h', '3 weeks', '1000']) {
      assert.throws(() => parseNewNormalAfter(bad), (e: Error) => e.message.includes('scorer.newNormalAfter') && e.message.includes("'never'"), bad);
    }
  });
  it('isNewNormal: only an excursion that has lasted the duration', () => {
    assert.equal(isNewNormal(undefined, 10_000, 1000), false);
    assert.equal(isNewNormal(0, 999, 1000), false);
    assert.equal(isNewNormal(0, 1000, 1000), true);
    assert.equal(isNewNormal(0, 1e15, Number.POSITIVE_INFINITY), false);
  });
});

describe('scorer.newNormalAfter through decide()', () => {
  it('a lasting change is learnt after the duration: the alert resolves new_normal, and the new level stays quiet', () => {
    const { trace } = feed([...normal(200), ...shifted(300, 4)], '60s');
    assert.equal(trace[0], '200:open:');
    // Learnt 60 s after the first window kept out (the shift's first window), the alert resolves at that window.
    assert.deepEqual(trace.slice(1), ['260:resolve:new_normal'], trace.join(' '));
  });
  it('never: the same change keeps its alert open to the end', () => {
    const { trace, state } = feed([...normal(200), ...shifted(300, 4)], 'never');
    assert.deepEqual(trace, ['200:open:']);
    assert.notEqual(state.anomaly.open, null);
  });
  it('signals that return to their pre-alert behaviour close the alert at once, without waiting for the duration', () => {
    const { trace } = feed([...normal(200), ...shifted(20, 4), ...normal(100)], '1h');
    // Resolved once the short-term average (averageSamples 10) has no shifted window left: 10 windows after the return.
    assert.deepEqual(trace, ['200:open:', '229:resolve:'], trace.join(' '));
  });
  it('with error `both`, the two estimates learn the new level together (the alert does not open again)', () => {
    // Only the step error shifts far; the window error shifts a little: whichever learns first, both move.
    const { trace } = feed([...normal(200), ...shifted(400, 6)], '100s');
    assert.equal(trace.filter((t) => t.endsWith(':open:')).length, 1, trace.join(' '));
    assert.ok(trace.includes('300:resolve:new_normal'), trace.join(' '));
  });

  it('scorer.perSensor.<id>.newNormalAfter reaches the scorer and the trainer for that sensor alone, over its type', () => {
    const c = parseConfigText(
      [
        'sensorTypes:',
        '  - { name: pump, sensors: [pump-*], windowing: { channels: [a] }, scorer: { newNormalAfter: 1d } }',
        '  - { name: tank, sensors: [tank-*], windowing: { channels: [l] } }',
        'scorer: { perSensor: { pump-7: { newNormalAfter: 6h }, tank-2: { newNormalAfter: never } } }',
      ].join('\n'),
      'test.yaml',
    );
    const h = 3_600_000;
    assert.equal(newNormalAfterMsOf(c, 'pump-7'), 6 * h, 'its own');
    assert.equal(newNormalAfterMsOf(c, 'pump-1'), 24 * h, "its type's");
    assert.equal(newNormalAfterMsOf(c, 'tank-2'), Number.POSITIVE_INFINITY);
    assert.equal(newNormalAfterMsOf(c, 'tank-1'), 3 * 24 * h, 'the default');
    assert.equal(mergePolicy(typeConfig(c, 'pump'), 'pump-7').newNormalAfterMs, 6 * h, 'the scorer judges pump-7 with it');
    assert.equal(mergePolicy(typeConfig(c, 'pump'), 'pump-1').newNormalAfterMs, 24 * h);
  });

  it('config check names a bad per-sensor newNormalAfter by its path', () => {
    for (const [value, pattern] of [
      ['soon', /^scorer\.perSensor\.pump-7\.newNormalAfter 'soon' is not a duration/],
      ['5', /^scorer\.perSensor\.pump-7\.newNormalAfter: must be a duration like/],
    ] as const) {
      try {
        parseConfigText(`scorer: { perSensor: { pump-7: { newNormalAfter: ${value} } } }`, 'test.yaml');
        assert.fail(`accepted newNormalAfter ${value}`);
      } catch (err) {
        assert.ok(err instanceof ConfigError, String(err));
        assert.ok(err.problems.some((p) => pattern.test(p)), err.problems.join('\n'));
      }
    }
  });
});

