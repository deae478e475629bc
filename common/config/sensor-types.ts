// TEMPORARY stand-in for types-core's module (TYPES-CONTRACT.md): replaced at merge.
import type { Config } from './types.ts';

interface TypeSpec {
  name: string;
  sensors: readonly string[];
  [section: string]: unknown;
}
const typesOf = (config: Config): readonly TypeSpec[] => (config as unknown as { sensorTypes?: readonly TypeSpec[] }).sensorTypes ?? [];

const globRe = (p: string): RegExp => new RegExp(`^${p.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);

export function typeNames(config: Config): string[] {
  const t = typesOf(config);
  return t.length === 0 ? ['default'] : t.map((x) => x.name);
}

export function typeOf(config: Config, sensorId: string): string | undefined {
  const t = typesOf(config);
  if (t.length === 0) return 'default';
  for (const x of t) if (x.sensors.some((p) => globRe(p).test(sensorId))) return x.name;
  const d = (config as unknown as { defaultSensorType?: string }).defaultSensorType ?? '';
  return d === '' ? undefined : d;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const merge = (a: unknown, b: unknown): unknown => {
  if (!isObj(a) || !isObj(b)) return b === undefined ? a : b;
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = merge(a[k], v);
  return out;
};

export function typeConfig(config: Config, typeName: string): Config {
  const spec = typesOf(config).find((x) => x.name === typeName);
  if (spec === undefined) return config;
  let out: Config = config;
  for (const section of ['windowing', 'model', 'thresholds', 'scorer', 'trainer'] as const) {
    if (spec[section] !== undefined) out = { ...out, [section]: merge(out[section], spec[section]) } as Config;
  }
  return out;
}
