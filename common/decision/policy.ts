// Per-sensor overrides merged over the scorer's defaults: pure.
//
// `scorer.perSensor[id]` may override hysteresis, fault rules, the likelihood's
// and the novelty rule's keys key by key (fault ranges channel by channel),
// replace the severity bands as a whole, and override threshold settings; `thresholds.perSensor[id]` overrides threshold
// settings too. Where both set a threshold key, `scorer.perSensor` wins (it is
// the more specific, scorer-only place).
import type { AdaptiveThresholdConfig, Config, FaultConfig, HysteresisConfig, LikelihoodConfig, NoveltyConfig, Severity, ThresholdConfig } from '../config/types.ts';
import type { ThresholdSettings } from '../calibration/thresholds.ts';
import { parseNewNormalAfter } from './new-normal.ts';

export interface SensorPolicy {
  hysteresis: HysteresisConfig;
  severities: Severity[];
  faults: FaultConfig;
  /** Threshold settings for resolveThreshold, with this sensor's override (if any) under perSensor[id]. */
  thresholds: ThresholdSettings;
  /** Model-wide settings of the `likelihood` and `adaptive` methods. */
  likelihood: LikelihoodConfig;
  /** The new-extreme rule (every method). */
  novelty: NoveltyConfig;
  adaptive: AdaptiveThresholdConfig;
  /** Samples each window of this stream advances by: windowing.hop in the service, 1 in eval. */
  hop: number;
  /** scorer.newNormalAfter in ms (Infinity: never): an excursion lasting this long is learnt as the new normal (new-normal.ts). */
  newNormalAfterMs: number;
}

type PolicyConfig = Pick<Config, 'scorer' | 'thresholds' | 'windowing'>;

// One policy per (config object, sensor): configs are frozen and replaced as a
// whole on reload, so the cache can never serve a stale policy.
const cache = new WeakMap<PolicyConfig, Map<string, SensorPolicy>>();

export function policyFor(config: PolicyConfig, sensorId: string, hop: number = config.windowing.hop): SensorPolicy {
  let perConfig = cache.get(config);
  if (perConfig === undefined) {
    perConfig = new Map();
    cache.set(config, perConfig);
  }
  const key = `${hop}\u0000${sensorId}`;
  const known = perConfig.get(key);
  if (known !== undefined) return known;
  const policy = mergePolicy(config, sensorId, hop);
  perConfig.set(key, policy);
  return policy;
}

export function mergePolicy(config: PolicyConfig, sensorId: string, hop: number = config.windowing.hop): SensorPolicy {
  const { scorer, thresholds } = config;
  const own = scorer.perSensor[sensorId] ?? {};
  const faults = { ...scorer.faults, ...own.faults, ranges: { ...scorer.faults.ranges, ...own.faults?.ranges } };
  const thresholdOverride: Partial<ThresholdConfig> = { ...thresholds.perSensor[sensorId], ...own.threshold };
  const base: ThresholdConfig = {
    method: thresholds.method,
    quantile: thresholds.quantile,
    multiplier: thresholds.multiplier,
    k: thresholds.k,
    potInitialQuantile: thresholds.potInitialQuantile,
    potRisk: thresholds.potRisk,
    value: thresholds.value,
  };
  return {
    hysteresis: { ...scorer.hysteresis, ...own.hysteresis },
    severities: own.severities ?? scorer.severities,
    faults,
    thresholds: Object.keys(thresholdOverride).length > 0 ? { ...base, perSensor: { [sensorId]: thresholdOverride } } : base,
    likelihood: own.likelihood === undefined ? thresholds.likelihood : { ...thresholds.likelihood, ...own.likelihood },
    novelty: own.novelty === undefined ? thresholds.novelty : { ...thresholds.novelty, ...own.novelty },
    adaptive: { adaptiveHalfLife: thresholds.adaptiveHalfLife, adaptiveK: thresholds.adaptiveK, adaptiveFloor: thresholds.adaptiveFloor },
    hop,
    newNormalAfterMs: parseNewNormalAfter(own.newNormalAfter ?? scorer.newNormalAfter),
  };
}
