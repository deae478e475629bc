import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ThresholdConfig } from '../../../../common/config/types.ts';
import { calibrateAll, calibrateThreshold, minErrorsPerSensor, resolveThreshold, type ThresholdSource } from '../../../../common/calibration/thresholds.ts';
import { createRng } from '../../../../common/rng.ts';

const base: ThresholdConfig = { method: 'quantile', quantile: 0.9, multiplier: 1, k: 3, potInitialQuantile: 0.98, potRisk: 1e-3, value: 7 };
const oneToHundred = Array.from({ length: 100 }, (_, i) => i + 1);

describe('calibrateThreshold', () => {
  const exact = [
    // type-7 quantile of 1..100 at q: 1 + 99q
    { name: 'quantile q=0.9', cfg: { ...base, quantile: 0.9 }, data: oneToHundred, value: 90.1 },
    { name: 'quantile q=0.5 × 1.2', cfg: { ...base, quantile: 0.5, multiplier: 1.2 }, data: oneToHundred, value: 50.5 * 1.2 },
    { name: 'quantile q=1 is the max', cfg: { ...base, quantile: 1 }, data: [3, 1, 2], value: 3 },
    { name: 'quantile between two points', cfg: { ...base, quantile: 0.25 }, data: [0, 10], value: 2.5 },
    // mean 2.5, population std √1.25
    { name: 'mean_std k=2', cfg: { ...base, method: 'mean_std' as const, k: 2 }, data: [1, 2, 3, 4], value: 2.5 + 2 * Math.sqrt(1.25) },
    { name: 'static ignores the data', cfg: { ...base, method: 'static' as const, value: 0.42 }, data: [1, 2, 3], value: 0.42 },
  ];
  for (const c of exact) {
    it(`${c.name} → ${c.value}`, () => {
      const t = calibrateThreshold(c.data, c.cfg);
      assert.equal(t.method, c.cfg.method);
      assert.ok(Math.abs(t.value - c.value) < 1e-9, `${t.value} vs ${c.value}`);
    });
  }

  // POT: recover a far-tail quantile of data with a known tail.
  const n = 50_000;
  const tails = [
    // Exponential(1): P(X > z) = e^{-z}; the level exceeded with probability 1e-3 is ln(1000).
    { name: 'exponential', draw: (u: number) => -Math.log(1 - u), truth: Math.log(1000) },
    // Pareto(α=4, x_m=1): P(X > z) = z^{-4}; heavy tail (γ = 0.25): z = 1000^{1/4}.
    { name: 'Pareto α=4', draw: (u: number) => (1 - u) ** (-1 / 4), truth: 1000 ** (1 / 4) },
    // Uniform(0,1): bounded tail (γ = −1): z = 0.999.
    { name: 'uniform (bounded tail)', draw: (u: number) => u, truth: 0.999 },
  ];
  for (const tail of tails) {
    it(`pot recovers the 1e-3 tail level of ${tail.name} data within 10%`, () => {
      const rng = createRng(11);
      const data = Array.from({ length: n }, () => tail.draw(rng.next()));
      const t = calibrateThreshold(data, { ...base, method: 'pot', potInitialQuantile: 0.98, potRisk: 1e-3 });
      assert.equal(t.method, 'pot');
      assert.ok(Math.abs(t.value / tail.truth - 1) < 0.1, `${t.value} vs ${tail.truth} (γ=${t.details.gamma})`);
      assert.equal(t.details.peaks, n * 0.02);
    });
  }

  it('pot beats the initial quantile: the threshold is above it', () => {
    const rng = createRng(2);
    const data = Array.from({ length: 5000 }, () => rng.normal() ** 2);
    const t = calibrateThreshold(data, { ...base, method: 'pot' });
    assert.ok(t.value > (t.details.initialThreshold ?? Infinity));
  });

  it('refuses to calibrate from no errors', () => {
    assert.throws(() => calibrateThreshold([], base), (e: Error & { code?: string }) => e.code === 'no_calibration_data');
  });
});

describe('per-sensor thresholds', () => {
  const errorsA = Array.from({ length: minErrorsPerSensor }, (_, i) => i + 1); // 1..30
  const errorsB = Array.from({ length: minErrorsPerSensor }, (_, i) => 100 + i); // 100..129
  const few = [5, 6];
  const errors = [...errorsA, ...errorsB, ...few];
  const ids = [...errorsA.map(() => 'a'), ...errorsB.map(() => 'b'), ...few.map(() => 'c')];
  const calibrated = calibrateAll(errors, ids, { ...base, quantile: 1 });
  const meta: ThresholdSource = {
    thresholds: { model: calibrated.model, perSensor: calibrated.perSensor },
    calibration: { errors, perSensorErrors: calibrated.perSensorErrors },
  };

  const rows = [
    { name: 'sensor with enough windows: its own threshold', sensor: 'a', cfg: base, value: 30 },
    { name: 'another sensor: its own', sensor: 'b', cfg: base, value: 129 },
    { name: 'too few windows: the model threshold', sensor: 'c', cfg: base, value: 129 },
    { name: 'unknown sensor: the model threshold', sensor: 'zz', cfg: base, value: 129 },
    { name: 'override method to static, no retraining', sensor: 'a', cfg: { ...base, perSensor: { a: { method: 'static' as const, value: 3 } } }, value: 3 },
    // a's stored errors 1..30, q=0.5 → 15.5, × multiplier 2
    { name: 'override quantile recomputed from stored errors', sensor: 'a', cfg: { ...base, perSensor: { a: { quantile: 0.5, multiplier: 2 } } }, value: 31 },
    { name: 'override for another sensor does not touch this one', sensor: 'b', cfg: { ...base, perSensor: { a: { method: 'static' as const } } }, value: 129 },
    { name: 'override for a sensor with few windows uses all errors', sensor: 'c', cfg: { ...base, perSensor: { c: { quantile: 0 } } }, value: 1 },
  ];
  for (const r of rows) {
    it(r.name, () => assert.equal(resolveThreshold(meta, r.sensor, r.cfg).value, r.value));
  }
});
