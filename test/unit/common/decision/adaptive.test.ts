import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { absorb, adaptiveStep, adaptiveThreshold, alphaFor, seedAdaptive, type AdaptiveSettings, type AdaptiveState } from '../../../../common/decision/adaptive.ts';
import { decodeState, encodeState } from '../../../../common/decision/state-codec.ts';
import { initialSensorState } from '../../../../common/decision/decide.ts';
import { calibrateThreshold, heldOutErrors, heldOutSteps, heldOutWindowSeed, minErrorsPerSensor, pooledOnOwnScale } from '../../../../common/calibration/thresholds.ts';
import { defaultConfig } from '../../../../common/config/defaults.ts';

const e = Math.exp;
const close = (got: number, want: number, what: string): void => assert.ok(Math.abs(got - want) <= 1e-9 * Math.max(1, Math.abs(want)), `${what}: got ${got}, want ${want}`);

interface Step {
  error: number;
  usable?: boolean;
  model?: string;
  /** Expected threshold of this window and state after it. */
  threshold: number;
  mean: number;
  variance: number;
  above: number;
}

interface Case {
  name: string;
  settings: AdaptiveSettings;
  heldOut: number[];
  calibrated: number;
  steps: Step[];
}

// Held-out errors e^0 and e^2: log mean 1, variance 1.
const a3 = alphaFor(3); // 1 − 2^(−1/3) ≈ 0.2063
const cases: Case[] = [
  {
    name: 'half-life 1 (α = ½), k 1: hand-computed EWMA of log error',
    settings: { halfLife: 1, k: 1, floor: 0 },
    heldOut: [1, e(2)],
    calibrated: 100,
    steps: [
      // threshold e^(1+1); x = 1, d = 0: μ 1, σ² = ½(1 + 0) = ½
      { error: e(1), threshold: e(2), mean: 1, variance: 0.5, above: 0 },
      // threshold e^(1+√½); x = 0, d = −1: μ ½, σ² = ½(½ + ½·1) = ½
      { error: 1, threshold: e(1 + Math.sqrt(0.5)), mean: 0.5, variance: 0.5, above: 0 },
      // threshold e^(½+√½) ≈ e^1.21 < e^2: above; a run of 1 = half-life, so absorbed: d = 1.5, μ 1.25, σ² = ½(½ + ½·2.25) = 0.8125
      { error: e(2), threshold: e(0.5 + Math.sqrt(0.5)), mean: 1.25, variance: 0.8125, above: 1 },
    ],
  },
  {
    name: 'half-life 3: above windows are not absorbed until the run reaches the half-life',
    settings: { halfLife: 3, k: 1, floor: 0 },
    heldOut: [1, e(2)],
    calibrated: 100,
    steps: [
      { error: e(5), threshold: e(2), mean: 1, variance: 1, above: 1 },
      { error: e(5), threshold: e(2), mean: 1, variance: 1, above: 2 },
      // third in a row: a new level; d = 4
      { error: e(5), threshold: e(2), mean: 1 + 4 * a3, variance: (1 - a3) * (1 + 16 * a3), above: 3 },
      // below again: the run restarts; d = 0 − μ
      {
        error: 1,
        threshold: e(1 + 4 * a3 + Math.sqrt((1 - a3) * (1 + 16 * a3))),
        mean: 1 + 4 * a3 + a3 * (0 - (1 + 4 * a3)),
        variance: (1 - a3) * ((1 - a3) * (1 + 16 * a3) + a3 * (1 + 4 * a3) ** 2),
        above: 0,
      },
    ],
  },
  {
    name: 'the floor: never below floor × calibrated',
    settings: { halfLife: 1, k: 1, floor: 0.5 },
    heldOut: [1, e(2)],
    calibrated: 100,
    steps: [{ error: e(1), threshold: 50, mean: 1, variance: 0.5, above: 0 }],
  },
  {
    name: 'faulty windows and NaN errors leave the state alone',
    settings: { halfLife: 1, k: 1, floor: 0 },
    heldOut: [1, e(2)],
    calibrated: 100,
    steps: [
      { error: e(9), usable: false, threshold: e(2), mean: 1, variance: 1, above: 0 },
      { error: Number.NaN, threshold: e(2), mean: 1, variance: 1, above: 0 },
    ],
  },
  {
    name: 'no held-out errors: the calibrated threshold until the first window seeds μ (σ² 0)',
    settings: { halfLife: 1, k: 1, floor: 0 },
    heldOut: [],
    calibrated: 100,
    steps: [
      { error: e(1), threshold: 100, mean: 1, variance: 0, above: 0 },
      { error: e(1), threshold: e(1), mean: 1, variance: 0, above: 1 },
    ],
  },
  {
    name: 'a new model re-seeds from its held-out errors',
    settings: { halfLife: 1, k: 1, floor: 0 },
    heldOut: [1, e(2)],
    calibrated: 100,
    steps: [
      { error: e(1), threshold: e(2), mean: 1, variance: 0.5, above: 0 },
      { error: e(1), model: 'm@2', threshold: e(2), mean: 1, variance: 0.5, above: 0 },
    ],
  },
];

describe('adaptiveStep (table)', () => {
  for (const c of cases) {
    it(c.name, () => {
      let state: AdaptiveState | undefined;
      c.steps.forEach((s, i) => {
        const r = adaptiveStep(state, { model: s.model ?? 'm@1', error: s.error, calibrated: c.calibrated, heldOut: () => c.heldOut, usable: s.usable ?? true }, c.settings);
        close(r.threshold, s.threshold, `step ${i} threshold`);
        close(r.state.mean, s.mean, `step ${i} mean`);
        close(r.state.variance, s.variance, `step ${i} variance`);
        assert.equal(r.state.above, s.above, `step ${i} above`);
        state = r.state;
      });
    });
  }
});

