// The walk over a raw (parsed YAML) section against the defaults' shape and
// schema.ts: every key checked by its rule, unknown keys named with a
// suggestion. Used for the whole config (validate.ts) and each sensor type's
// sections (type-checks.ts).
import { keyDocs } from './schema.ts';
import { checkRule } from './rules.ts';
import { shownValue } from './shown.ts';
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

/** `prefix` is the key path in schema.ts; `shown` the path written in messages (a sensor type's section: `sensorTypes[0] (pump).windowing`). */
export function walk(raw: Obj, defaults: Obj, prefix: string, errors: string[], shown = prefix): Obj {
  const out: Obj = { ...defaults };
  for (const [key, value] of Object.entries(raw)) {
    const docPath = prefix === '' ? key : `${prefix}.${key}`;
    const path = shown === '' ? key : `${shown}.${key}`;
    const doc = keyDocs[docPath];
    const def = defaults[key];
    if (doc !== undefined) {
      const problem = checkRule(doc.rule, value, path);
      if (problem !== null) errors.push(`${path}: ${problem}. ${doc.doc}`);
      else out[key] = value;
    } else if (isObj(def)) {
      if (!isObj(value)) errors.push(`${path}: must be a section (a mapping of keys), got ${shownValue(path, value)}`);
      else out[key] = walk(value, def, docPath, errors, path);
    } else {
      errors.push(`${path}: unknown key${suggest(key, Object.keys(defaults))}; known keys here: ${Object.keys(defaults).join(', ')}`);
    }
  }
  return out;
}

