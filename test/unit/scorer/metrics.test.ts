import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Registry } from 'prom-client';
import { createScorerMetrics } from '../../../scorer/metrics.ts';

const docs = readFileSync(new URL('../../../docs/metrics.md', import.meta.url), 'utf8');

/** The docs table rows: name, type, labels (parenthetical notes dropped), services. */
function documented(): { name: string; type: string; labels: string[]; services: string[] }[] {
  return docs
    .split('\n')
    .filter((l) => l.startsWith('| `sensorwatch_'))
    .map((l) => {
      const [name = '', type = '', labels = '', services = ''] = l.split('|').slice(1).map((c) => c.trim());
      return {
        name: name.replaceAll('`', ''),
        type: type.replace(/\s*\(1\)$/, ''),
        labels: labels.replace(/\([^)]*\)/g, '').split(',').map((s) => s.replaceAll('`', '').trim()).filter((s) => s !== ''),
        services: services.split(',').map((s) => s.trim()),
      };
    });
}

function scorerRegistry(): Registry {
  const registry = new Registry();
  createScorerMetrics({ registry, maxSensorsExported: () => 10, tensorCount: () => 0, backend: () => 'cpu' });
  return registry;
}

describe('scorer metrics vs docs/metrics.md', () => {
  it('the docs list exactly the metrics the scorer exports, with their types and labels', () => {
    const exported = scorerRegistry()
      .getMetricsAsArray()
      .map((m) => {
        const raw = m as unknown as { name: string; labelNames: string[]; constructor: { name: string } };
        return { name: raw.name, type: raw.constructor.name.toLowerCase(), labels: [...raw.labelNames].sort() };
      })
      .sort((a, b) => a.name.localeCompare(b.name));
    const rows = documented()
      .filter((r) => r.services.includes('scorer'))
      .map((r) => ({ name: r.name, type: r.type, labels: [...r.labels].sort() }))
      .sort((a, b) => a.name.localeCompare(b.name));
    assert.deepEqual(rows, exported);
  });

  it('every metric of the architecture contract is in the docs table', () => {
    const contract = readFileSync(new URL('../../../docs/architecture.md', import.meta.url), 'utf8');
    const names = [...contract.matchAll(/`(sensorwatch_[a-z_]+)`/g)].map((m) => m[1]);
    const doc = new Set(documented().map((r) => r.name));
    for (const name of names) assert.ok(doc.has(name ?? ''), `${name} missing from docs/metrics.md`);
  });
});

describe('createScorerMetrics', () => {
  it('open alerts are replaced as a whole on each update (a resolved alert leaves the gauge)', async () => {
    const registry = new Registry();
    const m = createScorerMetrics({ registry, maxSensorsExported: () => 10, tensorCount: () => 0, backend: () => 'cpu' });
    m.openAlerts(new Map([['a', { kind: 'anomaly', severity: 'critical', count: 2 }]]));
    m.openAlerts(new Map([['b', { kind: 'anomaly', severity: 'warning', count: 1 }]]));
    const text = await registry.metrics();
    assert.match(text, /sensorwatch_alerts_open\{kind="anomaly",severity="warning"\} 1/);
    assert.doesNotMatch(text, /severity="critical"/);
  });

  it('declared severities exist at 0 for every kind and state', async () => {
    const registry = new Registry();
    const m = createScorerMetrics({ registry, maxSensorsExported: () => 10, tensorCount: () => 0, backend: () => 'cpu' });
    m.declareSeverities(['warning', 'critical']);
    const text = await registry.metrics();
    assert.equal((text.match(/^sensorwatch_alerts_total\{.*\} 0$/gm) ?? []).length, 2 * 3 * 2);
    assert.match(text, /sensorwatch_alerts_total\{kind="sensor_fault",severity="critical",state="resolve"\} 0/);
  });

  it('reuses metrics another service already registered on a shared registry', () => {
    const registry = new Registry();
    createScorerMetrics({ registry, maxSensorsExported: () => 10, tensorCount: () => 0, backend: () => 'cpu' });
    assert.doesNotThrow(() => createScorerMetrics({ registry, maxSensorsExported: () => 10, tensorCount: () => 0, backend: () => 'cpu' }));
  });

  it('reports the tensor count and backend at scrape time', async () => {
    const registry = new Registry();
    let tensors = 5;
    createScorerMetrics({ registry, maxSensorsExported: () => 10, tensorCount: () => tensors, backend: () => 'wasm' });
    assert.match(await registry.metrics(), /sensorwatch_tensors 5/);
    tensors = 7;
    const text = await registry.metrics();
    assert.match(text, /sensorwatch_tensors 7/);
    assert.match(text, /sensorwatch_backend_info\{backend="wasm"\} 1/);
  });
});

