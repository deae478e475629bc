// docs/operate.md stays true to the files: it covers each user task of issue
// 5, describes every dashboard panel with its real query, names every alert
// rule, and only shows `sensorwatch` commands that exist.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { cliVerbs } from './cli-verbs.ts';
import { loadDashboards, loadPrometheusRules, repoRoot } from './provisioning.ts';

const doc = readFileSync(join(repoRoot, 'docs/operate.md'), 'utf8');

describe('docs/operate.md', () => {
  const tasks = [
    'Point sensors at the topic',
    'Open Grafana',
    'Read an alert',
    'Change a threshold and see it applied',
    'Trigger or schedule retraining',
    'Roll back a model',
    'Add scorers to scale out',
  ];
  for (const t of tasks) {
    it(`has a section: ${t}`, () => assert.match(doc, new RegExp(`^## ${t}$`, 'm')));
  }

  it('shows Avro and JSON readings, and kcat', () => {
    assert.match(doc, /kcat -P .*content-type=application\/json/);
    assert.match(doc, /kcat -P .*content-type=application\/avro/);
    assert.match(doc, /SensorReading\.avsc/);
  });

  for (const { file, dashboard } of loadDashboards()) {
    it(`describes every panel of ${file} with its query`, () => {
      for (const p of dashboard.panels ?? []) {
        const row = doc.split('\n').find((l) => l.startsWith(`| ${p.title} (`));
        assert.ok(row, `no row for panel '${p.title}'`);
        for (const t of p.targets ?? []) assert.ok(row.includes(`\`${(t.expr ?? '').replace(/\|/g, '\\|')}\``), `'${p.title}': query ${t.expr} not in its row`);
      }
    });
  }

  it('names every alert rule', () => {
    for (const r of loadPrometheusRules('alerts.yml')) assert.ok(doc.includes(`\`${r.alert}\``), r.alert);
  });

  it('every `sensorwatch <verb>` it shows is a real command', () => {
    const verbs = cliVerbs();
    // `sensorwatch train …` and `node bin/sensorwatch.mjs train …`, not `kubectl -n sensorwatch get`
    const commands = [...doc.matchAll(/(?<!-n )(?<![\w.-])sensorwatch(?:\.mjs)? ([a-z]+)/g)].map((m) => m[1] ?? '');
    assert.ok(commands.length > 5);
    for (const v of commands) assert.ok(verbs.has(v), `sensorwatch ${v}`);
  });
});
