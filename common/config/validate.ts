// Validation: merge a raw (parsed YAML) object over the defaults, checking every
// key against schema.ts. Every problem is collected, none stops the walk, so the
// user sees them all at once. Pure: no file or env access.
import type { Config } from './types.ts';
import { checkCrossFields } from './cross-checks.ts';
import { checkMethodKeys } from './method-keys.ts';
import { isObj, type Obj } from './obj.ts';
import { walk } from './walk.ts';
import { checkSensorTypes } from './type-checks.ts';

export interface ValidationResult {
  config: Config | null;
  errors: string[];
}

/** Merge `raw` over `defaults` and validate; `config` is null when there are errors. */
export function validateConfig(raw: unknown, defaults: Config): ValidationResult {
  const errors: string[] = [];
  if (raw === null || raw === undefined) return { config: structuredClone(defaults), errors };
  if (!isObj(raw)) return { config: null, errors: ['the configuration must be a mapping of sections (kafka, topics, windowing, …)'] };
  // Invalid values are left at their defaults by walk(), so the cross-field
  // checks can always run and every problem is reported in one pass.
  const merged = walk(raw, structuredClone(defaults) as unknown as Obj, '', errors) as unknown as Config;
  const topErrors = [...checkCrossFields(merged), ...checkMethodKeys(raw, merged, defaults)];
  errors.push(...topErrors);
  const types = checkSensorTypes(merged, topErrors);
  errors.push(...types.errors);
  if (types.errors.length === 0) merged.sensorTypes = types.entries;
  return { config: errors.length === 0 ? merged : null, errors };
}
