// The names a user copies out of the docs exist in the product:
// - every config key written as a dotted path in `code` (`scorer.hysteresis.openAfter`,
//   `thresholds.perSensor.<id>`) is a key or section of the config schema;
// - every metric named (`sensorwatch_…`, in prose, tables or queries) is one the
//   services register (ingest/metrics.ts, scorer/metrics.ts, trainer/metrics.ts,
//   built here on a fresh registry), a histogram's _bucket/_sum/_count included;
// - the metric tables of docs/metrics.md and docs/architecture.md list every
//   registered metric once, with its type.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { defaultConfig } from '../../../common/config/defaults.ts';
import { keyDocs } from '../../../common/config/schema.ts';
import { requiredKeys } from '../../../bench/report.ts';
import { createIngestMetrics } from '../../../ingest/metrics.ts';
import { createScorerMetrics } from '../../../scorer/metrics.ts';
import { createTrainerMetrics } from '../../../trainer/metrics.ts';
import { codeSpans, matchesWithLines, userDocs, type Doc } from './markdown.ts';

// ---- config keys ----------------------------------------------------------

const topKeys = Object.keys(defaultConfig);
const keyPath = new RegExp(`^(?:${topKeys.join('|')})(?:\\.[A-Za-z_<>][\\w<>-]*)+$`);
/** File names and Java classes that look like a dotted key (`metrics.ts`, `kafka.tools.StorageTool`). */
const fileName = /\.(?:ts|mjs|js|json|md|ya?ml|avsc|xml|sh|csv|txt)$|\.[A-Z]\w*$/;
/** Dotted names in the docs that are not config keys: the benchmark report's keys (docs/performance.md). */
const reportKeys = new Set<string>(requiredKeys);

/** Why a dotted path is not a config key, or null when it is one (a leaf, a section, or under a free-form map). */
export function configKeyProblem(path: string): string | null {
  const parts = path.split('.');
  for (let i = parts.length; i >= 1; i--) {
    const prefix = parts.slice(0, i).join('.');
    const doc = keyDocs[prefix];
    if (doc === undefined) continue;
    if (i === parts.length) return null;
    // Below a leaf only a free-form map goes on (sensor ids, model keys, channel names).
    return doc.rule.kind === 'map' ? null : `${prefix} is a value, it has no key '${parts[i]}'`;
  }
  // A section: some key lies below it.
  if (Object.keys(keyDocs).some((k) => k.startsWith(`${path}.`))) return null;
  return 'no such config key';
}

/** `code` spans of a doc that are config key paths, with their problem. */
export function badConfigKeys(doc: Doc): string[] {
  return codeSpans(doc.text)
    .filter((s) => keyPath.test(s.code) && !fileName.test(s.code) && !reportKeys.has(s.code))
    .flatMap((s) => {
      const problem = configKeyProblem(s.code);
      return problem === null ? [] : [`${doc.path}:${s.line}: \`${s.code}\`: ${problem}`];
    });
}

// ---- metrics ---------------------------------------------------------------

type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary';

/** The metrics the three services register, by name, with their type. */
export function registeredMetrics(): Map<string, MetricType> {
  const registry = new Registry();
  createIngestMetrics(registry);
  createScorerMetrics({ registry, maxSensorsExported: () => 10, tensorCount: () => 0, backend: () => 'cpu' });
  createTrainerMetrics(registry, () => 0);
  const out = new Map<string, MetricType>();
  for (const m of registry.getMetricsAsArray()) {
    const type = (m as unknown as { type: MetricType }).type;
    out.set(m.name, type);
  }
  return out;
}

/** The series names a registered metric exposes (a histogram's _bucket, _sum, _count). */
function seriesNames(metrics: Map<string, MetricType>): Set<string> {
  const out = new Set<string>();
  for (const [name, type] of metrics) {
    out.add(name);
    if (type === 'histogram') for (const s of ['_bucket', '_sum', '_count']) out.add(name + s);
    if (type === 'summary') for (const s of ['_sum', '_count']) out.add(name + s);
  }
  return out;
}

