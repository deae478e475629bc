// Two scorers in one consumer group share the windows topic's partitions and
// together score every window exactly once, publishing the reference alerts.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import { consumerLag } from '../../../common/kafka/index.ts';
import { createLogger } from '../../../common/log.ts';
import type { SignalWindow } from '../../../common/types.ts';
import { startScorer, type Scorer } from '../../../scorer/service.ts';
import { deleteGroups, deleteTopics, testBrokers, waitFor, withAdmin } from '../../support/kafka.ts';
import { valueForScore, window, zeroModel } from '../../unit/scorer/support.ts';
import { alertKeys, fixtureFeed, produceWindows, readAlerts, referenceAlerts, scorerSetup, type ScorerTestSetup } from './support.ts';

const log = createLogger({ level: process.env.SENSORWATCH_TEST_LOG === 'debug' ? 'debug' : 'warn' });

async function scoredBy(registry: Registry): Promise<number> {
  const metric = registry.getSingleMetric('sensorwatch_windows_scored_total');
  if (metric === undefined) return 0;
  return (await metric.get()).values.reduce((n, v) => n + v.value, 0);
}

describe('two scorers in one group', () => {
  let brokers: string[];
  let setup: ScorerTestSetup;
  const scorers: Scorer[] = [];
  const registries = [new Registry(), new Registry()];

  before(async () => {
    brokers = await testBrokers();
    setup = scorerSetup(brokers, 'scorer-group', { partitions: 2 });
  });

  after(async () => {
    await Promise.all(scorers.map((s) => s.stop()));
    await deleteTopics(brokers, setup.topics);
    await deleteGroups(brokers, [setup.groupId]);
  });

  it('share the partitions and score every window once', async () => {
    for (const registry of registries) {
      scorers.push(await startScorer({ config: setup.config, log, registry, models: fixtureFeed([zeroModel()]), groupId: setup.groupId }));
    }
    await waitFor(() => scorers.every((s) => s.ready()), { what: 'both scorers to be ready', timeoutMs: 30_000 });
    await waitFor(
      async () => {
        const [group] = (await withAdmin(brokers, (admin) => admin.describeGroups([setup.groupId]))).groups;
        return group?.state === 'Stable' && group.members.length === 2;
      },
      { what: 'a stable group of two', timeoutMs: 30_000, intervalMs: 200 },
    );

    const sensors = ['g1', 'g2', 'g3', 'g4', 'g5', 'g6', 'g7', 'g8'];
    const scores = [0.5, 2, 2, 3.5, 0.2, 0.2, 1.2, 1.2, 0.1, 0.1];
    const windows: SignalWindow[] = scores.flatMap((s, seq) => sensors.map((sensorId, i) => window({ sensorId, seq, value: valueForScore(i % 2 === 0 ? s : s / 4) })));
    const expected = await referenceAlerts(setup.config, zeroModel(), windows);
    assert.ok(expected.length >= 8, `the reference has alerts to compare (${expected.length})`);
    await produceWindows(brokers, setup.config.topics.windows, windows);

    await waitFor(
      async () => {
        const lag = await withAdmin(brokers, (admin) => consumerLag(admin, setup.groupId, [setup.config.topics.windows]));
        return lag.length === 2 && lag.every((p) => p.lag === 0 && p.committed >= 0);
      },
      { what: 'every window to be consumed', timeoutMs: 30_000, intervalMs: 200 },
    );
    const counts = await Promise.all(registries.map(scoredBy));
    assert.ok(counts.every((n) => n > 0), `both scorers scored windows: ${counts.join(' + ')}`);
    assert.equal(counts[0]! + counts[1]!, windows.length, `each window scored once: ${counts.join(' + ')} = ${windows.length}`);
    const got = await readAlerts(brokers, setup.config.topics.alerts, expected.length);
    assert.deepEqual(alertKeys(got), alertKeys(expected));
  });
});
