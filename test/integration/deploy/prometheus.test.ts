// The provisioning proven against real metrics: a real Prometheus (the Debian
// binary, loopback, 1 s scrapes, our recording and alerting rules loaded)
// scrapes a running pipeline (real broker; ingest, trainer and scorer via
// `sensorwatch demo`). Then every PromQL expression in the dashboards, the
// Grafana alert rules and the Prometheus rules goes through /api/v1/query and
// must be valid and return data. Expressions that are empty in a healthy
// pipeline (test/unit/deploy/data-dependent.ts) are run after the test has
// provoked their case: an anomalous sensor, a flatlined sensor, a record that
// is not a reading, the pipeline stopped, or (for thresholds no short run
// reaches) the threshold literal lowered.
//
// The demo serves one /metrics for all three services; Prometheus scrapes it
// under each service's job name, so job-specific expressions
// (up{job="sensorwatch-scorer"}) see the same targets as in compose.
//
// Needs the Debian prometheus binary (scripts/install-prometheus.sh): without it
// the suite skips, and fails under SENSORWATCH_REQUIRE_TOOLS=1.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import YAML from 'yaml';
import { topicNamesWithPrefix } from '../../../common/config/defaults.ts';
import { createIdempotentProducer } from '../../../common/kafka/producer.ts';
import { testBrokers, testKafka, uniqueName, withAdmin } from '../../support/kafka.ts';
import { missing, toolPath } from '../../support/tools.ts';
import { dataDependentCase, provokedExpression, type DataDependentCase } from '../../unit/deploy/data-dependent.ts';
import { extractExpressions, prometheusDir, recordedNames, repoRoot, substituteVariables, type Expression } from '../../unit/deploy/provisioning.ts';
import { prometheusSeries, selectedMetrics } from '../../unit/deploy/promql.ts';
import { poll, resultSize, startPipeline, startPrometheus, type Pipeline, type Prometheus, type QueryResult } from './harness.ts';

const spikeSensor = 'deploy-spike';
const flatSensor = 'deploy-flat';
const jobs = ['sensorwatch-ingest', 'sensorwatch-scorer', 'sensorwatch-trainer'];
/** Sample period of the test config, ms: the simulator runs at 1000 / period Hz, as do the provoked sensors. */
const period = 25;

interface Checked {
  e: Expression;
  c: DataDependentCase | undefined;
  run: string;
  result: QueryResult | undefined;
}

function describeResult(x: Checked): string {
  const r = x.result;
  const what = r === undefined ? 'not run' : r.status === 'error' ? `${r.errorType}: ${r.error}` : `${resultSize(r)} series`;
  return `${x.e.where}\n    ${x.run}\n    -> ${what}`;
}

