// deploy/prometheus: the scrape configs agree with the services, and the
// Prometheus alerting rules mean the same as the Grafana-managed ones.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { defaultConfig } from '../../../common/config/defaults.ts';
import { loadGrafanaRules, loadPrometheusRules, prometheusDir, readYaml } from './provisioning.ts';

interface ScrapeConfig {
  job_name?: string;
  static_configs?: { targets?: string[] }[];
  dns_sd_configs?: { names?: string[]; port?: number }[];
  relabel_configs?: { target_label?: string; replacement?: string }[];
}
interface PrometheusConfig { rule_files?: string[]; scrape_configs?: ScrapeConfig[]; global?: { scrape_interval?: string } }

const serviceJobs = ['sensorwatch-ingest', 'sensorwatch-scorer', 'sensorwatch-trainer'];

describe('prometheus.yml (compose)', () => {
  const config = readYaml<PrometheusConfig>(join(prometheusDir, 'prometheus.yml'));

  it('scrapes ingest, scorer and trainer under the job names the rules select on', () => {
    const jobs = (config.scrape_configs ?? []).map((s) => s.job_name);
    for (const j of serviceJobs) assert.ok(jobs.includes(j), j);
  });

  it('on the services\' metrics port, at the compose service names', () => {
    for (const s of config.scrape_configs ?? []) {
      if (!serviceJobs.includes(s.job_name ?? '')) continue;
      const service = (s.job_name ?? '').replace('sensorwatch-', '');
      const sd = s.dns_sd_configs?.[0];
      assert.ok(sd?.names?.includes(service), `${s.job_name} does not look up ${service}`);
      assert.equal(sd?.port, defaultConfig.metrics.port, s.job_name);
    }
  });

  it('loads rule files that exist', () => {
    assert.deepEqual(config.rule_files, ['rules/recording.yml', 'rules/alerts.yml']);
    for (const f of config.rule_files ?? []) assert.ok(existsSync(join(prometheusDir, f)), f);
  });
});

describe('prometheus-k8s.yml', () => {
  // The Debian promtool is built without Kubernetes service discovery, so
  // `promtool check config` cannot read this file; these checks stand in.
  const config = readYaml<PrometheusConfig>(join(prometheusDir, 'prometheus-k8s.yml'));

  it('loads the same rule files and names jobs sensorwatch-<component>', () => {
    assert.deepEqual(config.rule_files, ['rules/recording.yml', 'rules/alerts.yml']);
    const relabel = config.scrape_configs?.[0]?.relabel_configs ?? [];
    assert.ok(relabel.some((r) => r.target_label === 'job' && r.replacement === 'sensorwatch-$1'));
  });
});

describe('alerting rules: Prometheus and Grafana say the same', () => {
  const prometheus = loadPrometheusRules('alerts.yml');
  const grafana = loadGrafanaRules().flatMap((g) => g.rules ?? []);
  const ops: Record<string, string> = { gt: '>', lt: '<' };
  const seconds = (d: string | undefined): number => {
    const m = /^(\d+)([smh])$/.exec(d ?? '0s');
    return m === null ? NaN : Number(m[1]) * { s: 1, m: 60, h: 3600 }[m[2] as 's' | 'm' | 'h'];
  };

  it('the same rule names on both sides', () => {
    assert.deepEqual(prometheus.map((r) => r.alert).sort(), grafana.map((r) => r.title).sort());
  });

  for (const p of prometheus) {
    it(`${p.alert}: expression = Grafana query A + threshold, same for and labels`, () => {
      const g = grafana.find((r) => r.title === p.alert);
      assert.ok(g);
      const query = g.data?.find((q) => q.refId === 'A')?.model?.expr;
      const threshold = g.data?.find((q) => q.refId === g.condition)?.model?.conditions?.[0]?.evaluator;
      const op = ops[threshold?.type ?? ''];
      assert.ok(query && op && threshold?.params?.length === 1, 'Grafana rule is A -> reduce -> threshold (gt|lt)');
      assert.equal(p.expr, `${query} ${op} ${threshold.params[0]}`);
      assert.equal(seconds(p.for), seconds(g.for));
      assert.deepEqual(p.labels, g.labels);
    });

    it(`${p.alert}: routable labels: kind always, severity static or from the series`, () => {
      assert.ok(['anomaly', 'sensor_fault', 'pipeline'].includes(p.labels?.kind ?? ''), 'kind');
      const severityFromSeries = /by \([^)]*\bseverity\b/.test(p.expr ?? '');
      assert.ok(severityFromSeries || ['warning', 'critical'].includes(p.labels?.severity ?? ''), 'severity');
      assert.ok(p.annotations?.summary && p.annotations.description);
    });
  }
});

describe('recording rules', () => {
  it('names are level:metric:operation and each appears once per label set', () => {
    const rules = loadPrometheusRules('recording.yml');
    const keys = rules.map((r) => `${r.record}${JSON.stringify(r.labels ?? {})}`);
    assert.equal(new Set(keys).size, keys.length);
    for (const r of rules) assert.match(r.record ?? '', /^sensorwatch:[a-z_]+:[a-z0-9_]+$/);
  });
});
