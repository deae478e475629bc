// Structural checks of deploy/grafana/provisioning (Grafana is not installable
// here): what Grafana's provisioning needs, cross references between files,
// and every metric any expression selects is one the services export.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Registry, collectDefaultMetrics } from 'prom-client';
import {
  extractExpressions,
  grafanaDir,
  loadDashboards,
  loadGrafanaRules,
  loadPrometheusRules,
  parseLabelValues,
  readYaml,
  recordedNames,
  referencedVariables,
  substituteVariables,
  variableQuery,
  type Dashboard,
} from './provisioning.ts';
import { contractMetrics, prometheusSeries, selectedMetrics, targetLabels } from './promql.ts';

const datasourceUid = 'sensorwatch-prometheus';
const dashboards = loadDashboards();
const byUid = new Map(dashboards.map((d) => [d.dashboard.uid, d.dashboard]));

async function nodeDefaultMetrics(): Promise<Set<string>> {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const names = new Set<string>();
  for (const m of await registry.getMetricsAsJSON()) {
    names.add(m.name);
    // prom-client types this as an enum; at run time it is the exposition-format word
    if (String(m.type) === 'histogram') for (const s of ['_bucket', '_sum', '_count']) names.add(m.name + s);
  }
  return names;
}

/** Metrics behind an expression, with recording rules expanded to what they read. */
function underlyingMetrics(expr: string, recordings = new Map(loadPrometheusRules('recording.yml').map((r) => [r.record, r.expr]))): Set<string> {
  const out = new Set<string>();
  for (const { name } of selectedMetrics(substituteVariables(expr, { sensor: 's', type: '.*' }))) {
    const source = recordings.get(name);
    if (source === undefined) out.add(name);
    else for (const m of underlyingMetrics(source, recordings)) out.add(m);
  }
  return out;
}

function dashboardMetrics(d: Dashboard): Set<string> {
  const out = new Set<string>();
  for (const p of d.panels ?? []) for (const t of p.targets ?? []) for (const m of underlyingMetrics(t.expr ?? '')) out.add(m);
  return out;
}

describe('grafana datasource and dashboard provider', () => {
  it('provisions one Prometheus datasource with the uid the dashboards and rules use', () => {
    const doc = readYaml<{ apiVersion?: number; datasources?: { uid?: string; type?: string; url?: string }[] }>(
      join(grafanaDir, 'datasources/prometheus.yml'),
    );
    assert.equal(doc.apiVersion, 1);
    assert.deepEqual(doc.datasources?.map((d) => [d.uid, d.type]), [[datasourceUid, 'prometheus']]);
    assert.match(doc.datasources?.[0]?.url ?? '', /^http:\/\/prometheus:9090$/);
  });

  it('the provider points at the folder holding the dashboards (as mounted at /etc/grafana/provisioning)', () => {
    const doc = readYaml<{ apiVersion?: number; providers?: { type?: string; options?: { path?: string } }[] }>(
      join(grafanaDir, 'dashboards/sensorwatch.yml'),
    );
    assert.equal(doc.apiVersion, 1);
    const path = doc.providers?.[0]?.options?.path ?? '';
    assert.equal(doc.providers?.[0]?.type, 'file');
    assert.ok(path.startsWith('/etc/grafana/provisioning/'), path);
    assert.ok(existsSync(join(grafanaDir, path.slice('/etc/grafana/provisioning/'.length))), `${path} is not in the repo`);
  });
});

