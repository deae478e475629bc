// Lengths in the operator's words: every key whose unit is samples, windows or
// ms also takes a duration ('500ms', '30s', '10m', '2h', '1d'). Durations are
// converted once, when the file is loaded, with the sample period (and hop) of
// the same file: samples = duration / windowing.samplePeriodMs, windows =
// duration / (hop × samplePeriodMs), rounded to the nearest whole one (a
// positive duration is at least 1). A number keeps meaning the key's own unit.
// Pure: raw (parsed YAML) object in, converted copy and problems out.
import { defaultConfig } from './defaults.ts';
import { isObj, type Obj } from './obj.ts';
import { keyDocs } from './schema.ts';
import { globMatches } from './sensor-types.ts';
import { shownValue } from './shown.ts';

const durationUnits: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Milliseconds of a duration text ('30s', '1.5h'), or null when it is not one. */
export function parseDuration(text: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)\s*$/.exec(text);
  if (m === null) return null;
  const ms = Number(m[1]) * (durationUnits[m[2] ?? ''] ?? Number.NaN);
  return Number.isFinite(ms) ? ms : null;
}

export type LengthUnit = 'samples' | 'windows' | 'ms';
const lengthUnits: readonly string[] = ['samples', 'windows', 'ms'];

/** The keys that take a duration, with their unit (from schema.ts). */
export const lengthKeys: Readonly<Record<string, LengthUnit>> = Object.fromEntries(
  Object.entries(keyDocs)
    .filter(([, doc]) => doc.unit !== undefined && lengthUnits.includes(doc.unit))
    .map(([path, doc]) => [path, doc.unit as LengthUnit]),
);

/** Per-sensor override sections whose keys are lengths of the section they override. */
const overrideSections: ReadonlyArray<readonly [string, string]> = [
  ['hysteresis', 'scorer.hysteresis'],
  ['faults', 'scorer.faults'],
  ['likelihood', 'thresholds.likelihood'],
];

export interface Grid {
  samplePeriodMs: number;
  /** Samples between window starts. */
  hop: number;
}

/** A key's value in its unit for `ms` of time on this grid. */
export function fromDuration(ms: number, unit: LengthUnit, grid: Grid): number {
  if (unit === 'ms') return ms;
  const per = unit === 'samples' ? grid.samplePeriodMs : grid.samplePeriodMs * grid.hop;
  const n = Math.round(ms / per);
  return ms > 0 ? Math.max(1, n) : 0;
}

function describe(unit: LengthUnit): string {
  return `a number of ${unit} or a duration like 500ms, 30s, 10m, 2h`;
}

interface Sink {
  errors: string[];
  bad: string[];
  given: Record<string, number>;
}

function convertAt(value: string, path: string, unit: LengthUnit, grid: Grid, sink: Sink): unknown {
  const ms = parseDuration(value);
  if (ms === null) {
    sink.errors.push(`${path}: ${shownValue(path, value)} is neither a number nor a duration: use ${describe(unit)}`);
    sink.bad.push(path);
    return value;
  }
  sink.given[path] = ms;
  return fromDuration(ms, unit, grid);
}

function section(raw: Obj, key: string): Obj | undefined {
  const v = raw[key];
  return isObj(v) ? v : undefined;
}

/** The grid the file's durations convert on: its own samplePeriodMs and hop (themselves maybe durations), else the defaults'. */
export function gridOf(raw: Obj, fallback: Grid = { samplePeriodMs: defaultConfig.windowing.samplePeriodMs, hop: defaultConfig.windowing.hop }): Grid {
  const w = section(raw, 'windowing') ?? {};
  const period = typeof w.samplePeriodMs === 'string' ? parseDuration(w.samplePeriodMs) : w.samplePeriodMs;
  const samplePeriodMs = typeof period === 'number' && period > 0 ? period : fallback.samplePeriodMs;
  const hopRaw = typeof w.hop === 'string' ? parseDuration(w.hop) : null;
  const hop = hopRaw !== null ? Math.max(1, Math.round(hopRaw / samplePeriodMs)) : typeof w.hop === 'number' && w.hop >= 1 ? w.hop : fallback.hop;
  return { samplePeriodMs, hop };
}

export interface Converted {
  raw: Obj;
  errors: string[];
  /** Paths whose text is not a duration (their error is in `errors`). */
  bad: string[];
  /** Path → milliseconds of every key that was given as a duration (a sensor type re-converts them on its own grid). */
  given: Record<string, number>;
}

