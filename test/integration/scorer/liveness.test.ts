// A real scorer on the real broker: a sensor that stops sending gets a
// `sensor_fault` `silent` after scorer.silentAfterMs (an anomaly alert still
// open resolves with reason `silent`), its stale score leaves /metrics, and its
// next window resolves the silent fault.
// The scorer's clock is the test's: it stands still until the test has seen the
// state before the silence (however slow a loaded machine is to show it), then
// moves past scorer.silentAfterMs.
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

describe('scorer: silent sensors', () => {
  let brokers: string[];
  let setup: ScorerTestSetup;
  let scorer: Scorer | undefined;
  const registry = new Registry();
  let now = Date.now();
  const lines = async (sensor: string): Promise<string[]> => (await registry.metrics()).split('\n').filter((l) => l.includes(`sensor="${sensor}"`));

  before(async () => {
    brokers = await testBrokers();
    setup = scorerSetup(brokers, 'scorer-liveness');
    setup.writeConfig({ scorer: { hysteresis: { openAfter: 2, openWindow: 2, resolveAfter: 2 }, batch: { maxSize: 64, maxWaitMs: 10 }, silentAfterMs: 1500 } });
    const config = loadConfig({ file: setup.configFile, env: {} });
    scorer = await startScorer({ config, log, registry, models: fixtureFeed([zeroModel()]), groupId: setup.groupId, clock: { now: () => now } });
    await waitFor(() => scorer?.ready(), { what: 'the scorer to consume', timeoutMs: 30_000 });
  });

  after(async () => {
    await scorer?.stop();
    await deleteTopics(brokers, setup.topics);
    await deleteGroups(brokers, [setup.groupId]);
  });

  it('a silent sensor raises sensor_fault silent (its open anomaly resolves), its score leaves /metrics, its next window ends the silence', async () => {
    await produceWindows(brokers, setup.config.topics.windows, [...scoreWindows('quiet', [0.5, 0.5]), ...scoreWindows('dying-6', [2, 2])]);
    const [opened] = await readAlerts(brokers, setup.config.topics.alerts, 1);
    assert.equal(opened?.sensorId, 'dying-6');
    await waitFor(async () => (await lines('quiet')).length > 0 && (await lines('dying-6')).some((l) => l.startsWith('sensorwatch_alert_open{')), {
      what: 'both sensors on /metrics, dying-6 with an open alert',
      timeoutMs: 10_000,
    });
    assert.equal((await lines('dying-6')).find((l) => l.startsWith('sensorwatch_alert_open{')), 'sensorwatch_alert_open{sensor="dying-6",kind="anomaly",severity="warning",type="default"} 1');

    // Both fall silent: each gets a silent fault, dying-6's anomaly resolves with reason silent.
    now += 1500;
    const silent = await readAlerts(brokers, setup.config.topics.alerts, 4);
    const brief = silent.map((a) => `${a.sensorId}:${a.kind}:${a.state}:${a.fault ?? ''}:${a.state === 'open' && a.kind === 'sensor_fault' ? 'no window' : (a.reason ?? '')}`).sort();
    assert.deepEqual(brief, ['dying-6:anomaly:open::', 'dying-6:anomaly:resolve::silent', 'dying-6:sensor_fault:open:silent:no window', 'quiet:sensor_fault:open:silent:no window']);
    await waitFor(async () => !(await lines('dying-6')).some((l) => l.startsWith('sensorwatch_anomaly_score{')) && !(await lines('quiet')).some((l) => l.startsWith('sensorwatch_anomaly_score{')), {
      what: 'the stale scores of both silent sensors to leave /metrics',
      timeoutMs: 10_000,
      intervalMs: 100,
    });
    assert.ok((await lines('dying-6')).includes('sensorwatch_alert_open{sensor="dying-6",kind="sensor_fault",severity="warning",type="default"} 1'), 'the silent fault is on /metrics');

    // It sends again: the silence is over.
    await produceWindows(brokers, setup.config.topics.windows, scoreWindows('dying-6', [0.1], 2));
    const back = (await readAlerts(brokers, setup.config.topics.alerts, 5))[4];
    assert.deepEqual([back?.sensorId, back?.kind, back?.state, back?.fault, back?.reason], ['dying-6', 'sensor_fault', 'resolve', 'silent', 'readings are back']);
  });
});
