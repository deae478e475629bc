// promtool over deploy/prometheus: the config and rules load, the rule unit
// tests (deploy/prometheus/tests/*.yml) pass, and every dashboard and Grafana
// alert expression is valid PromQL. promtool comes from the Debian prometheus
// package (scripts/install-prometheus.sh); without it these tests skip, and
// fail under SENSORWATCH_REQUIRE_TOOLS=1 (test/support/tools.ts).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import YAML from 'yaml';
import { missing, toolPath } from '../../support/tools.ts';
import { extractExpressions, prometheusDir, substituteVariables } from './provisioning.ts';

function promtool(args: string[], cwd = prometheusDir): string {
  const r = spawnSync(toolPath('promtool'), args, { cwd, encoding: 'utf8', timeout: 30_000 });
  const output = `${r.stdout}${r.stderr}`;
  assert.equal(r.status, 0, `promtool ${args.join(' ')} failed:\n${output}`);
  return output;
}

describe('promtool', () => {
  it('check config prometheus.yml', { skip: missing('promtool', import.meta.filename) }, () => {
    promtool(['check', 'config', 'prometheus.yml']);
  });

  it('check rules rules/*.yml', { skip: missing('promtool', import.meta.filename) }, () => {
    const files = readdirSync(join(prometheusDir, 'rules')).filter((f) => f.endsWith('.yml')).map((f) => `rules/${f}`);
    assert.deepEqual(files.sort(), ['rules/alerts.yml', 'rules/recording.yml']);
    promtool(['check', 'rules', ...files]);
  });

  it('test rules tests/*.yml', { skip: missing('promtool', import.meta.filename) }, () => {
    const files = readdirSync(join(prometheusDir, 'tests')).filter((f) => f.endsWith('.yml')).map((f) => `tests/${f}`);
    assert.ok(files.length >= 2, 'rule unit tests missing');
    const out = promtool(['test', 'rules', ...files]);
    assert.doesNotMatch(out, /FAILED/);
  });

  describe('dashboard and Grafana alert expressions are valid PromQL', () => {
    // Each expression (variables substituted) becomes a recording rule in a
    // scratch file, so `promtool check rules` parses it without a server.
    const dir = mkdtempSync(join(tmpdir(), 'sensorwatch-promql-'));
    after(() => rmSync(dir, { recursive: true, force: true }));
    const expressions = extractExpressions().filter((e) => e.source.startsWith('dashboard') || e.source === 'grafana-alert');

    it(`all ${expressions.length} parse`, { skip: missing('promtool', import.meta.filename) }, () => {
      const rules = expressions.map((e, i) => ({ record: `check:expr:e${i}`, expr: substituteVariables(e.expr, { sensor: 'sensor-1', type: '.*' }) }));
      const file = join(dir, 'expressions.yml');
      writeFileSync(file, YAML.stringify({ groups: [{ name: 'expressions', rules }] }));
      promtool(['check', 'rules', file], dir);
    });

    it('a broken expression is reported (the check can fail)', { skip: missing('promtool', import.meta.filename) }, () => {
      const file = join(dir, 'broken.yml');
      writeFileSync(file, YAML.stringify({ groups: [{ name: 'x', rules: [{ record: 'check:expr:bad', expr: 'sum(rate(x[5m])' }] }] }));
      const r = spawnSync(toolPath('promtool'), ['check', 'rules', file], { encoding: 'utf8' });
      assert.notEqual(r.status, 0);
    });
  });
});
