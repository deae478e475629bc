// A real scorer on the real broker: windows in → alerts out (matching the
// reference decisions), a bad record dead-lettered, /metrics and /healthz
// served, and a threshold edited in the config file changing decisions live.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import { decodeDeadLetter } from '../../../common/codec/index.ts';
import { createLogger } from '../../../common/log.ts';
import { startScorer, type Scorer } from '../../../scorer/service.ts';
import { startMetricsServer, collectDefaultMetricsOnce, type MetricsServer } from '../../../common/service/http.ts';
import { collectMessages, deleteGroups, deleteTopics, testBrokers, waitFor } from '../../support/kafka.ts';
import { valueForScore, window, zeroModel } from '../../unit/scorer/support.ts';
import { alertKeys, fixtureFeed, produceWindows, readAlerts, referenceAlerts, scorerSetup, type ScorerTestSetup } from './support.ts';

const log = createLogger({ level: process.env.SENSORWATCH_TEST_LOG === 'debug' ? 'debug' : 'warn' });
const scoreWindows = (sensorId: string, scores: number[], from = 0) => scores.map((s, i) => window({ sensorId, seq: from + i, value: valueForScore(s) }));

describe('scorer service on a real broker', () => {
  let brokers: string[];
  let setup: ScorerTestSetup;
  let scorer: Scorer | undefined;
  let server: MetricsServer | undefined;
  const registry = new Registry();

  before(async () => {
    brokers = await testBrokers();
    setup = scorerSetup(brokers, 'scorer-e2e');
    collectDefaultMetricsOnce(registry);
    scorer = await startScorer({ config: setup.config, configFile: setup.configFile, log, registry, models: fixtureFeed([zeroModel()]), groupId: setup.groupId });
    server = await startMetricsServer({ host: '127.0.0.1', port: 0, registry, ready: () => scorer?.ready() ?? false });
  });

  after(async () => {
    await scorer?.stop();
    await server?.close();
    await deleteTopics(brokers, setup.topics);
    await deleteGroups(brokers, [setup.groupId]);
  });

  it('becomes ready once it consumes with a model', async () => {
    await waitFor(async () => (await fetch(`http://127.0.0.1:${server?.port}/healthz`)).status === 200, { what: '/healthz to say ready' });
  });

  it('turns windows into the alerts the decision logic prescribes, and dead-letters a bad record', async () => {
    const windows = [...scoreWindows('s1', [0.5, 2, 2, 4, 0.1, 0.1]), ...scoreWindows('s3', [0.2, 0.3])];
    await produceWindows(brokers, setup.config.topics.windows, windows, [Buffer.from('not avro at all')]);
    const expected = await referenceAlerts(setup.config, zeroModel(), windows);
    assert.deepEqual(expected.map((a) => a.state), ['open', 'update', 'resolve'], 'the reference itself');
    const got = await readAlerts(brokers, setup.config.topics.alerts, expected.length);
    assert.deepEqual(alertKeys(got), alertKeys(expected));
    const [dead] = await collectMessages({ brokers, topic: setup.config.topics.deadLetter, count: 1 });
    const letter = decodeDeadLetter(dead?.value ?? null);
    assert.equal(letter.stage, 'scorer');
    assert.equal(letter.reason, 'bad_avro');
    assert.equal(letter.value.toString(), 'not avro at all');
  });

  it('applies a threshold edited in the config file without a restart', async () => {
    const alertsTopic = setup.config.topics.alerts;
    await produceWindows(brokers, setup.config.topics.windows, scoreWindows('s2', [2, 2]));
    const opened = await waitFor(async () => (await readAlerts(brokers, alertsTopic, 4)).find((a) => a.sensorId === 's2' && a.state === 'open'), { what: 's2 to open', timeoutMs: 30_000 });
    assert.equal(opened.threshold, 1);
    setup.writeConfig({ thresholds: { perSensor: { s2: { method: 'static', value: 100 } } } });
    await waitFor(() => scorer?.config().thresholds.perSensor.s2?.value === 100, { what: 'the edited config to be in force' });
    await produceWindows(brokers, setup.config.topics.windows, scoreWindows('s2', [2, 2], 2));
    const all = await readAlerts(brokers, alertsTopic, 5);
    const resolved = all.find((a) => a.sensorId === 's2' && a.state === 'resolve');
    assert.equal(resolved?.alertId, opened.alertId);
    assert.equal(resolved?.threshold, 100, 'the same windows now fall below the edited threshold');
  });

  it('exports every scorer metric on /metrics', async () => {
    const text = await (await fetch(`http://127.0.0.1:${server?.port}/metrics`)).text();
    await waitFor(async () => /sensorwatch_consumer_lag\{/.test(await (await fetch(`http://127.0.0.1:${server?.port}/metrics`)).text()), { what: 'the consumer lag to be exported', timeoutMs: 15_000 });
    for (const name of [
      'sensorwatch_windows_scored_total{model="default",type="default"}',
      'sensorwatch_reconstruction_error_bucket',
      'sensorwatch_anomaly_score{sensor="s1",type="default"}',
      'sensorwatch_channel_contribution{sensor="s1",channel="a",type="default"}',
      'sensorwatch_alerts_total{kind="anomaly",severity="critical",state="update"} 1',
      'sensorwatch_alerts_open',
      'sensorwatch_threshold{model="default",sensor="s2",type="default"} 100',
      'sensorwatch_scoring_latency_seconds_bucket',
      'sensorwatch_scoring_batch_size_bucket',
      'sensorwatch_model_info{model="default",version="1",kind="dense"',
      'sensorwatch_model_created_timestamp_seconds{model="default"}',
      'sensorwatch_records_dead_lettered_total{stage="scorer",reason="bad_avro"} 1',
      'sensorwatch_tensors',
      'sensorwatch_backend_info{backend=',
      'process_cpu_user_seconds_total',
      'nodejs_eventloop_lag_seconds',
    ]) assert.ok(text.includes(name), `missing ${name}`);
  });
});