describe('dashboards', () => {
  it('there are the three dashboards, with unique uids and titles', () => {
    assert.deepEqual([...byUid.keys()].sort(), ['sensorwatch-fleet', 'sensorwatch-pipeline', 'sensorwatch-sensor']);
    assert.equal(new Set(dashboards.map((d) => d.dashboard.title)).size, dashboards.length);
  });

  for (const { file, dashboard } of dashboards) {
    describe(file, () => {
      const panels = dashboard.panels ?? [];
      const variables = (dashboard.templating?.list ?? []).map((v) => v.name);

      it('panel ids are unique and every panel has a title, a type and a place', () => {
        assert.ok(panels.length > 0);
        assert.equal(new Set(panels.map((p) => p.id)).size, panels.length, 'duplicate panel id');
        for (const p of panels) {
          assert.ok(p.title && p.type && p.gridPos, `panel ${p.id} lacks title, type or gridPos`);
          assert.ok(p.description, `panel '${p.title}' has no description`);
        }
      });

      it('panels do not overlap on the 24-column grid', () => {
        const cells = new Map<string, string>();
        for (const p of panels) {
          const g = p.gridPos ?? { x: 0, y: 0, w: 0, h: 0 };
          assert.ok(g.x + g.w <= 24, `panel '${p.title}' is wider than the grid`);
          for (let x = g.x; x < g.x + g.w; x++) {
            for (let y = g.y; y < g.y + g.h; y++) {
              const other = cells.get(`${x},${y}`);
              assert.equal(other, undefined, `panels '${other}' and '${p.title}' overlap at ${x},${y}`);
              cells.set(`${x},${y}`, p.title ?? '');
            }
          }
        }
      });

      it('every panel queries the provisioned Prometheus, with unique refIds and an expression', () => {
        for (const p of panels) {
          assert.equal(p.datasource?.uid, datasourceUid, `panel '${p.title}' datasource`);
          assert.ok((p.targets ?? []).length > 0, `panel '${p.title}' has no targets`);
          assert.equal(new Set(p.targets?.map((t) => t.refId)).size, p.targets?.length, `panel '${p.title}' repeats a refId`);
          for (const t of p.targets ?? []) {
            assert.ok(t.refId && t.expr?.trim(), `panel '${p.title}' target without refId or expr`);
            assert.equal(t.datasource?.uid, datasourceUid, `panel '${p.title}' ${t.refId} datasource`);
          }
        }
      });

      it('variables used in expressions are defined; variables are label_values queries', () => {
        for (const p of panels) {
          for (const t of p.targets ?? []) {
            for (const v of referencedVariables(t.expr ?? '')) assert.ok(variables.includes(v), `panel '${p.title}' uses undefined $${v}`);
          }
        }
        for (const a of dashboard.annotations?.list ?? []) {
          for (const v of referencedVariables(a.expr ?? '')) assert.ok(variables.includes(v), `annotation '${a.name}' uses undefined $${v}`);
        }
        for (const v of dashboard.templating?.list ?? []) {
          assert.equal(v.datasource?.uid, datasourceUid, `variable $${v.name} datasource`);
          assert.doesNotThrow(() => parseLabelValues(variableQuery(v)));
        }
      });

      it('annotations query the provisioned Prometheus', () => {
        for (const a of dashboard.annotations?.list ?? []) {
          if (a.builtIn === 1) continue;
          assert.equal(a.datasource?.uid, datasourceUid, `annotation '${a.name}'`);
          assert.ok(a.expr?.trim(), `annotation '${a.name}' has no expr`);
        }
      });
    });
  }

  // What issue 5 asks each dashboard to show, as the metrics that carry it.
  const required: Record<string, string[]> = {
    'sensorwatch-fleet': [
      'sensorwatch_alerts_open', 'sensorwatch_alerts_total', 'sensorwatch_windows_scored_total', 'sensorwatch_consumer_lag',
      'sensorwatch_records_dead_lettered_total', 'sensorwatch_model_info', 'sensorwatch_model_created_timestamp_seconds',
      'sensorwatch_training_val_loss', 'sensorwatch_training_last_success_timestamp_seconds',
    ],
    'sensorwatch-sensor': ['sensorwatch_anomaly_score', 'sensorwatch_threshold', 'sensorwatch_channel_contribution', 'sensorwatch_reconstruction_error_bucket'],
    'sensorwatch-pipeline': [
      'sensorwatch_readings_ingested_total', 'sensorwatch_windows_scored_total', 'sensorwatch_scoring_latency_seconds_bucket',
      'sensorwatch_scoring_batch_size_bucket', 'process_resident_memory_bytes', 'sensorwatch_tensors',
      'sensorwatch_training_duration_seconds_sum', 'sensorwatch_training_val_loss',
    ],
  };
  for (const [uid, metrics] of Object.entries(required)) {
    it(`${uid} shows ${metrics.length} required things`, () => {
      const d = byUid.get(uid);
      assert.ok(d, uid);
      const have = dashboardMetrics(d);
      assert.deepEqual(metrics.filter((m) => !have.has(m)), [], `${uid} lacks panels for these`);
    });
  }

  it('the sensor dashboard has a $sensor variable over the per-sensor score and an alert annotation', () => {
    const d = byUid.get('sensorwatch-sensor');
    const v = d?.templating?.list?.find((x) => x.name === 'sensor');
    assert.deepEqual(parseLabelValues(variableQuery(v ?? {})), { selector: 'sensorwatch_anomaly_score{type=~"$type"}', label: 'sensor' });
    assert.ok(d?.annotations?.list?.some((a) => a.builtIn !== 1 && (a.expr ?? '').includes('$sensor')));
  });

  it('the fleet and sensor dashboards have a $type variable (all types by default) over the scorer\'s type label', () => {
    for (const uid of ['sensorwatch-fleet', 'sensorwatch-sensor']) {
      const v = byUid.get(uid)?.templating?.list?.find((x) => x.name === 'type');
      assert.ok(v, `${uid} has no $type`);
      assert.deepEqual(parseLabelValues(variableQuery(v)), { selector: 'sensorwatch_anomaly_score', label: 'type' }, uid);
      const raw = v as { includeAll?: boolean; multi?: boolean; allValue?: string };
      assert.deepEqual([raw.includeAll, raw.multi, raw.allValue], [true, true, '.*'], uid);
    }
  });

  it('"Sensors alerting now" filters by $type and shows the type column next to the sensor', () => {
    const panel = byUid.get('sensorwatch-fleet')?.panels?.find((p) => p.title === 'Sensors alerting now') as
      | { targets?: { expr?: string }[]; transformations?: { id: string; options?: { indexByName?: Record<string, number>; excludeByName?: Record<string, boolean> } }[] }
      | undefined;
    assert.ok(panel);
    const expr = panel.targets?.[0]?.expr ?? '';
    assert.match(expr, /sensorwatch_alert_open\{type=~"\$type"\}/);
    for (const by of expr.matchAll(/max by \(([^)]*)\) \(sensorwatch_alert_open/g)) assert.ok(by[1]?.split(/,\s*/).includes('type'), `aggregation drops the type: ${by[0]}`);
    const organize = panel.transformations?.find((t) => t.id === 'organize')?.options;
    assert.equal(organize?.indexByName?.type, 1);
    assert.notEqual(organize?.excludeByName?.type, true);
  });
});

