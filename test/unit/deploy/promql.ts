// Just enough PromQL reading to list the metrics (and the label names matched
// on each) that an expression selects, so a dashboard or rule naming a metric
// the services do not export fails a test. Strings, label matchers, ranges,
// grouping label lists, keywords and function names are told apart; a name
// followed by "(" that is not a PromQL function is reported, since that is a
// typo PromQL itself would only catch at query time.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './provisioning.ts';

const aggregations = new Set([
  'sum', 'min', 'max', 'avg', 'group', 'stddev', 'stdvar', 'count', 'count_values', 'bottomk', 'topk', 'quantile',
]);
const functions = new Set([
  ...aggregations,
  'abs', 'absent', 'absent_over_time', 'acos', 'acosh', 'asin', 'asinh', 'atan', 'atanh', 'avg_over_time', 'ceil',
  'changes', 'clamp', 'clamp_max', 'clamp_min', 'cos', 'cosh', 'count_over_time', 'day_of_month', 'day_of_week',
  'day_of_year', 'days_in_month', 'deg', 'delta', 'deriv', 'exp', 'floor', 'histogram_count', 'histogram_fraction',
  'histogram_quantile', 'histogram_sum', 'holt_winters', 'hour', 'idelta', 'increase', 'irate', 'label_join',
  'label_replace', 'last_over_time', 'ln', 'log10', 'log2', 'max_over_time', 'min_over_time', 'minute', 'month', 'pi',
  'predict_linear', 'present_over_time', 'quantile_over_time', 'rad', 'rate', 'resets', 'round', 'scalar', 'sgn',
  'sin', 'sinh', 'sort', 'sort_desc', 'sqrt', 'stddev_over_time', 'stdvar_over_time', 'sum_over_time', 'tan', 'tanh',
  'time', 'timestamp', 'vector', 'year',
]);
const labelListKeywords = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right']);
const otherKeywords = new Set(['and', 'or', 'unless', 'bool', 'offset', 'atan2', 'inf', 'nan']);

export interface SelectedMetric {
  name: string;
  /** Label names used in the {…} matchers right after the name. */
  labels: string[];
}

/** Index just past the string literal starting at i. */
function skipString(s: string, i: number): number {
  const quote = s[i];
  let j = i + 1;
  while (j < s.length && s[j] !== quote) j += s[j] === '\\' && quote !== '`' ? 2 : 1;
  if (j >= s.length) throw new Error(`unterminated string in '${s}'`);
  return j + 1;
}

/** Index just past the bracket group opening at i, skipping strings inside. */
function skipGroup(s: string, i: number, open: string, close: string): number {
  let depth = 0;
  let j = i;
  while (j < s.length) {
    const c = s[j];
    if (c === '"' || c === "'" || c === '`') {
      j = skipString(s, j);
      continue;
    }
    if (c === open) depth++;
    if (c === close && --depth === 0) return j + 1;
    j++;
  }
  throw new Error(`unbalanced '${open}' in '${s}'`);
}

function matcherLabels(block: string): string[] {
  // block is "{a="x", b=~"y"}": take the names before each operator.
  const inner = block.slice(1, -1).replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""');
  return [...inner.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)/g)].flatMap((m) => (m[1] === undefined ? [] : [m[1]]));
}

function nextNonSpace(s: string, i: number): number {
  let j = i;
  while (j < s.length && /\s/.test(s[j] ?? '')) j++;
  return j;
}

/** Metrics an expression selects, in order of appearance (duplicates kept). */
export function selectedMetrics(expr: string): SelectedMetric[] {
  const out: SelectedMetric[] = [];
  let i = 0;
  while (i < expr.length) {
    const c = expr[i] ?? '';
    if (c === '"' || c === "'" || c === '`') {
      i = skipString(expr, i);
    } else if (c === '{') {
      // {job="x"} with no metric name in front: allowed by PromQL, but it
      // selects metrics by label only, which this check could not verify.
      throw new Error(`'${expr}': selector without a metric name`);
    } else if (c === '[') {
      i = skipGroup(expr, i, '[', ']');
    } else if (c === '$') {
      // a Grafana variable: $name or ${name}
      const m = /^\$(\{[^}]*\}|[a-zA-Z0-9_]+)/.exec(expr.slice(i));
      i += m?.[0].length ?? 1;
    } else if (/[0-9.]/.test(c)) {
      const m = /^[0-9.]+(?:[eE][+-]?[0-9]+)?[a-zA-Z0-9_]*/.exec(expr.slice(i));
      i += m?.[0].length ?? 1;
    } else if (/[a-zA-Z_:]/.test(c)) {
      const m = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(expr.slice(i));
      const word = m?.[0] ?? c;
      i += word.length;
      const next = nextNonSpace(expr, i);
      if (labelListKeywords.has(word)) {
        if (expr[next] === '(') i = skipGroup(expr, next, '(', ')');
      } else if (otherKeywords.has(word)) {
        if (word === 'offset') {
          const d = /^\s*-?[0-9a-zA-Z]+/.exec(expr.slice(i));
          i += d?.[0].length ?? 0;
        }
      } else if (expr[next] === '(' || (aggregations.has(word) && /^(by|without)\b/.test(expr.slice(next)))) {
        if (!functions.has(word)) throw new Error(`'${expr}': '${word}' is not a PromQL function`);
      } else if (expr[next] === '{') {
        const end = skipGroup(expr, next, '{', '}');
        out.push({ name: word, labels: matcherLabels(expr.slice(next, end)) });
        i = end;
      } else {
        out.push({ name: word, labels: [] });
      }
    } else {
      i++;
    }
  }
  return out;
}

export interface ContractMetric {
  name: string;
  type: string;
  labels: string[];
}

/**
 * The metrics contract: the table in docs/architecture.md. Histograms are
 * selected through their _bucket/_sum/_count series, so those are added.
 */
export function contractMetrics(doc = readFileSync(join(repoRoot, 'docs/architecture.md'), 'utf8')): Map<string, ContractMetric> {
  const section = doc.split(/^## Metrics/m)[1]?.split(/^## /m)[0] ?? '';
  const out = new Map<string, ContractMetric>();
  for (const line of section.split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    const [, nameCell, type, labelCell] = cells;
    if (nameCell === undefined || type === undefined || labelCell === undefined) continue;
    const names = [...nameCell.matchAll(/`(sensorwatch_[a-z0-9_]+)`/g)].flatMap((m) => (m[1] === undefined ? [] : [m[1]]));
    const labels = [...labelCell.matchAll(/`([a-z_]+)`/g)].flatMap((m) => (m[1] === undefined ? [] : [m[1]]));
    for (const name of names) {
      out.set(name, { name, type, labels });
      if (type.startsWith('histogram')) {
        for (const suffix of ['_bucket', '_sum', '_count']) {
          out.set(name + suffix, { name: name + suffix, type: 'histogram series', labels: suffix === '_bucket' ? [...labels, 'le'] : labels });
        }
      }
    }
  }
  if (out.size === 0) throw new Error('docs/architecture.md: no metrics table found under "## Metrics"');
  return out;
}

/** Series Prometheus itself makes for every target and alert. */
export const prometheusSeries = new Set(['up', 'scrape_duration_seconds', 'scrape_samples_scraped', 'ALERTS', 'ALERTS_FOR_STATE']);
/** Labels Prometheus attaches to every scraped series. */
export const targetLabels = ['job', 'instance'];
