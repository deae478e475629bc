// Validation: merge a raw (parsed YAML) object over the defaults, checking every
// key against schema.ts. Every problem is collected, none stops the walk, so the
// user sees them all at once. Pure: no file or env access.
import type { Config } from './types.ts';
import { keyDocs } from './schema.ts';
import { checkRule } from './rules.ts';
import { shownValue } from './shown.ts';
import { checkCrossFields } from './cross-checks.ts';
import { checkMethodKeys } from './method-keys.ts';
import { isObj, type Obj } from './obj.ts';

function editDistance(a: string, b: string): number {
  const d = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = d[0] ?? 0;
    d[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = d[j] ?? 0;
      d[j] = Math.min((d[j] ?? 0) + 1, (d[j - 1] ?? 0) + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return d[b.length] ?? 0;
}

function suggest(key: string, known: string[]): string {
  let best: string | undefined;
  let bestD = Infinity;
  for (const k of known) {
    const dist = editDistance(key.toLowerCase(), k.toLowerCase());
    if (dist < bestD) [best, bestD] = [k, dist];
  }
  return best !== undefined && bestD <= Math.max(2, Math.floor(key.length / 3)) ? ` (did you mean '${best}'?)` : '';
}

function walk(raw: Obj, defaults: Obj, prefix: string, errors: string[]): Obj {
  const out: Obj = { ...defaults };
  for (const [key, value] of Object.entries(raw)) {
    const path = prefix === '' ? key : `${prefix}.${key}`;
    const doc = keyDocs[path];
    const def = defaults[key];
    if (doc !== undefined) {
      const problem = checkRule(doc.rule, value, path);
      if (problem !== null) errors.push(`${path}: ${problem}. ${doc.doc}`);
      else out[key] = value;
    } else if (isObj(def)) {
      if (!isObj(value)) errors.push(`${path}: must be a section (a mapping of keys), got ${shownValue(path, value)}`);
      else out[key] = walk(value, def, path, errors);
    } else {
      errors.push(`${path}: unknown key${suggest(key, Object.keys(defaults))}; known keys here: ${Object.keys(defaults).join(', ')}`);
    }
  }
  return out;
}

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
  errors.push(...checkCrossFields(merged), ...checkMethodKeys(raw, merged, defaults));
  return { config: errors.length === 0 ? merged : null, errors };
}
