// `config check` for sensor types (issue 22): each entry's shape and sections
// (checked by schema.ts like the top-level keys), the patterns (no exact id in
// two places, no pattern that can never match), model groups (never across
// types), and every cross-field check of the top level run again on each
// type's merged config. Messages name the type and the key:
// `sensorTypes[1] (valve).windowing.hop: …`.
import { checkCrossFields } from './cross-checks.ts';
import { defaultConfig } from './defaults.ts';
import { checkMethodKeys } from './method-keys.ts';
import { isObj, type Obj } from './obj.ts';
import { implicitTypeName, isGlob, mergeTypeConfig, patternCovers, typeNamePattern, typeOf, typeSections } from './sensor-types.ts';
import { shownValue } from './shown.ts';
import type { Config, SensorTypeConfig } from './types.ts';
import { walk } from './walk.ts';

/** Keys of each top-level section that a type may not set, and why. */
const notPerType: Record<string, Record<string, string>> = {
  windowing: { maxFutureMs: 'the future-timestamp check is ingest-wide' },
  thresholds: { perSensor: 'per-sensor overrides are keyed by sensor id: set them in the top-level thresholds.perSensor' },
  scorer: {
    batch: 'batching is scorer-wide',
    backend: 'the backend is scorer-wide',
    maxSensorsExported: 'the metrics cap is scorer-wide',
    perSensor: 'per-sensor overrides are keyed by sensor id: set them in the top-level scorer.perSensor',
  },
  trainer: {
    schedule: 'the schedule is trainer-wide',
    excludeAlerted: 'trainer-wide',
    promotionMargin: 'trainer-wide',
    modelDir: 'trainer-wide',
    backend: 'trainer-wide',
  },
};

const entryKeys = ['name', 'sensors', ...typeSections] as const;

export interface TypeCheckResult {
  errors: string[];
  /** The entries as validated (each section as written: merged over the top level by typeConfig). */
  entries: SensorTypeConfig[];
}