const skip = missing('prometheus', import.meta.filename, 'suite');
describe('dashboards and alert rules against a real Prometheus scraping the pipeline', { timeout: 300_000, skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'sensorwatch-deploy-it-'));
  const prefix = uniqueName('deploy-prom');
  let brokers: string[] = [];
  let pipeline: Pipeline | undefined;
  let prometheus: Prometheus | undefined;
  let sensorValue = spikeSensor;
  const expressions = extractExpressions();
  const checked: Checked[] = [];

  const query = async (expr: string): Promise<QueryResult> => {
    assert.ok(prometheus);
    return prometheus.query(expr);
  };
  const hasData = async (expr: string): Promise<boolean> => resultSize(await query(expr)) > 0;
  const pipelineDied = (): string | undefined => (pipeline?.exited() ? `the pipeline exited:\n${pipeline.output()}` : undefined);
  /** What the pipeline said: the end of its output and its warnings and errors (the demo logs to .data/demo.log). */
  const pipelineReport = (): string => {
    const logFile = join(dir, '.data/demo.log');
    const log = existsSync(logFile) ? readFileSync(logFile, 'utf8').split('\n').filter((l) => /"level":"(warn|error)"/.test(l)).slice(-20).join('\n') : '(no log)';
    return `\n--- pipeline output (end) ---\n${pipeline?.output().slice(-2000) ?? ''}\n--- pipeline warnings and errors ---\n${log}`;
  };
  const withReport = (err: Error): never => assert.fail(`${err.message}${pipelineReport()}`);
  const configFile = join(dir, 'sensorwatch.yml');
  /** Readings of the spike sensor: `n` samples ending at `end` (ms), in order. */
  const spikeReadings = (n: number, end: number): Array<{ key: string; value: string }> =>
    Array.from({ length: n }, (_, i) => {
      const values = Array.from({ length: 8 }, (_, c) => 500 + 200 * Math.sin(i * 0.9 + c * 1.3));
      return { key: spikeSensor, value: JSON.stringify({ sensorId: spikeSensor, timestamp: end - (n - i) * period, values }) };
    });

  before(async () => {
    toolPath('prometheus'); // under SENSORWATCH_REQUIRE_TOOLS, fail before starting anything
    brokers = await testBrokers();
    // Small and quick: few sensors, a small model, training as soon as a few
    // dozen windows exist. Unique names: this run's topics and groups only.
    writeFileSync(
      configFile,
      YAML.stringify({
        kafka: { clientId: prefix },
        topics: { ...topicNamesWithPrefix(prefix), partitions: 1 },
        windowing: { samplePeriodMs: period },
        trainer: { minWindows: 60, modelDir: join(dir, 'models') },
        model: { hidden: [32], codeSize: 8, training: { epochs: 8, patience: 3 } },
        simulator: { sensors: 3, rateHz: 1000 / period },
        metrics: { host: '127.0.0.1' },
      }),
    );
    pipeline = await startPipeline({ dir, configFile, brokers, timeoutMs: 60_000 });
    const target = `127.0.0.1:${pipeline.metricsPort}`;
    prometheus = await startPrometheus({
      dir,
      jobs: Object.fromEntries(jobs.map((j) => [j, [target]])),
      ruleFiles: [join(prometheusDir, 'rules/recording.yml'), join(prometheusDir, 'rules/alerts.yml')],
    });
  });

  after(async () => {
    await pipeline?.stop();
    await prometheus?.stop();
    if (brokers.length > 0) {
      await withAdmin(brokers, async (admin) => {
        const topics = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
        if (topics.length > 0) await admin.deleteTopics({ topics }).catch(() => undefined);
        const groups = (await admin.listGroups()).groups.map((g) => g.groupId).filter((g) => g.startsWith(prefix));
        if (groups.length > 0) await admin.deleteGroups(groups).catch(() => undefined);
      });
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('Prometheus scrapes the pipeline under every service job, and the pipeline scores windows', async () => {
    await poll(async () => (await Promise.all(jobs.map((j) => hasData(`up{job="${j}"} == 1`)))).every(Boolean), {
      timeoutMs: 40_000,
      what: 'a successful scrape of each job',
      abort: pipelineDied,
    }).catch(withReport);
    // Warm-up: the trainer needs its first windows, then a model reaches the scorer.
    await poll(() => hasData('sum(sensorwatch_windows_scored_total) > 0'), {
      timeoutMs: 150_000,
      intervalMs: 1000,
      what: 'the scorer to score windows (first model trained and loaded)',
      abort: pipelineDied,
    }).catch(withReport);
  });

  it('provokes the data-dependent cases: an anomalous sensor, a flatlined sensor, a record that is not a reading', async () => {
    const producer = createIdempotentProducer(testKafka(brokers, 'deploy-it'));
    await producer.connect();
    try {
      // 300 samples of event time ending now, per sensor in order: windows
      // close as the sensor's own watermark passes them (lateness is per sensor).
      const n = 300;
      const end = Date.now();
      const messages = [];
      for (let i = 0; i < n; i++) {
        const timestamp = end - (n - i) * period;
        const spike = Array.from({ length: 8 }, (_, c) => 500 + 200 * Math.sin(i * 0.9 + c * 1.3));
        messages.push({ key: spikeSensor, value: JSON.stringify({ sensorId: spikeSensor, timestamp, values: spike }) });
        messages.push({ key: flatSensor, value: JSON.stringify({ sensorId: flatSensor, timestamp, values: Array(8).fill(1.5) }) });
      }
      messages.push({ key: 'garbage', value: 'this is not a sensor reading' });
      await producer.send({ topic: `${prefix}.readings`, messages });
    } finally {
      await producer.disconnect();
    }
    await poll(() => hasData(`sensorwatch_anomaly_score{sensor="${spikeSensor}"} >= 0.5`), {
      timeoutMs: 30_000,
      what: `a score at the alert level (0.5) for ${spikeSensor}`,
      abort: pipelineDied,
    }).catch(withReport);
  });

  it("provokes an operator's verdict: alerts mark on the spike sensor's alert, applied at its next window", async () => {
    const from = Date.now() - 3_600_000;
    await poll(
      async () => {
        const args = ['alerts', 'mark', '--sensor', spikeSensor, '--from', String(from), '--to', String(Date.now()), '--as', 'confirmed', '--config', configFile, '--brokers', brokers.join(',')];
        return promisify(execFile)(process.execPath, [join(repoRoot, 'bin/sensorwatch.mjs'), ...args], { timeout: 30_000 }).then(
          () => true,
          () => false,
        );
      },
      { timeoutMs: 60_000, intervalMs: 2000, what: `alerts mark on ${spikeSensor}`, abort: pipelineDied },
    ).catch(withReport);
    // The scorer applies a verdict before the sensor's next window.
    const producer = createIdempotentProducer(testKafka(brokers, 'deploy-it-verdict'));
    await producer.connect();
    try {
      await producer.send({ topic: `${prefix}.readings`, messages: spikeReadings(80, Date.now()) });
    } finally {
      await producer.disconnect();
    }
  });

  it('the $sensor variable query lists the provoked sensor', async () => {
    const r = await fetch(`${prometheus?.url}/api/v1/label/sensor/values?${new URLSearchParams({ 'match[]': 'sensorwatch_anomaly_score' })}`);
    const body = (await r.json()) as { data?: string[] };
    assert.ok(body.data?.includes(spikeSensor), `sensor values: ${JSON.stringify(body.data)}`);
    sensorValue = spikeSensor;
  });

  it('every metric an expression names is exported by the running pipeline', async () => {
    const text = await (await fetch(`http://127.0.0.1:${pipeline?.metricsPort}/metrics`)).text();
    const families = new Set([...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].flatMap((m) => {
      const [name, type] = [m[1] ?? '', m[2] ?? ''];
      return type === 'histogram' ? [name, `${name}_bucket`, `${name}_sum`, `${name}_count`] : [name];
    }));
    const recorded = recordedNames();
    const missing = new Set<string>();
    for (const e of expressions) {
      for (const { name } of selectedMetrics(e.expr)) {
        if (!recorded.has(name) && !prometheusSeries.has(name) && !families.has(name)) missing.add(`${name} (${e.where})`);
      }
    }
    assert.deepEqual([...missing], []);
  });

  it(`all ${expressions.length} expressions are valid PromQL and return data once their case is provoked`, async () => {
    for (const e of expressions) {
      const c = dataDependentCase(e);
      const run = substituteVariables(provokedExpression(e, c), { sensor: sensorValue, type: '.*' });
      checked.push({ e, c, run, result: undefined });
    }
    const pending = (): Checked[] => checked.filter((x) => x.c?.provoke.kind !== 'stop' && (x.result === undefined || resultSize(x.result) === 0));
    // Alerts open after the scorer's hysteresis and recording rules evaluate
    // every second: poll until all have data, then report what has not.
    await poll(
      async () => {
        for (const x of pending()) {
          x.result = await query(x.run);
          if (x.result.status === 'error') throw new Error(`invalid: ${describeResult(x)}`);
        }
        return pending().length === 0;
      },
      { timeoutMs: 60_000, intervalMs: 1000, what: 'every expression to return data', abort: pipelineDied },
    ).catch((err: Error) => {
      assert.fail(`${err.message}\nexpressions without data:\n${pending().map(describeResult).join('\n')}${pipelineReport()}`);
    });
  });

  it('scorer down: stopping the pipeline makes the scrape-failure expressions return data', async () => {
    await pipeline?.stop();
    const stopCases = checked.filter((x) => x.c?.provoke.kind === 'stop');
    assert.ok(stopCases.length >= 1, 'the Prometheus scorer-down rule');
    await poll(
      async () => {
        for (const x of stopCases) x.result = await query(x.run);
        return stopCases.every((x) => resultSize(x.result ?? { status: 'error', errorType: '', error: '' }) > 0);
      },
      { timeoutMs: 20_000, intervalMs: 500, what: 'up{job="sensorwatch-scorer"} < 1' },
    ).catch((err: Error) => assert.fail(`${err.message}\n${stopCases.map(describeResult).join('\n')}`));
  });
});
