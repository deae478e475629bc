// Reads the provisioning under deploy/ and pulls out every PromQL expression:
// dashboard panels, template variables and annotations, Grafana-managed alert
// rules, Prometheus recording and alerting rules. One extractor, shared by the
// unit tests (structure, metric names against the contract, promtool syntax)
// and the real-Prometheus integration test (every expression returns data).
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';

export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
export const grafanaDir = join(repoRoot, 'deploy/grafana/provisioning');
export const prometheusDir = join(repoRoot, 'deploy/prometheus');
export const dashboardsDir = join(grafanaDir, 'dashboards/sensorwatch');

export type ExpressionSource =
  | 'dashboard-panel'
  | 'dashboard-variable'
  | 'dashboard-annotation'
  | 'grafana-alert'
  | 'prometheus-alert'
  | 'prometheus-recording';

export interface Expression {
  source: ExpressionSource;
  /** Where it is, for messages: file and panel/rule. */
  where: string;
  /** PromQL; Grafana variables ($sensor, $__rate_interval) left in. */
  expr: string;
}

// Loosely typed views of the files: the tests check the fields they rely on.
export interface DashboardTarget { refId?: string; expr?: string; datasource?: { type?: string; uid?: string } }
export interface DashboardPanel {
  id?: number;
  type?: string;
  title?: string;
  description?: string;
  datasource?: { type?: string; uid?: string };
  gridPos?: { x: number; y: number; w: number; h: number };
  targets?: DashboardTarget[];
}
export interface DashboardVariable { name?: string; type?: string; query?: { query?: string } | string; datasource?: { uid?: string } }
export interface DashboardAnnotation { name?: string; expr?: string; builtIn?: number; datasource?: { type?: string; uid?: string } }
export interface Dashboard {
  uid?: string;
  title?: string;
  panels?: DashboardPanel[];
  templating?: { list?: DashboardVariable[] };
  annotations?: { list?: DashboardAnnotation[] };
}

export interface GrafanaQuery {
  refId?: string;
  datasourceUid?: string;
  relativeTimeRange?: { from: number; to: number };
  model?: {
    expr?: string;
    type?: string;
    expression?: string;
    reducer?: string;
    conditions?: { evaluator?: { type?: string; params?: number[] } }[];
  };
}
export interface GrafanaRule {
  uid?: string;
  title?: string;
  condition?: string;
  data?: GrafanaQuery[];
  for?: string;
  noDataState?: string;
  execErrState?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
export interface GrafanaRuleGroup { orgId?: number; name?: string; folder?: string; interval?: string; rules?: GrafanaRule[] }

export interface PrometheusRule {
  record?: string;
  alert?: string;
  expr?: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export function readYaml<T>(path: string): T {
  return YAML.parse(readFileSync(path, 'utf8')) as T;
}

export function rel(path: string): string {
  return relative(repoRoot, path);
}

export function loadDashboards(): { file: string; dashboard: Dashboard }[] {
  return readdirSync(dashboardsDir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => {
      const file = join(dashboardsDir, f);
      return { file: rel(file), dashboard: JSON.parse(readFileSync(file, 'utf8')) as Dashboard };
    });
}

export function loadGrafanaRules(): GrafanaRuleGroup[] {
  return readYaml<{ groups?: GrafanaRuleGroup[] }>(join(grafanaDir, 'alerting/rules.yml')).groups ?? [];
}

export function loadPrometheusRules(file: 'recording.yml' | 'alerts.yml'): PrometheusRule[] {
  const doc = readYaml<{ groups?: { rules?: PrometheusRule[] }[] }>(join(prometheusDir, 'rules', file));
  return (doc.groups ?? []).flatMap((g) => g.rules ?? []);
}

/** `label_values(selector, label)` (a Grafana variable query) split up. */
export function parseLabelValues(query: string): { selector: string; label: string } {
  const m = /^\s*label_values\(\s*(.+)\s*,\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\)\s*$/.exec(query);
  if (m === null || m[1] === undefined || m[2] === undefined) {
    throw new Error(`variable query '${query}' is not label_values(selector, label)`);
  }
  return { selector: m[1], label: m[2] };
}

export function variableQuery(v: DashboardVariable): string {
  return typeof v.query === 'string' ? v.query : (v.query?.query ?? '');
}

export function extractExpressions(): Expression[] {
  const out: Expression[] = [];
  for (const { file, dashboard } of loadDashboards()) {
    for (const panel of dashboard.panels ?? []) {
      for (const t of panel.targets ?? []) {
        out.push({ source: 'dashboard-panel', where: `${file} panel '${panel.title}' ${t.refId}`, expr: t.expr ?? '' });
      }
    }
    for (const v of dashboard.templating?.list ?? []) {
      if (v.type !== 'query') continue;
      out.push({ source: 'dashboard-variable', where: `${file} variable $${v.name}`, expr: parseLabelValues(variableQuery(v)).selector });
    }
    for (const a of dashboard.annotations?.list ?? []) {
      if (a.builtIn === 1) continue;
      out.push({ source: 'dashboard-annotation', where: `${file} annotation '${a.name}'`, expr: a.expr ?? '' });
    }
  }
  for (const group of loadGrafanaRules()) {
    for (const rule of group.rules ?? []) {
      for (const q of rule.data ?? []) {
        if (q.datasourceUid === '__expr__') continue;
        out.push({ source: 'grafana-alert', where: `grafana rule ${rule.title} ${q.refId}`, expr: q.model?.expr ?? '' });
      }
    }
  }
  for (const rule of loadPrometheusRules('recording.yml')) {
    out.push({ source: 'prometheus-recording', where: `recording rule ${rule.record}`, expr: rule.expr ?? '' });
  }
  for (const rule of loadPrometheusRules('alerts.yml')) {
    out.push({ source: 'prometheus-alert', where: `prometheus alert ${rule.alert}`, expr: rule.expr ?? '' });
  }
  return out;
}

/** Names of the series the recording rules create. */
export function recordedNames(): Set<string> {
  return new Set(loadPrometheusRules('recording.yml').flatMap((r) => (r.record === undefined ? [] : [r.record])));
}

const builtinVariables: Record<string, string> = {
  __rate_interval: '1m',
  __interval: '15s',
  __range: '1h',
};

/** Grafana variables an expression uses ($sensor, ${sensor}), without the built-in $__ ones. */
export function referencedVariables(expr: string): string[] {
  const names = new Set<string>();
  for (const m of expr.matchAll(/\$\{?([a-zA-Z_][a-zA-Z0-9_]*)\}?/g)) {
    if (m[1] !== undefined && !(m[1] in builtinVariables)) names.add(m[1]);
  }
  return [...names];
}

/** Replaces Grafana variables with values, so the expression is plain PromQL. */
export function substituteVariables(expr: string, values: Record<string, string> = {}): string {
  return expr.replace(/\$\{?([a-zA-Z_][a-zA-Z0-9_]*)\}?/g, (whole, name: string) => {
    const value = values[name] ?? builtinVariables[name];
    if (value === undefined) throw new Error(`expression '${expr}' uses variable ${whole} with no value given`);
    return value;
  });
}
