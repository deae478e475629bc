// How a config message names the value it got: as written where JSON cannot
// say it (YAML reads 1e400 as Infinity, which JSON prints as null), and never a
// secret's value, nor a value under a section that holds credentials
// (kafka.sasl, kafka.ssl), nor a section given as a scalar that should hold
// them (`kafka: hunter2`): those messages name only the kind of value.
import { holdsSecret, redactValue } from '../redact.ts';
import { keyDocs } from './schema.ts';

/** True when a value at `path` may be (or contain) a secret. */
export function secretAt(path: string): boolean {
  if (path === '') return false;
  return holdsSecret(path) || Object.keys(keyDocs).some((k) => k.startsWith(`${path}.`) && holdsSecret(k));
}

/** A value's kind in the user's words. */
export function kindOf(v: unknown): string {
  if (v === null || v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'number') return 'a number';
  if (typeof v === 'string') return 'a string';
  if (typeof v === 'boolean') return 'true or false';
  return typeof v;
}

const nonFinite = (n: number): string => (Number.isNaN(n) ? 'NaN' : n > 0 ? 'Infinity' : '-Infinity');
const marker = '§nonfinite§';

/** Pure: the text after "got " in a message about the value at `path`. */
export function shownValue(path: string, v: unknown): string {
  if (secretAt(path)) return `${kindOf(v)} (not shown: ${path} holds a secret)`;
  if (typeof v === 'number' && !Number.isFinite(v)) return `${nonFinite(v)} (${Number.isNaN(v) ? 'not a number' : 'a number too large to represent, such as 1e400'})`;
  const text = JSON.stringify(redactValue(v), (_k, x: unknown) => (typeof x === 'number' && !Number.isFinite(x) ? `${marker}${nonFinite(x)}` : x));
  if (text === undefined) return String(v);
  return text.replace(new RegExp(`"${marker}([-A-Za-z]+)"`, 'g'), '$1');
}