// `sensorwatch_…` as a whole word (not `x_sensorwatch_y`); a trailing `*` or `_` is a family (`sensorwatch_*`).
const metricName = /(?<![\w-])sensorwatch_[a-z0-9_]*[a-z0-9](?![\w*])/g;

export function unknownMetrics(doc: Doc, known: Set<string>): string[] {
  return matchesWithLines(doc.text, metricName)
    .filter((m) => !known.has(m.match))
    .map((m) => `${doc.path}:${m.line}: ${m.match} is not a metric the services register`);
}

/** Rows of a metrics table (`| \`name\` | type | …`) under a heading, as name → type. */
export function metricTable(text: string, heading: RegExp): Map<string, string> {
  const section = text.split(heading)[1]?.split(/^## /m)[0] ?? '';
  const out = new Map<string, string>();
  for (const line of section.split('\n')) {
    const [, nameCell, type] = line.split('|').map((c) => c.trim());
    if (nameCell === undefined || type === undefined) continue;
    for (const m of nameCell.matchAll(/`(sensorwatch_[a-z0-9_]+)`/g)) if (m[1] !== undefined) out.set(m[1], type);
  }
  return out;
}

describe('docs name only config keys and metrics that exist', () => {
  const docs = userDocs();

  it('reads every user doc', () => {
    for (const p of ['README.md', 'docs/operate.md', 'docs/metrics.md', 'scorer/README.md', 'ingest/README.md']) {
      assert.ok(docs.some((d) => d.path === p), p);
    }
  });

  for (const doc of docs) {
    it(`${doc.path}: every dotted config key is in the schema`, () => {
      const bad = badConfigKeys(doc);
      assert.deepEqual(bad, [], `${doc.path} names config keys that do not exist:\n${bad.join('\n')}`);
    });
  }

  const metrics = registeredMetrics();
  const known = seriesNames(metrics);

  it('the services register metrics (the list the docs are checked against)', () => {
    assert.ok(metrics.size >= 25, [...metrics.keys()].join(', '));
    assert.equal(metrics.get('sensorwatch_scoring_latency_seconds'), 'histogram');
  });

  for (const doc of docs) {
    it(`${doc.path}: every sensorwatch_ metric it names is registered`, () => {
      const bad = unknownMetrics(doc, known);
      assert.deepEqual(bad, [], `${doc.path} names metrics no service registers:\n${bad.join('\n')}`);
    });
  }

  for (const [path, heading] of [
    ['docs/metrics.md', /^# Metrics/m],
    ['docs/architecture.md', /^## Metrics/m],
  ] as const) {
    it(`${path}: its metrics table lists every registered metric with its type`, () => {
      const doc = docs.find((d) => d.path === path);
      assert.ok(doc, path);
      const table = metricTable(doc.text, heading);
      const missing = [...metrics.keys()].filter((m) => !table.has(m));
      assert.deepEqual(missing, [], `${path}: the metrics table lacks these registered metrics: ${missing.join(', ')}`);
      for (const [name, type] of metrics) {
        const cell = table.get(name) ?? '';
        assert.ok(cell.startsWith(type), `${path}: ${name} is a ${type}, the table says '${cell}'`);
      }
    });
  }

  it('the checks can fail: a wrong key, a key below a value, a made-up metric', () => {
    const doc: Doc = {
      path: 'docs/x.md',
      text: 'Set `scorer.hysteresis.openAfer`, `scorer.hysteresis.openAfter.x`, `scorer.perSensor.pump-7`, `scorer/metrics.ts`, `metrics.ts`.\nWatch sensorwatch_alerts_opened_total and `sensorwatch_alerts_total`.\n',
    };
    assert.deepEqual(badConfigKeys(doc), [
      'docs/x.md:1: `scorer.hysteresis.openAfer`: no such config key',
      "docs/x.md:1: `scorer.hysteresis.openAfter.x`: scorer.hysteresis.openAfter is a value, it has no key 'x'",
    ]);
    assert.deepEqual(unknownMetrics(doc, known), ['docs/x.md:2: sensorwatch_alerts_opened_total is not a metric the services register']);
  });
});
