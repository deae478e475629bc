// Threshold keys that only some `thresholds.method` values read. A key the
// chosen method ignores is refused with the method(s) that use it named, rather
// than accepted and silently not applied (issue 23 item 4). What "reads" means
// is common/decision/score.ts: the likelihood path reads only
// thresholds.likelihood.*; the raw-error path reads the sensor's threshold
// settings (resolveThreshold, per-sensor overrides merged) and, under
// `adaptive`, the adaptive* keys. thresholds.novelty.* applies under every method.
import { orList, perSensorThresholdMethods, thresholdMethods } from './enums.ts';
import { isObj, type Obj } from './obj.ts';
import type { Config, ThresholdMethod } from './types.ts';

const isMethod = (v: unknown): v is ThresholdMethod => typeof v === 'string' && (thresholdMethods as readonly string[]).includes(v);

/** Keys of `thresholds` read by some methods only, and by which; any other key is read by every method. */
export const methodsUsing: Readonly<Record<string, readonly ThresholdMethod[]>> = {
  quantile: ['quantile', 'adaptive'],
  multiplier: ['quantile', 'adaptive'],
  k: ['mean_std'],
  potInitialQuantile: ['pot'],
  potRisk: ['pot'],
  value: ['static'],
  adaptiveHalfLife: ['adaptive'],
  adaptiveK: ['adaptive'],
  adaptiveFloor: ['adaptive'],
  likelihood: ['likelihood'],
};

/** The keys a per-sensor threshold override may set (the cross-checks refuse others). */
export const perSensorThresholdKeys = ['method', 'quantile', 'multiplier', 'k', 'potInitialQuantile', 'potRisk', 'value'] as const;
const overridable: readonly string[] = perSensorThresholdKeys;

/** Methods a per-sensor override may choose under a model-wide raw-error method (`adaptive` and `likelihood` are model-wide only). */
const perSensorMethods: readonly ThresholdMethod[] = perSensorThresholdMethods;

const names = orList;

/**
 * Problems with threshold keys the chosen method ignores: in `thresholds` as
 * written (`raw`), set to other than the default, and in the per-sensor
 * overrides (`thresholds.perSensor.<id>`, `scorer.perSensor.<id>.threshold`).
 */
export function checkMethodKeys(raw: unknown, c: Config, defaults: Config): string[] {
  const written = isObj(raw) && isObj(raw.thresholds) ? raw.thresholds : {};
  // An invalid method is reported already, and the merged one is then the default: judging keys by it would mislead.
  if (written.method !== undefined && written.method !== c.thresholds.method) return [];
  const method = c.thresholds.method;
  const chosen = `thresholds.method is ${method}${written.method === undefined && method === defaults.thresholds.method ? ' (the default)' : ''}`;
  const errors: string[] = [];

  for (const key of Object.keys(written)) {
    const users = methodsUsing[key];
    if (users === undefined || users.includes(method)) continue;
    for (const path of changedFromDefault(written, defaults, key)) {
      errors.push(`${path}: used only by thresholds.method ${names(users)}; ${chosen}, which ignores it: remove it, or set thresholds.method: ${users[0] ?? ''}`);
    }
  }

  if (method !== 'likelihood') {
    for (const [sensor, o] of Object.entries(c.scorer.perSensor)) {
      if (isObj(o) && o.likelihood !== undefined) errors.push(`scorer.perSensor.${sensor}.likelihood: used only by thresholds.method likelihood; ${chosen}, which ignores it: remove it, or set thresholds.method: likelihood`);
    }
  }

  for (const [sensor, override] of perSensorOverrides(c)) {
    for (const [path, keys] of override.written) {
      for (const key of keys) {
        const problem = perSensorProblem(sensor, key, override.method, method, chosen);
        if (problem !== null) errors.push(`${path}.${key}: ${problem}`);
      }
    }
  }
  return errors;
}

/**
 * The paths under thresholds.<key> written with a value other than the default. One at its
 * default changes nothing under any method (a file that starts from `sensorwatch config
 * defaults`, eval's --what-if over a whole run config), so it is not refused.
 */