describe('per-sensor series: liveness and open alerts', () => {
  const scoredWindow = (sensorId: string, score = 2) => ({
    model: 'default',
    sensorId,
    error: score * 0.1,
    score,
    threshold: 0.1,
    contributions: [
      { channel: 'temp', contribution: 0.15 },
      { channel: 'vib', contribution: 0.05 },
    ],
  });
  const seriesOf = (text: string, sensor: string): string[] => text.split('\n').filter((l) => l.includes(`sensor="${sensor}"`));

  it('forgetSensors removes every series of a sensor (score, threshold, contributions, alert) and the sensor comes back with its next window', async () => {
    const registry = new Registry();
    const m = createScorerMetrics({ registry, maxSensorsExported: () => 10, tensorCount: () => 0, backend: () => 'cpu' });
    m.windowScored(scoredWindow('dying-6'));
    m.windowScored(scoredWindow('alive-1'));
    assert.equal(seriesOf(await registry.metrics(), 'dying-6').length, 4);
    m.forgetSensors(['dying-6']);
    const text = await registry.metrics();
    assert.deepEqual(seriesOf(text, 'dying-6'), []);
    assert.equal(seriesOf(text, 'alive-1').length, 4, 'other sensors keep their series');
    assert.equal(m.exportedSensors(), 1);
    m.windowScored(scoredWindow('dying-6', 0.5));
    assert.match(await registry.metrics(), /sensorwatch_anomaly_score\{sensor="dying-6",type="default"\} 0\.5/);
  });

  it('the cap counts live sensors only: a forgotten sensor frees its place', async () => {
    const registry = new Registry();
    const m = createScorerMetrics({ registry, maxSensorsExported: () => 2, tensorCount: () => 0, backend: () => 'cpu' });
    for (const id of ['a', 'b', 'c']) m.windowScored(scoredWindow(id));
    assert.deepEqual(seriesOf(await registry.metrics(), 'c'), [], 'over the cap');
    m.forgetSensors(['a']);
    m.windowScored(scoredWindow('c'));
    const text = await registry.metrics();
    assert.match(text, /sensorwatch_anomaly_score\{sensor="c",type="default"\} 2/);
    assert.equal(m.exportedSensors(), 2);
  });

  it('sensorAlerts exports one series per open alert with the decided severity, replaced as a whole', async () => {
    const registry = new Registry();
    const m = createScorerMetrics({ registry, maxSensorsExported: () => 10, tensorCount: () => 0, backend: () => 'cpu' });
    m.sensorAlerts([
      { sensorId: 's1', kind: 'anomaly', severity: 'critical' },
      { sensorId: 's2', kind: 'sensor_fault', severity: 'warning' },
    ]);
    let text = await registry.metrics();
    assert.match(text, /sensorwatch_alert_open\{sensor="s1",kind="anomaly",severity="critical",type="default"\} 1/);
    assert.match(text, /sensorwatch_alert_open\{sensor="s2",kind="sensor_fault",severity="warning",type="default"\} 1/);
    m.sensorAlerts([{ sensorId: 's1', kind: 'anomaly', severity: 'warning' }]);
    text = await registry.metrics();
    assert.deepEqual(text.split('\n').filter((l) => l.startsWith('sensorwatch_alert_open{')), ['sensorwatch_alert_open{sensor="s1",kind="anomaly",severity="warning",type="default"} 1']);
  });

  it('alert series obey the same cap', async () => {
    const registry = new Registry();
    const m = createScorerMetrics({ registry, maxSensorsExported: () => 1, tensorCount: () => 0, backend: () => 'cpu' });
    m.sensorAlerts([
      { sensorId: 's1', kind: 'anomaly', severity: 'critical' },
      { sensorId: 's2', kind: 'anomaly', severity: 'critical' },
    ]);
    const lines = (await registry.metrics()).split('\n').filter((l) => l.startsWith('sensorwatch_alert_open{'));
    assert.equal(lines.length, 1);
  });
});

it('declareModelKeys: windows scored exists at 0 per known model key', async () => {
  const registry = new Registry();
  const m = createScorerMetrics({ registry, maxSensorsExported: () => 10, tensorCount: () => 0, backend: () => 'cpu' });
  m.declareModelKeys(['default', 'pumps']);
  const text = await registry.metrics();
  assert.match(text, /sensorwatch_windows_scored_total\{model="default",type="default"\} 0/);
  assert.match(text, /sensorwatch_windows_scored_total\{model="pumps",type="default"\} 0/);
});
