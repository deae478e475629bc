// Sensor types (issue 22), pure: which type a sensor is, and the full config of
// a type (its sections deep-merged over the top-level ones). With
// `sensorTypes: []` there is one implicit type, `default`, covering every
// sensor with the top-level settings: typeConfig returns the config itself, so
// a single-type deployment runs exactly as before.
//
// Matching: a type's `sensors` are exact ids and globs (`*` any run of
// characters, `?` one character); over all types, in file order, the first
// pattern that matches wins; no match: `defaultSensorType` if set, else none
// (ingest dead-letters the reading `unknown_sensor`). Lookups are cached per
// config object and sensor id, so the hot path pays one Map lookup per record.
import { isObj, type Obj } from './obj.ts';
import type { Config } from './types.ts';

/** The implicit type's name (every sensor when `sensorTypes` is empty). */
export const implicitTypeName = 'default';

/** What type names may be: they appear in model keys (`<type>.<group>`), file names and metric labels. */
export const typeNamePattern = /^[A-Za-z0-9_-]{1,64}$/;

export const isGlob = (pattern: string): boolean => pattern.includes('*') || pattern.includes('?');

/** Pure: the RegExp of a glob (`*` any run, `?` one character; everything else literal). */
export function globRegExp(pattern: string): RegExp {
  let src = '';
  for (const ch of pattern) {
    if (ch === '*') src += '.*';
    else if (ch === '?') src += '.';
    else src += ch.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
  }
  return new RegExp(`^${src}$`, 's');
}

export function globMatches(pattern: string, id: string): boolean {
  return isGlob(pattern) ? globRegExp(pattern).test(id) : pattern === id;
}

/**
 * Pure, sound: true when every id `later` matches is also matched by `earlier`
 * (so `later` can never win). Decided by matching `earlier` against `later`
 * read as text, where a wildcard of `later` is only matched by a wildcard of
 * `earlier` (its `?` by `?` or `*`, its `*` by `*`). Exact for patterns
 * without wildcards and for the common shapes (`pump-*` covers `pump-1?`,
 * `pump-7` and `pump-*-x`; `*` covers everything).
 */
export function patternCovers(earlier: string, later: string): boolean {
  const p = [...earlier];
  const q = [...later];
  const memo = new Map<number, boolean>();
  const match = (i: number, j: number): boolean => {
    const k = i * (q.length + 1) + j;
    const known = memo.get(k);
    if (known !== undefined) return known;
    let r: boolean;
    if (i === p.length) r = j === q.length;
    else if (p[i] === '*') r = match(i + 1, j) || (j < q.length && match(i, j + 1));
    else if (j === q.length) r = false;
    else if (p[i] === '?') r = q[j] !== '*' && match(i + 1, j + 1);
    else r = q[j] !== '*' && q[j] !== '?' && p[i] === q[j] && match(i + 1, j + 1);
    memo.set(k, r);
    return r;
  };
  return match(0, 0);
}

interface CompiledType {
  name: string;
  exact: Set<string>;
  globs: RegExp[];
}

interface Resolver {
  types: CompiledType[];
  fallback: string | undefined;
  cache: Map<string, string | undefined>;
  configs: Map<string, Config>;
  names: readonly string[];
  nameSet: ReadonlySet<string>;
}

/** Cap on sensor ids cached per config; past it the cache starts over (a fleet this large still hits it almost always). */
const MAX_CACHED_IDS = 200_000;

const resolvers = new WeakMap<Config, Resolver>();

function resolverOf(config: Config): Resolver {
  let r = resolvers.get(config);
  if (r === undefined) {
    const types = (config.sensorTypes ?? []).map((t) => ({
      name: t.name,
      exact: new Set(t.sensors.filter((s) => !isGlob(s))),
      globs: t.sensors.filter(isGlob).map(globRegExp),
    }));
    const fallback = types.length === 0 ? implicitTypeName : config.defaultSensorType === '' || config.defaultSensorType === undefined ? undefined : config.defaultSensorType;
    const names = Object.freeze(types.length === 0 ? [implicitTypeName] : types.map((t) => t.name));
    r = { types, fallback, cache: new Map(), configs: new Map(), names, nameSet: new Set(names) };
    resolvers.set(config, r);
  }
  return r;
}

/** True when the config declares no types: every sensor is the implicit type `default`. */
export function isImplicit(config: Config): boolean {
  return (config.sensorTypes ?? []).length === 0;
}

