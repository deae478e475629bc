// Loading: YAML file (optional) + environment overrides for connection
// settings → validated, frozen Config. The only place that reads env vars;
// callers pass `env` (process.env at the edge, a literal in tests).
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { SensorwatchError } from '../errors.ts';
import { defaultConfig } from './defaults.ts';
import { convertDurations, convertTypeDurations, gridOf, sensorGridOf } from './durations.ts';
import { isObj, setPath, type Obj } from './obj.ts';
import { keyDocs } from './schema.ts';
import type { Config } from './types.ts';
import { validateConfig } from './validate.ts';

export interface LoadOptions {
  /** YAML file; when absent, SENSORWATCH_CONFIG in env, else only the defaults. */
  file?: string;
  env?: Record<string, string | undefined>;
  /** Already-parsed overrides applied over the file (CLI flags). */
  overrides?: Record<string, unknown>;
}

export class ConfigError extends SensorwatchError {
  readonly problems: string[];
  constructor(source: string, problems: string[]) {
    super(`invalid configuration in ${source}:\n${problems.map((p) => `  - ${p}`).join('\n')}`, { code: 'config_invalid', details: { source } });
    this.name = 'ConfigError';
    this.problems = problems;
  }
}


function deepMerge(base: Obj, over: Obj): Obj {
  const out: Obj = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = isObj(v) && isObj(out[k]) ? deepMerge(out[k] as Obj, v) : v;
  return out;
}

/** Env values are strings; convert by the key's rule so validation sees typed values. */
function envValue(raw: string, kind: string): unknown {
  if (kind === 'strings') return raw.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (kind === 'boolean') return raw === 'true' || raw === '1' ? true : raw === 'false' || raw === '0' ? false : raw;
  if (kind === 'int' || kind === 'number') return raw.trim() === '' || Number.isNaN(Number(raw)) ? raw : Number(raw);
  return raw;
}

export function envOverrides(env: Record<string, string | undefined>): Obj {
  const out: Obj = {};
  for (const [path, doc] of Object.entries(keyDocs)) {
    if (doc.env === undefined) continue;
    const raw = env[doc.env];
    if (raw !== undefined) setPath(out, path, envValue(raw, doc.rule.kind));
  }
  return out;
}

function deepFreeze<T>(o: T): T {
  if (typeof o === 'object' && o !== null) {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}

/** Parse + validate a YAML text. Throws ConfigError listing every problem. */
export function parseConfigText(text: string, source: string, env: Record<string, string | undefined> = {}, overrides: Obj = {}): Config {
  let raw: unknown;
  try {
    raw = parse(text) ?? {};
  } catch (err) {
    // The first line says what and where; the parser's excerpt of the file that follows may hold a secret.
    throw new ConfigError(source, [`YAML syntax: ${(err as Error).message.split('\n')[0]?.replace(/:$/, '')}`]);
  }
  if (!isObj(raw)) throw new ConfigError(source, ['the file must hold a mapping of sections (kafka, topics, windowing, …)']);
  const merged = deepMerge(deepMerge(raw, envOverrides(env)), overrides);
  const top = convertDurations(merged, gridOf(merged), sensorGridOf(merged));
  const types = convertTypeDurations(top.raw, gridOf(merged), top.given);
  const converted = { raw: types.raw, errors: [...top.errors, ...types.errors], bad: [...top.bad, ...types.bad], given: top.given };
  const { config, errors } = validateConfig(converted.raw, defaultConfig);
  // A text that is no duration is named once, by the conversion.
  const rest = errors.filter((e) => !converted.bad.some((path) => e.startsWith(`${path}:`)));
  if (config === null || converted.errors.length > 0) throw new ConfigError(source, [...converted.errors, ...rest]);
  durationsGiven.set(config, converted.given);
  return deepFreeze(config);
}

const durationsGiven = new WeakMap<Config, Readonly<Record<string, number>>>();

/** The keys this config's file gave as durations, path → ms (a sensor type converts them again on its own sample period). */
export function givenDurations(config: Config): Readonly<Record<string, number>> {
  return durationsGiven.get(config) ?? {};
}

export function loadConfig(options: LoadOptions = {}): Config {
  const env = options.env ?? {};
  const file = options.file ?? env.SENSORWATCH_CONFIG;
  let text = '';
  if (file !== undefined && file !== '') {
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new ConfigError(file, [`cannot read the file: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`]);
    }
  }
  return parseConfigText(text, file ?? 'the embedded defaults (plus environment)', env, options.overrides ?? {});
}