describe('grafana alerting', () => {
  const groups = loadGrafanaRules();
  const rules = groups.flatMap((g) => g.rules ?? []);

  it('groups have what file provisioning needs', () => {
    for (const g of groups) {
      assert.ok(g.orgId && g.name && g.folder && /^\d+[smh]$/.test(g.interval ?? ''), `group ${g.name}`);
    }
  });

  it('rule uids are unique and at most 40 characters; titles are unique', () => {
    assert.equal(new Set(rules.map((r) => r.uid)).size, rules.length);
    assert.equal(new Set(rules.map((r) => r.title)).size, rules.length);
    for (const r of rules) assert.ok(r.uid && r.uid.length <= 40 && /^[a-zA-Z0-9_-]+$/.test(r.uid), `uid ${r.uid}`);
  });

  for (const r of rules) {
    it(`${r.title}: query -> reduce -> threshold chain is complete`, () => {
      const data = r.data ?? [];
      const refIds = data.map((q) => q.refId);
      assert.ok(refIds.includes(r.condition), `condition ${r.condition} is not a refId`);
      for (const q of data) {
        assert.ok(q.relativeTimeRange, `${q.refId} relativeTimeRange`);
        if (q.datasourceUid === '__expr__') {
          assert.ok(['reduce', 'threshold', 'math', 'classic_conditions'].includes(q.model?.type ?? ''), `${q.refId} type`);
          if (q.model?.type !== 'math') assert.ok(refIds.includes(q.model?.expression), `${q.refId} reads unknown ${q.model?.expression}`);
        } else {
          assert.equal(q.datasourceUid, datasourceUid);
          assert.ok(q.model?.expr?.trim(), `${q.refId} has no expr`);
        }
      }
      assert.ok(['OK', 'NoData', 'Alerting', 'KeepLast'].includes(r.noDataState ?? ''), 'noDataState');
      assert.ok(['OK', 'Error', 'Alerting', 'KeepLast'].includes(r.execErrState ?? ''), 'execErrState');
      assert.match(r.for ?? '', /^\d+[smh]$/);
      assert.ok(r.annotations?.summary && r.annotations.description, 'summary and description');
    });

    it(`${r.title}: links to a dashboard panel that exists`, () => {
      const d = byUid.get(r.annotations?.__dashboardUid__);
      assert.ok(d, `no dashboard ${r.annotations?.__dashboardUid__}`);
      assert.ok(d.panels?.some((p) => String(p.id) === r.annotations?.__panelId__), `no panel ${r.annotations?.__panelId__}`);
    });
  }

  it('covers the alerts issue 5 names', () => {
    const titles = rules.map((r) => r.title);
    for (const t of ['SensorwatchAnomalyOpen', 'SensorwatchSensorFault', 'SensorwatchScorerDown', 'SensorwatchConsumerLagHigh', 'SensorwatchModelStale', 'SensorwatchTrainingFailing']) {
      assert.ok(titles.includes(t), t);
    }
  });

  it('contact points have receivers with uid, type and settings; the policy routes to existing ones on routable labels', () => {
    const cps = readYaml<{ contactPoints?: { name?: string; receivers?: { uid?: string; type?: string; settings?: object }[] }[] }>(
      join(grafanaDir, 'alerting/contact-points.yml'),
    ).contactPoints ?? [];
    const names = cps.map((c) => c.name);
    for (const c of cps) for (const r of c.receivers ?? []) assert.ok(r.uid && r.type && r.settings, `${c.name} receiver`);
    type Route = { receiver?: string; object_matchers?: string[][]; group_by?: string[]; routes?: Route[] };
    const policies = readYaml<{ policies?: Route[] }>(join(grafanaDir, 'alerting/policies.yml')).policies ?? [];
    assert.equal(policies.length, 1);
    const routable = new Set(['sensor', 'severity', 'kind', 'model', 'group', 'alertname', 'grafana_folder']);
    const walk = (r: Route): void => {
      assert.ok(names.includes(r.receiver), `receiver ${r.receiver} is not a contact point`);
      for (const m of r.object_matchers ?? []) {
        assert.equal(m.length, 3);
        assert.ok(routable.has(m[0] ?? ''), `matcher on ${m[0]}`);
        assert.ok(['=', '!=', '=~', '!~'].includes(m[1] ?? ''), `operator ${m[1]}`);
      }
      for (const l of r.group_by ?? []) assert.ok(routable.has(l), `group_by ${l}`);
      for (const child of r.routes ?? []) walk(child);
    };
    for (const p of policies) walk(p);
  });
});