/** The type of a sensor (first match in file order), `defaultSensorType` when none matches and it is set, else undefined. */
export function typeOf(config: Config, sensorId: string): string | undefined {
  const r = resolverOf(config);
  if (r.types.length === 0) return implicitTypeName;
  if (r.cache.has(sensorId)) return r.cache.get(sensorId);
  let found: string | undefined;
  // First match in file order: exact ids and globs of each type before the next type's.
  for (const t of r.types) {
    if (t.exact.has(sensorId) || t.globs.some((g) => g.test(sensorId))) {
      found = t.name;
      break;
    }
  }
  found ??= r.fallback;
  if (r.cache.size >= MAX_CACHED_IDS) r.cache.clear();
  r.cache.set(sensorId, found);
  return found;
}

/** The type names, in file order (`['default']` for the implicit type). */
export function typeNames(config: Config): string[] {
  return [...resolverOf(config).names];
}

/** Whether the config defines this type (`default` only, with none declared); one Set lookup (hot path). */
export function isTypeName(config: Config, name: string): boolean {
  return resolverOf(config).nameSet.has(name);
}

/** Pure: `over` merged into `base`: mappings key by key (recursively), anything else (lists too) replaced. */
export function mergeSection(base: Obj, over: Obj): Obj {
  const out: Obj = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = isObj(v) && isObj(out[k]) ? mergeSection(out[k] as Obj, v) : v;
  return out;
}

/** The sections a type may set, each merged over the top-level one. */
export const typeSections = ['windowing', 'model', 'thresholds', 'scorer', 'trainer'] as const;

/** Pure (no cache): the config of one type entry, its sections merged over the top-level ones. */
export function mergeTypeConfig(config: Config, entry: Config['sensorTypes'][number]): Config {
  const out = { ...config } as unknown as Obj;
  for (const section of typeSections) {
    const over = (entry as unknown as Obj)[section];
    if (isObj(over)) out[section] = mergeSection((config as unknown as Obj)[section] as Obj, over);
  }
  return out as unknown as Config;
}

/**
 * The full config for one type: its sections merged over the top-level ones
 * (cached per config). The implicit type's is the config itself. Throws for a
 * name the config does not define.
 */
export function typeConfig(config: Config, typeName: string): Config {
  const r = resolverOf(config);
  if (r.types.length === 0 && typeName === implicitTypeName) return config;
  const cached = r.configs.get(typeName);
  if (cached !== undefined) return cached;
  const entry = (config.sensorTypes ?? []).find((t) => t.name === typeName);
  if (entry === undefined) throw new Error(`no sensor type '${typeName}' in the config (types: ${typeNames(config).join(', ')})`);
  const merged = Object.freeze(mergeTypeConfig(config, entry));
  r.configs.set(typeName, merged);
  return merged;
}

/** The type's config, or undefined for a name the config does not define (a window of a removed type). */
export function typeConfigOrUndefined(config: Config, typeName: string): Config | undefined {
  return isTypeName(config, typeName) ? typeConfig(config, typeName) : undefined;
}

/** The channel layout of a type, as written in messages: `pump (vib_x, vib_y, temp)`. */
export function describeLayout(typeName: string, channels: readonly string[]): string {
  return `${typeName} (${channels.length} channel${channels.length === 1 ? '' : 's'}: ${channels.join(', ')})`;
}

/** Sensor ids the config knows of: the simulator's (`sensor-000` …) and every exact id named anywhere (types, model groups, per-sensor overrides). */
export function knownSensorIds(config: Config): string[] {
  const n = config.simulator.sensors;
  const width = Math.max(3, String(n - 1).length);
  const ids = new Set(Array.from({ length: n }, (_, i) => `sensor-${String(i).padStart(width, '0')}`));
  for (const t of config.sensorTypes ?? []) for (const s of t.sensors) if (!isGlob(s)) ids.add(s);
  for (const list of Object.values(config.model.groups)) for (const s of list) ids.add(s);
  for (const s of Object.keys(config.thresholds.perSensor)) ids.add(s);
  for (const s of Object.keys(config.scorer.perSensor)) ids.add(s);
  return [...ids];
}

/**
 * Pure: what `config check` warns about but accepts: a glob of a type that
 * matches none of the known sensor ids (real ids may come later).
 */
export function sensorTypeWarnings(config: Config, known: readonly string[] = knownSensorIds(config)): string[] {
  const out: string[] = [];
  (config.sensorTypes ?? []).forEach((t, i) => {
    t.sensors.forEach((pattern, k) => {
      if (!isGlob(pattern)) return;
      const re = globRegExp(pattern);
      if (!known.some((id) => re.test(id))) {
        out.push(`sensorTypes[${i}] (${t.name}).sensors[${k}]: '${pattern}' matches no sensor id known to the config (simulator ids, exact ids in sensorTypes, model.groups, perSensor); accepted, since real ids may come later`);
      }
    });
  });
  return out;
}
