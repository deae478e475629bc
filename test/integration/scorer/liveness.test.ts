// A real scorer on the real broker: a sensor that stops sending leaves
// /metrics after scorer.silentAfterMs unless it has an open alert; one with an
// open alert keeps its series (and its sensorwatch_alert_open) until the alert
// resolves, then leaves as well.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import { loadConfig } from '../../../common/config/load.ts';
import { createLogger } from '../../../common/log.ts';
import { startScorer, type Scorer } from '../../../scorer/service.ts';
import { deleteGroups, deleteTopics, testBrokers, waitFor } from '../../support/kafka.ts';
import { valueForScore, window, zeroModel } from '../../unit/scorer/support.ts';
import { fixtureFeed, produceWindows, readAlerts, scorerSetup, type ScorerTestSetup } from './support.ts';

const log = createLogger({ level: 'warn' });
const scoreWindows = (sensorId: string, scores: number[], from = 0) => scores.map((s, i) => window({ sensorId, seq: from + i, value: valueForScore(s) }));

describe('scorer: silent sensors leave /metrics', () => {
  let brokers: string[];
  let setup: ScorerTestSetup;
  let scorer: Scorer | undefined;
  const registry = new Registry();
  const lines = async (sensor: string): Promise<string[]> => (await registry.metrics()).split('\n').filter((l) => l.includes(`sensor="${sensor}"`));

  before(async () => {
    brokers = await testBrokers();
    setup = scorerSetup(brokers, 'scorer-liveness');
    setup.writeConfig({ scorer: { hysteresis: { openAfter: 2, openWindow: 2, resolveAfter: 2 }, batch: { maxSize: 64, maxWaitMs: 10 }, silentAfterMs: 1500 } });
    const config = loadConfig({ file: setup.configFile, env: {} });
    scorer = await startScorer({ config, log, registry, models: fixtureFeed([zeroModel()]), groupId: setup.groupId });
    await waitFor(() => scorer?.ready(), { what: 'the scorer to consume', timeoutMs: 30_000 });
  });

  after(async () => {
    await scorer?.stop();
    await deleteTopics(brokers, setup.topics);
    await deleteGroups(brokers, [setup.groupId]);
  });

  it('a quiet sensor without alerts goes; an alerting one stays until its alert resolves, then goes', async () => {
    await produceWindows(brokers, setup.config.topics.windows, [...scoreWindows('quiet', [0.5, 0.5]), ...scoreWindows('dying-6', [2, 2])]);
    const [opened] = await readAlerts(brokers, setup.config.topics.alerts, 1);
    assert.equal(opened?.sensorId, 'dying-6');
    await waitFor(async () => (await lines('quiet')).length > 0 && (await lines('dying-6')).some((l) => l.startsWith('sensorwatch_alert_open{')), {
      what: 'both sensors on /metrics, dying-6 with an open alert',
      timeoutMs: 10_000,
    });
    const alertLine = (await lines('dying-6')).find((l) => l.startsWith('sensorwatch_alert_open{'));
    assert.equal(alertLine, 'sensorwatch_alert_open{sensor="dying-6",kind="anomaly",severity="warning"} 1');

    await waitFor(async () => (await lines('quiet')).length === 0, { what: 'the quiet sensor to leave /metrics', timeoutMs: 10_000, intervalMs: 100 });
    // Silent for as long as the quiet one, but its alert is open: it stays.
    assert.ok((await lines('dying-6')).some((l) => l.startsWith('sensorwatch_anomaly_score{')), 'an alerting sensor keeps its score');

    // It sends again, low scores: the alert resolves, then it falls silent and leaves.
    await produceWindows(brokers, setup.config.topics.windows, scoreWindows('dying-6', [0.1, 0.1], 2));
    await waitFor(async () => !(await lines('dying-6')).some((l) => l.startsWith('sensorwatch_alert_open{')), { what: 'the resolved alert to leave sensorwatch_alert_open', timeoutMs: 10_000 });
    await waitFor(async () => (await lines('dying-6')).length === 0, { what: 'the resolved, silent sensor to leave /metrics', timeoutMs: 10_000, intervalMs: 100 });
  });
});