function setIn(root: Obj, parts: readonly string[], value: unknown): void {
  let node = root;
  for (const p of parts.slice(0, -1)) {
    const next = node[p];
    if (!isObj(next)) return;
    const copy = { ...next };
    node[p] = copy;
    node = copy;
  }
  node[parts[parts.length - 1] ?? ''] = value;
}

function getIn(root: Obj, parts: readonly string[]): unknown {
  let node: unknown = root;
  for (const p of parts) {
    if (!isObj(node)) return undefined;
    node = node[p];
  }
  return node;
}

/**
 * The grid a top-level `scorer.perSensor.<id>` override converts on: the grid of the sensor's type
 * (first type whose `sensors` matches it, in file order, else `defaultSensorType`), else the file's.
 * A valve's `hysteresis.minDuration: 30s` is 30 s of the valve's samples, not of the top level's.
 */
export function sensorGridOf(raw: Obj, top: Grid = gridOf(raw)): (sensor: string) => Grid {
  const types = Array.isArray(raw.sensorTypes) ? raw.sensorTypes.filter(isObj) : [];
  const named = (name: unknown): Obj | undefined => types.find((t) => t.name === name);
  return (sensor) => {
    const own = types.find((t) => Array.isArray(t.sensors) && t.sensors.some((p) => typeof p === 'string' && globMatches(p, sensor))) ?? named(raw.defaultSensorType);
    return own === undefined ? top : gridOf(own, top);
  };
}

/** Convert every duration of a raw config (or a sensor type's sections) on `grid` (default: the file's own); per-sensor overrides on `gridFor` their sensor. */
export function convertDurations(raw: Obj, grid: Grid = gridOf(raw), gridFor: (sensor: string) => Grid = () => grid): Converted {
  const out: Obj = { ...raw };
  const sink: Sink = { errors: [], bad: [], given: {} };
  for (const [path, unit] of Object.entries(lengthKeys)) {
    const parts = path.split('.');
    const value = getIn(out, parts);
    if (typeof value === 'string') setIn(out, parts, convertAt(value, path, unit, grid, sink));
  }
  const perSensor = getIn(out, ['scorer', 'perSensor']);
  if (isObj(perSensor)) {
    for (const [sensor, o] of Object.entries(perSensor)) {
      if (!isObj(o)) continue;
      for (const [key, base] of overrideSections) {
        const sec = o[key];
        if (!isObj(sec)) continue;
        for (const [k, v] of Object.entries(sec)) {
          const unit = lengthKeys[`${base}.${k}`];
          if (unit !== undefined && typeof v === 'string') {
            setIn(out, ['scorer', 'perSensor', sensor, key, k], convertAt(v, `scorer.perSensor.${sensor}.${key}.${k}`, unit, gridFor(sensor), sink));
          }
        }
      }
    }
  }
  return { raw: out, ...sink };
}

/**
 * The sensor types' durations, each on its own grid (its samplePeriodMs and hop, else the top level's):
 * the lengths a type writes, and the top-level lengths written as durations that the type does not set
 * (a `holdOffSamples: 10s` at the top is 10 s of every type's samples). Problems name the type.
 */
export function convertTypeDurations(raw: Obj, top: Grid, topGiven: Readonly<Record<string, number>>): { raw: Obj; errors: string[]; bad: string[] } {
  const types = raw.sensorTypes;
  if (!Array.isArray(types)) return { raw, errors: [], bad: [] };
  const errors: string[] = [];
  const bad: string[] = [];
  const out = types.map((entry: unknown, i) => {
    if (!isObj(entry)) return entry;
    const grid = gridOf(entry, top);
    const at = `sensorTypes[${i}]${typeof entry.name === 'string' ? ` (${entry.name})` : ''}`;
    const own = convertDurations(entry, grid);
    errors.push(...own.errors.map((e) => `${at}.${e}`));
    bad.push(...own.bad.map((p) => `${at}.${p}`));
    const converted = own.raw;
    for (const [path, ms] of Object.entries(topGiven)) {
      const unit = lengthKeys[path];
      if (unit === undefined || unit === 'ms') continue;
      const parts = path.split('.');
      if (getIn(converted, parts) !== undefined) continue;
      let node = converted;
      for (const p of parts.slice(0, -1)) {
        const next = isObj(node[p]) ? { ...(node[p] as Obj) } : {};
        node[p] = next;
        node = next;
      }
      node[parts[parts.length - 1] ?? ''] = fromDuration(ms, unit, grid);
    }
    return converted;
  });
  return { raw: { ...raw, sensorTypes: out }, errors, bad };
}
