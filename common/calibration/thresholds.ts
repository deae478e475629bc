// Thresholds on the reconstruction error, calibrated at training time from the
// errors of held-out normal windows. Per-sensor config overrides are applied at
// scoring time from the errors stored with the model: no retraining needed.
import type { ThresholdConfig } from '../config/types.ts';
import { SensorwatchError } from '../errors.ts';
import { potThreshold } from './pot.ts';
import { quantileSorted } from './quantile.ts';
import type { CalibratedThreshold, Calibration } from './types.ts';

/** What resolveThreshold needs from a model's metadata. */
export interface ThresholdSource {
  thresholds: { model: CalibratedThreshold; perSensor: Record<string, CalibratedThreshold> };
  calibration: Calibration;
}

export type ThresholdSettings = ThresholdConfig & { perSensor?: Record<string, Partial<ThresholdConfig>> };

/** Fewer held-out windows than this for one sensor: it shares the model's threshold. */
export const minErrorsPerSensor = 30;

export function calibrateThreshold(errors: readonly number[], cfg: ThresholdConfig): CalibratedThreshold {
  if (cfg.method === 'static') return { value: cfg.value, method: 'static', details: { n: errors.length } };
  const finite = errors.filter((e) => Number.isFinite(e));
  if (finite.length === 0) {
    throw new SensorwatchError(`cannot calibrate a '${cfg.method}' threshold from zero errors`, { code: 'no_calibration_data' });
  }
  const n = finite.length;
  switch (cfg.method) {
    case 'quantile':
    case 'likelihood':
    case 'adaptive': {
      // `likelihood` keeps a quantile threshold for reference (its score does not use it); `adaptive` starts from (and is floored by) the quantile threshold; the scorer adapts it per sensor (scorer/adaptive.ts).
      const q = quantileSorted(Float64Array.from(finite).sort(), cfg.quantile);
      return { value: q * cfg.multiplier, method: cfg.method, details: { n, quantile: cfg.quantile, quantileValue: q, multiplier: cfg.multiplier } };
    }
    case 'mean_std': {
      const mean = finite.reduce((a, b) => a + b, 0) / n;
      const std = Math.sqrt(finite.reduce((a, b) => a + (b - mean) ** 2, 0) / n);
      return { value: mean + cfg.k * std, method: 'mean_std', details: { n, mean, std, k: cfg.k } };
    }
    case 'pot': {
      const r = potThreshold(finite, cfg.potInitialQuantile, cfg.potRisk);
      return {
        value: r.threshold,
        method: 'pot',
        details: {
          n,
          initialQuantile: cfg.potInitialQuantile,
          risk: cfg.potRisk,
          initialThreshold: r.initialThreshold,
          peaks: r.peaks,
          gamma: r.fit.gamma,
          sigma: r.fit.sigma,
        },
      };
    }
  }
}

/**
 * Calibrates the model's threshold from all held-out errors, and one per sensor
 * that has at least `minErrorsPerSensor` held-out windows.
 */
export function calibrateAll(
  errors: readonly number[],
  sensorIds: readonly string[],
  cfg: ThresholdSettings,
): ThresholdSource['thresholds'] & { perSensorErrors: Record<string, number[]> } {
  const bySensor: Record<string, number[]> = {};
  errors.forEach((e, i) => {
    const id = sensorIds[i] ?? '';
    (bySensor[id] ??= []).push(e);
  });
  const perSensor: Record<string, CalibratedThreshold> = {};
  for (const [id, errs] of Object.entries(bySensor)) {
    const merged = { ...cfg, ...cfg.perSensor?.[id] };
    if (errs.length >= minErrorsPerSensor || merged.method === 'static') perSensor[id] = calibrateThreshold(errs, merged);
  }
  return { model: calibrateThreshold(errors, cfg), perSensor, perSensorErrors: bySensor };
}

/**
 * The threshold the scorer applies to one sensor: its config override (computed
 * now from the stored errors, no retraining), else the sensor's calibrated
 * threshold, else the model's.
 */
export function resolveThreshold(meta: ThresholdSource, sensorId: string, cfg: ThresholdSettings): CalibratedThreshold {
  const override = cfg.perSensor?.[sensorId];
  if (override !== undefined && Object.keys(override).length > 0) {
    const merged: ThresholdConfig = { ...pickThreshold(cfg), ...override };
    // The scorer calls this per window: remember the result per model and setting.
    const memo = overrideMemo.get(meta) ?? new Map<string, CalibratedThreshold>();
    overrideMemo.set(meta, memo);
    const key = `${sensorId}\u0000${JSON.stringify(merged)}`;
    const known = memo.get(key);
    if (known !== undefined) return known;
    const result = calibrateThreshold(heldOutErrors(meta, sensorId), merged);
    memo.set(key, result);
    return result;
  }
  return meta.thresholds.perSensor[sensorId] ?? meta.thresholds.model;
}

/** The held-out errors a sensor's threshold is calibrated from: its own when it has enough, else the model's. */
export function heldOutErrors(meta: Pick<ThresholdSource, 'calibration'>, sensorId: string): readonly number[] {
  const own = meta.calibration.perSensorErrors[sensorId] ?? [];
  return own.length >= minErrorsPerSensor ? own : meta.calibration.errors;
}

/**
 * All sensors' held-out errors on one sensor's scale: `pooled` times the ratio of the mean of the
 * sensor's own few errors to theirs. A model shared by a fleet reconstructs some sensors better
 * than others, so the pooled errors give the shape of the sensor's error and its own give the
 * level; unchanged where it has none (or a mean is not positive).
 */
export function pooledOnOwnScale(pooled: readonly number[], own: readonly number[]): readonly number[] {
  const mean = (xs: readonly number[]): number => {
    const finite = xs.filter((x) => Number.isFinite(x));
    return finite.length === 0 ? Number.NaN : finite.reduce((a, b) => a + b, 0) / finite.length;
  };
  const r = mean(own) / mean(pooled);
  return Number.isFinite(r) && r > 0 ? pooled.map((e) => e * r) : pooled;
}

/**
 * The held-out window errors the likelihood of a sensor is seeded from (time order): its own when
 * it has enough, else the model's on its own scale (pooledOnOwnScale).
 */
export function heldOutWindowSeed(meta: Pick<ThresholdSource, 'calibration'>, sensorId: string): readonly number[] {
  const own = meta.calibration.perSensorErrors[sensorId] ?? [];
  return own.length >= minErrorsPerSensor ? own : pooledOnOwnScale(meta.calibration.errors, own);
}

/**
 * The held-out per-step errors the likelihood of a sensor is seeded from (time order): its own
 * when it has enough, else all sensors' one after another on its own scale (pooledOnOwnScale);
 * the window errors for a model without them.
 */
export function heldOutSteps(meta: Pick<ThresholdSource, 'calibration'>, sensorId: string, combine: 'mean' | 'max'): readonly number[] {
  const steps = meta.calibration.steps;
  if (steps === undefined) return heldOutWindowSeed(meta, sensorId);
  const bySensor = steps[combine];
  const own = bySensor[sensorId] ?? [];
  return own.length >= minErrorsPerSensor ? own : pooledOnOwnScale(Object.values(bySensor).flat(), own);
}

const overrideMemo = new WeakMap<ThresholdSource, Map<string, CalibratedThreshold>>();

function pickThreshold(cfg: ThresholdSettings): ThresholdConfig {
  const { method, quantile, multiplier, k, potInitialQuantile, potRisk, value } = cfg;
  return { method, quantile, multiplier, k, potInitialQuantile, potRisk, value };
}