/** `topErrors`: the top level's cross-field problems, not repeated for each type. */
export function checkSensorTypes(merged: Config, topErrors: readonly string[]): TypeCheckResult {
  const errors: string[] = [];
  const raw: unknown = merged.sensorTypes;
  if (!Array.isArray(raw)) return { errors: ['sensorTypes: must be a list of types'], entries: [] };
  const entries: SensorTypeConfig[] = [];
  const names = new Map<string, number>();
  raw.forEach((t: unknown, i) => {
    const at = `sensorTypes[${i}]`;
    if (!isObj(t)) {
      errors.push(`${at}: must be a mapping {name, sensors, windowing, model, thresholds, scorer, trainer}, got ${shownValue(at, t)}`);
      return;
    }
    const name = t.name;
    if (typeof name !== 'string' || !typeNamePattern.test(name)) {
      errors.push(`${at}.name: must be 1 to 64 letters, digits, '_' or '-' (it is part of model keys and metric labels), got ${shownValue(`${at}.name`, name)}`);
      return;
    }
    const where = `${at} (${name})`;
    const before = names.get(name);
    if (before !== undefined) errors.push(`${where}.name: type ${name} is already defined by sensorTypes[${before}]; give each type its own name`);
    else names.set(name, i);
    for (const k of Object.keys(t)) {
      if (!(entryKeys as readonly string[]).includes(k)) errors.push(`${where}.${k}: unknown key; a type has ${entryKeys.join(', ')}`);
    }
    const sensors = t.sensors;
    if (!Array.isArray(sensors) || sensors.length === 0 || !sensors.every((s) => typeof s === 'string' && s !== '')) {
      errors.push(`${where}.sensors: must be a non-empty list of sensor ids and globs (* and ?), got ${shownValue(`${where}.sensors`, sensors)}`);
      return;
    }
    const entry: Obj = { name, sensors: [...(sensors as string[])] };
    let sectionsOk = true;
    for (const section of typeSections) {
      const value = t[section];
      if (value === undefined) continue;
      const path = `${where}.${section}`;
      if (!isObj(value)) {
        errors.push(`${path}: must be a mapping of ${section} keys, got ${shownValue(path, value)}`);
        sectionsOk = false;
        continue;
      }
      const allowed: Obj = {};
      for (const [k, v] of Object.entries(value)) {
        const why = notPerType[section]?.[k];
        if (why !== undefined) {
          errors.push(`${path}.${k}: cannot be set per type (${why})`);
          sectionsOk = false;
        } else allowed[k] = v;
      }
      const before = errors.length;
      walk(allowed, (merged as unknown as Obj)[section] as Obj, section, errors, path);
      if (errors.length > before) sectionsOk = false;
      entry[section] = allowed;
    }
    entries.push(entry as unknown as SensorTypeConfig);
    if (!sectionsOk) return;
    // Every top-level cross-field check, on the type's merged config; problems the top level already has are not repeated.
    const typed = mergeTypeConfig(merged, entry as unknown as SensorTypeConfig);
    const seen = new Set(topErrors);
    const crossRaw: Obj = isObj(entry.thresholds) ? { thresholds: entry.thresholds } : {};
    for (const problem of [...checkCrossFields(typed), ...checkMethodKeys(crossRaw, typed, defaultConfig)]) {
      if (!seen.has(problem)) errors.push(`${where}: ${problem}`);
    }
    const w = typed.windowing;
    const spanMs = w.length * w.samplePeriodMs;
    if (spanMs > typed.trainer.lookbackMs) {
      errors.push(`${where}: a window spans windowing.length × samplePeriodMs = ${spanMs} ms, longer than trainer.lookbackMs (${typed.trainer.lookbackMs} ms): no whole window would ever be trained on; shorten the window or raise the lookback`);
    }
    if (w.idleAfterMs > 0 && w.idleAfterMs <= w.samplePeriodMs) {
      errors.push(`${where}.windowing.idleAfterMs (${w.idleAfterMs}) is not longer than its samplePeriodMs (${w.samplePeriodMs}): every sensor would be closed between two readings; set it to many sample periods`);
    }
  });
  checkPatterns(entries, errors);
  const def = merged.defaultSensorType;
  if (def !== '') {
    if (entries.length === 0 && def !== implicitTypeName) errors.push(`defaultSensorType: '${def}' names no type: sensorTypes is empty (every sensor is the implicit type '${implicitTypeName}'); clear it`);
    if (entries.length > 0 && !names.has(def)) errors.push(`defaultSensorType: '${def}' names no type; types are ${[...names.keys()].join(', ')}`);
  }
  if (entries.length > 0 && errors.length === 0) checkGroups({ ...merged, sensorTypes: entries }, errors);
  return { errors, entries };
}

function checkPatterns(entries: readonly SensorTypeConfig[], errors: string[]): void {
  const exact = new Map<string, string>();
  const earlier: { pattern: string; type: string }[] = [];
  entries.forEach((t, i) => {
    t.sensors.forEach((pattern, k) => {
      const at = `sensorTypes[${i}] (${t.name}).sensors[${k}]`;
      const first = exact.get(pattern);
      if (!isGlob(pattern) && first !== undefined) {
        errors.push(`${at}: sensor id '${pattern}' is also listed by type ${first}; list each exact id once`);
        return;
      }
      const cover = earlier.find((e) => patternCovers(e.pattern, pattern));
      if (cover !== undefined) {
        errors.push(`${at}: '${pattern}' can never match: the earlier pattern '${cover.pattern}' of type ${cover.type} matches every id it does (the first match in file order wins); move it before that one or remove it`);
      }
      if (!isGlob(pattern)) exact.set(pattern, t.name);
      earlier.push({ pattern, type: t.name });
    });
  });
}

function checkGroups(config: Config, errors: string[]): void {
  const typeName = (id: string): string => typeOf(config, id) ?? '(no type)';
  for (const [key, sensors] of Object.entries(config.model.groups)) {
    const types = [...new Set(sensors.map(typeName))];
    if (types.length > 1) errors.push(`model.groups.${key}: its sensors are of types ${types.join(', ')}: a model group cannot span types; declare one group per type (in the type's model.groups)`);
  }
  config.sensorTypes.forEach((t, i) => {
    for (const [key, sensors] of Object.entries(t.model?.groups ?? {})) {
      for (const id of sensors ?? []) {
        const of = typeName(id);
        if (of !== t.name) errors.push(`sensorTypes[${i}] (${t.name}).model.groups.${key}: sensor ${id} is of type ${of}: a model group cannot span types; list only ${t.name} sensors`);
      }
    }
  });
}
