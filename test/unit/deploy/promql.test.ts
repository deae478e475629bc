import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { contractMetrics, selectedMetrics } from './promql.ts';

describe('selectedMetrics', () => {
  const cases: { expr: string; want: { name: string; labels: string[] }[] }[] = [
    { expr: 'up', want: [{ name: 'up', labels: [] }] },
    { expr: 'up{job="sensorwatch-scorer"} < 1', want: [{ name: 'up', labels: ['job'] }] },
    {
      expr: 'sum by (kind, severity) (sensorwatch_alerts_open{kind="anomaly"}) > 0',
      want: [{ name: 'sensorwatch_alerts_open', labels: ['kind'] }],
    },
    {
      expr: 'histogram_quantile(0.99, sum by (le) (rate(x_bucket[$__rate_interval])))',
      want: [{ name: 'x_bucket', labels: [] }],
    },
    { expr: 'sum(rate(a_total[5m])) by (le) / ignoring (x) group_left (y) b', want: [{ name: 'a_total', labels: [] }, { name: 'b', labels: [] }] },
    { expr: 'a offset 5m and on (sensor) b unless c', want: [{ name: 'a', labels: [] }, { name: 'b', labels: [] }, { name: 'c', labels: [] }] },
    { expr: 'time() - max by (model) (m:recorded:rate1m)', want: [{ name: 'm:recorded:rate1m', labels: [] }] },
    {
      // label values and strings may hold anything, including names and braces
      expr: 'a{sensor="$sensor", b=~"up|rate(x)", c!="}"} * 1e3 + 0.5',
      want: [{ name: 'a', labels: ['sensor', 'b', 'c'] }],
    },
    { expr: 'label_replace(a, "dst", "$1", "src", "(.*)")', want: [{ name: 'a', labels: [] }] },
    { expr: 'count(a) bool > 2', want: [{ name: 'a', labels: [] }] },
  ];
  for (const { expr, want } of cases) {
    it(expr, () => assert.deepEqual(selectedMetrics(expr), want));
  }

  const bad: { expr: string; error: RegExp }[] = [
    { expr: 'rat(a[5m])', error: /'rat' is not a PromQL function/ },
    { expr: 'sum(a{b="x)', error: /unterminated string/ },
    { expr: '{job="x"}', error: /selector without a metric name/ },
  ];
  for (const { expr, error } of bad) {
    it(`rejects ${expr}`, () => assert.throws(() => selectedMetrics(expr), error));
  }
});

describe('contractMetrics', () => {
  const doc = [
    '# x',
    '## Metrics (names are a contract)',
    '| metric | type | labels | service |',
    '| --- | --- | --- | --- |',
    '| `sensorwatch_a_total` | counter | `format` (avro, json) | ingest |',
    '| `sensorwatch_b_total` / duplicates: `sensorwatch_c_total` | counter | | ingest |',
    '| `sensorwatch_d_seconds` | histogram | `model` | scorer |',
    '## Next',
    '| `sensorwatch_not_here` | gauge | | x |',
  ].join('\n');
  const got = contractMetrics(doc);

  it('reads every name in the first column, including a second name in one cell', () => {
    assert.deepEqual([...got.keys()].sort(), [
      'sensorwatch_a_total',
      'sensorwatch_b_total',
      'sensorwatch_c_total',
      'sensorwatch_d_seconds',
      'sensorwatch_d_seconds_bucket',
      'sensorwatch_d_seconds_count',
      'sensorwatch_d_seconds_sum',
    ]);
  });
  it('keeps the labels; buckets also have le', () => {
    assert.deepEqual(got.get('sensorwatch_a_total')?.labels, ['format']);
    assert.deepEqual(got.get('sensorwatch_d_seconds_bucket')?.labels, ['model', 'le']);
    assert.deepEqual(got.get('sensorwatch_b_total')?.labels, []);
  });
  it('the real contract in docs/architecture.md parses', () => {
    const real = contractMetrics();
    assert.ok(real.has('sensorwatch_alerts_open'));
    assert.deepEqual(real.get('sensorwatch_alerts_open')?.labels, ['kind', 'severity']);
    assert.ok(real.has('sensorwatch_scoring_latency_seconds_bucket'));
  });
  it('fails loudly when the table is missing', () => {
    assert.throws(() => contractMetrics('# nothing'), /no metrics table/);
  });
});