describe('adaptive pieces', () => {
  it('alphaFor: the weight halves after halfLife windows', () => {
    for (const h of [1, 3, 500]) close((1 - alphaFor(h)) ** h, 0.5, `half-life ${h}`);
  });
  it('seedAdaptive: mean and population variance of log error, non-finite errors ignored', () => {
    const s = seedAdaptive('m@1', [e(1), e(3), Number.NaN, Number.POSITIVE_INFINITY]);
    assert.deepEqual({ ...s }, { model: 'm@1', mean: 2, variance: 1, above: 0 });
  });
  it('absorb: an exact reconstruction (error 0) is clamped, not −∞', () => {
    assert.ok(Number.isFinite(absorb({ model: 'm', mean: 0, variance: 1, above: 0 }, 0, 0.5).mean));
  });
  it('adaptiveThreshold: k 0 gives the geometric mean', () => close(adaptiveThreshold({ model: 'm', mean: 2, variance: 9, above: 0 }, 1, { halfLife: 1, k: 0, floor: 0 }), e(2), 'k 0'));
  it('a long anomaly does not raise the threshold before the run reaches the half-life', () => {
    const settings = { halfLife: 50, k: 3, floor: 0 };
    let state: AdaptiveState | undefined;
    const thresholds: number[] = [];
    for (let i = 0; i < 49; i++) {
      const r = adaptiveStep(state, { model: 'm@1', error: 1000, calibrated: 1, heldOut: () => [0.5, 1, 2], usable: true }, settings);
      thresholds.push(r.threshold);
      state = r.state;
    }
    assert.equal(new Set(thresholds).size, 1);
    assert.equal(state?.above, 49);
  });
});

describe('adaptive state across restarts', () => {
  const settings = { halfLife: 7, k: 2, floor: 0.1 };
  const errors = Array.from({ length: 60 }, (_, i) => 0.5 + Math.abs(Math.sin(i * 1.7)) + (i >= 40 && i < 45 ? 20 : 0));
  const run = (restartAt: number | null): number[] => {
    let sensor = initialSensorState('s');
    const out: number[] = [];
    errors.forEach((error, i) => {
      if (i === restartAt) sensor = decodeState(encodeState(sensor)) ?? assert.fail('state did not decode');
      const r = adaptiveStep(sensor.adaptive, { model: 'm@1', error, calibrated: 1, heldOut: () => [0.4, 0.6, 0.9, 1.2], usable: true }, settings);
      out.push(r.threshold);
      sensor = { ...sensor, adaptive: r.state };
    });
    return out;
  };
  it('a replay through the state topic encoding gives the same thresholds, bit for bit', () => {
    const straight = run(null);
    for (const at of [1, 30, 42]) assert.deepEqual(run(at), straight);
  });
  it('an old state record without the adaptive field decodes and is seeded fresh', () => {
    const old = Buffer.from(JSON.stringify({ format: 1, state: initialSensorState('s') }));
    const s = decodeState(old);
    assert.equal(s?.adaptive, undefined);
    const r = adaptiveStep(s?.adaptive, { model: 'm@1', error: 1, calibrated: 1, heldOut: () => [e(1), e(3)], usable: true }, { halfLife: 1, k: 0, floor: 0 });
    close(r.threshold, e(2), 'seeded threshold');
  });
});

describe('adaptive calibration at training time', () => {
  it('calibrates like quantile (the base and floor), tagged adaptive', () => {
    const errors = Array.from({ length: 200 }, (_, i) => i / 100);
    const q = calibrateThreshold(errors, { ...defaultConfig.thresholds, method: 'quantile' });
    const a = calibrateThreshold(errors, { ...defaultConfig.thresholds, method: 'adaptive' });
    assert.equal(a.value, q.value);
    assert.equal(a.method, 'adaptive');
  });
  it('heldOutErrors: the sensor\'s own with enough of them, else the model\'s', () => {
    const own = Array.from({ length: minErrorsPerSensor }, () => 1);
    const meta = { calibration: { errors: [9], perSensorErrors: { a: own, b: [1, 2] } } };
    assert.equal(heldOutErrors(meta, 'a'), own);
    assert.deepEqual(heldOutErrors(meta, 'b'), [9]);
    assert.deepEqual(heldOutErrors(meta, 'c'), [9]);
  });
  it('a sensor with too few held-out errors seeds its likelihood from the pooled ones on its own scale', () => {
    const own = Array.from({ length: minErrorsPerSensor }, () => 1);
    const meta = { calibration: { errors: [2, 4, 6], perSensorErrors: { a: own, b: [0.4, 0.6] } } };
    assert.equal(heldOutWindowSeed(meta, 'a'), own);
    // b's own mean 0.5 against the pooled mean 4: the pooled errors times 1/8.
    assert.deepEqual(heldOutWindowSeed(meta, 'b'), [0.25, 0.5, 0.75]);
    assert.deepEqual(heldOutWindowSeed(meta, 'c'), [2, 4, 6], 'no own errors: the pooled ones as they are');
    assert.deepEqual(pooledOnOwnScale([2, 4], [0, 0]), [2, 4], 'a mean of 0 gives no scale');
    const steps = { calibration: { errors: [9], perSensorErrors: {}, steps: { stepSamples: 1, mean: {}, max: { a: [1, 3], b: [10] } } } };
    assert.deepEqual(heldOutSteps(steps, 'b', 'max'), [1, 3, 10].map((e) => e * (10 / (14 / 3))), 'steps: all sensors\' on b\'s scale (its mean 10 against 14 / 3)');
  });
});
