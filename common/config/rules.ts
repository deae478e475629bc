// What a value must be, per rule kind, and the message when it is not.
import type { Rule } from './schema.ts';
import { shownValue } from './shown.ts';

import { isObj } from './obj.ts';

export function describeRule(rule: Rule): string {
  switch (rule.kind) {
    case 'int':
      return `an integer${range(rule.min, rule.max)}`;
    case 'number':
      return `a number${range(rule.min, rule.max, rule.exclusiveMin, rule.exclusiveMax)}`;
    case 'enum':
      return `one of ${rule.values.map((v) => `'${v}'`).join(', ')}`;
    case 'string':
      return rule.nonEmpty ? 'a non-empty string' : 'a string';
    case 'boolean':
      return 'true or false';
    case 'strings':
      return `a list of strings${rule.nonEmpty ? ' (at least one)' : ''}${rule.unique ? ', each once' : ''}`;
    case 'ints':
      return `a list of integers${rule.min !== undefined ? ` ≥ ${rule.min}` : ''}${rule.nonEmpty ? ' (at least one)' : ''}`;
    case 'map':
      return 'a mapping';
    case 'list':
      return 'a list';
  }
}

function range(min?: number, max?: number, exMin = false, exMax = false): string {
  const parts: string[] = [];
  if (min !== undefined) parts.push(`${exMin ? '>' : '≥'} ${min}`);
  if (max !== undefined) parts.push(`${exMax ? '<' : '≤'} ${max}`);
  return parts.length > 0 ? ` ${parts.join(' and ')}` : '';
}

/** Returns a problem message, or null when the value satisfies the rule; `path` says whether the value may be shown (shown.ts). */
export function checkRule(rule: Rule, v: unknown, path: string): string | null {
  const bad = `must be ${describeRule(rule)}, got ${shownValue(path, v)}`;
  switch (rule.kind) {
    case 'int':
    case 'number': {
      if (typeof v !== 'number' || !Number.isFinite(v)) return bad;
      if (rule.kind === 'int' && !Number.isInteger(v)) return bad;
      const exMin = rule.kind === 'number' && rule.exclusiveMin === true;
      const exMax = rule.kind === 'number' && rule.exclusiveMax === true;
      if (rule.min !== undefined && (exMin ? v <= rule.min : v < rule.min)) return bad;
      if (rule.max !== undefined && (exMax ? v >= rule.max : v > rule.max)) return bad;
      return null;
    }
    case 'enum':
      return typeof v === 'string' && rule.values.includes(v) ? null : bad;
    case 'string':
      return typeof v === 'string' && (!rule.nonEmpty || v.length > 0) ? null : bad;
    case 'boolean':
      return typeof v === 'boolean' ? null : bad;
    case 'strings': {
      if (!Array.isArray(v) || !v.every((s) => typeof s === 'string' && s.length > 0)) return bad;
      if (rule.nonEmpty && v.length === 0) return bad;
      if (rule.unique && new Set(v).size !== v.length) return `${bad} (a name appears twice)`;
      return null;
    }
    case 'ints': {
      if (!Array.isArray(v) || !v.every((n) => Number.isInteger(n) && (rule.min === undefined || (n as number) >= rule.min))) return bad;
      return rule.nonEmpty && v.length === 0 ? bad : null;
    }
    case 'map':
      return isObj(v) ? null : bad;
    case 'list':
      return Array.isArray(v) ? null : bad;
  }
}