describe('every expression selects only exported metrics', () => {
  const contract = contractMetrics();
  const recorded = recordedNames();
  const expressions = extractExpressions();

  it('there are expressions from every source', () => {
    const sources = new Set(expressions.map((e) => e.source));
    assert.deepEqual([...sources].sort(), [
      'dashboard-annotation', 'dashboard-panel', 'dashboard-variable', 'grafana-alert', 'prometheus-alert', 'prometheus-recording',
    ]);
  });

  it('each metric is in the contract (docs/architecture.md), a recording rule, a Node default or Prometheus own', async () => {
    const defaults = await nodeDefaultMetrics();
    const unknown: string[] = [];
    for (const e of expressions) {
      for (const m of selectedMetrics(e.expr)) {
        if (!contract.has(m.name) && !recorded.has(m.name) && !defaults.has(m.name) && !prometheusSeries.has(m.name)) {
          unknown.push(`${e.where}: ${m.name}`);
        }
      }
    }
    assert.deepEqual(unknown, []);
  });

  it('label matchers on contract metrics name labels the metric has', () => {
    const wrong: string[] = [];
    for (const e of expressions) {
      for (const m of selectedMetrics(e.expr)) {
        const c = contract.get(m.name);
        if (c === undefined) continue;
        for (const l of m.labels) if (!c.labels.includes(l) && !targetLabels.includes(l)) wrong.push(`${e.where}: ${m.name}{${l}}`);
      }
    }
    assert.deepEqual(wrong, []);
  });

  it('every recording rule is drawn by some dashboard', () => {
    const used = new Set(expressions.filter((e) => e.source.startsWith('dashboard')).flatMap((e) => selectedMetrics(e.expr).map((m) => m.name)));
    assert.deepEqual([...recorded].filter((r) => !used.has(r)), []);
  });

  it('a dashboard naming a metric nobody exports is caught (the check can fail)', () => {
    const m = selectedMetrics('sum(rate(sensorwatch_windows_scored_totl[1m]))').map((x) => x.name);
    assert.deepEqual(m.filter((n) => !contract.has(n)), ['sensorwatch_windows_scored_totl']);
  });
});