function changedFromDefault(written: Obj, defaults: Config, key: string): string[] {
  const fallback = defaults.thresholds as unknown as Obj;
  const value = written[key];
  const base = fallback[key];
  if (!isObj(value) || !isObj(base)) return value === base ? [] : [`thresholds.${key}`];
  return Object.entries(value)
    .filter(([k, v]) => k in base && v !== base[k])
    .map(([k]) => `thresholds.${key}.${k}`);
}

/**
 * A whole earlier config's `thresholds` with an edit merged over it (eval --what-if), and the
 * model-wide keys its method does not read put back at their defaults unless the edit wrote
 * them: what the earlier run set for another method does nothing under this one, and config
 * check would refuse it as if the edit had set it. Keys the edit wrote stay, to be judged.
 */
export function resetUnreadKeys(thresholds: Obj, edit: Obj, defaults: Config): Obj {
  const method = thresholds.method;
  if (!isMethod(method)) return thresholds; // reported by validation
  const fallback = defaults.thresholds as unknown as Obj;
  const out: Obj = { ...thresholds };
  for (const [key, users] of Object.entries(methodsUsing)) {
    if (users.includes(method)) continue;
    const value = thresholds[key];
    const base = fallback[key];
    if (isObj(value) && isObj(base)) {
      const written = isObj(edit[key]) ? edit[key] : {};
      out[key] = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, k in written || !(k in base) ? v : base[k]]));
    } else if (!(key in edit)) out[key] = base;
  }
  return out;
}

interface Override {
  /** The sensor's method after merging both overrides (scorer.perSensor wins); null when an override's method is invalid (reported elsewhere). */
  method: ThresholdMethod | null | undefined;
  /** Where each override was written, and its keys. */
  written: Array<[string, string[]]>;
}

function perSensorOverrides(c: Config): Map<string, Override> {
  const out = new Map<string, Override>();
  const add = (sensor: string, path: string, o: unknown): void => {
    if (!isObj(o)) return; // reported by the cross-checks
    const entry = out.get(sensor) ?? { method: undefined, written: [] };
    entry.written.push([path, Object.keys(o).filter((k) => overridable.includes(k))]);
    if (o.method !== undefined) entry.method = isMethod(o.method) ? o.method : null;
    out.set(sensor, entry);
  };
  for (const [sensor, o] of Object.entries(c.thresholds.perSensor)) add(sensor, `thresholds.perSensor.${sensor}`, o);
  for (const [sensor, o] of Object.entries(c.scorer.perSensor)) if (isObj(o)) add(sensor, `scorer.perSensor.${sensor}.threshold`, o.threshold);
  return out;
}

function perSensorProblem(sensor: string, key: string, own: ThresholdMethod | null | undefined, method: ThresholdMethod, chosen: string): string | null {
  if (method === 'likelihood') {
    const what = key === 'method' ? 'a per-sensor method' : `${key} (used by thresholds.method ${names(methodsUsing[key] ?? [])})`;
    return `${what} applies only under a raw-error thresholds.method (quantile, mean_std, pot, static, adaptive); ${chosen}, which ignores per-sensor thresholds: to make ${sensor} less noisy or more sensitive set scorer.perSensor.${sensor}.severities (a higher or lower minScore for its lowest band) or scorer.perSensor.${sensor}.hysteresis instead`;
  }
  if (own === null) return null;
  if (key === 'method') {
    if (own === undefined || own === method || perSensorMethods.includes(own)) return null;
    return `${own} is chosen model-wide only (thresholds.method); here the sensor would get a plain quantile threshold: per sensor choose ${names(perSensorMethods)}`;
  }
  const users = methodsUsing[key];
  const effective = own ?? method;
  if (users === undefined || users.includes(effective)) return null;
  const whose = own === undefined ? `this sensor's method is ${method} (thresholds.method)` : `this sensor's method is ${own}`;
  return `used only by method ${names(users)}; ${whose}, which ignores it: remove it, or set method: ${users[0] ?? ''} in this override`;
}
