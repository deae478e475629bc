// Fault suite: the broker is killed in the middle of a backlog and comes back
// 20 s later on the same port and data. Ingest and the scorer must ride it
// out without exiting (no fatal error); the windows topic must end up holding
// exactly the windows of a run without faults, with no hole filled late; the
// scorer must score each of them once and publish the control run's alerts.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Registry } from 'prom-client';
import type { Config } from '../../../common/config/types.ts';
import { startLocalBroker, type LocalBroker } from '../../../common/kafka-local/local-broker.ts';
import { createIdempotentProducer } from '../../../common/kafka/producer.ts';
import { createLogger } from '../../../common/log.ts';
import { startIngest, type IngestService } from '../../../ingest/service.ts';
import { startScorer, type Scorer } from '../../../scorer/service.ts';
import { decodeAlert } from '../../../common/codec/records.ts';
import { createConsumer } from '../../../common/kafka/consumer.ts';
import type { AnomalyAlert } from '../../../common/types.ts';
import { zeroModel } from '../../unit/scorer/support.ts';
import { alertKeys, fixtureFeed, referenceAlerts } from '../scorer/support.ts';
import { createTopics, testKafka, uniqueName, waitFor } from '../../support/kafka.ts';
import { assertSameWindows, collectWindows, controlWindows, faultConfig, faultReadings, produceReadings, untilQuiet, describeMissing, type WindowCollector } from './support.ts';

const outageMs = 20_000;

describe('fault suite: broker outage under load', () => {
  let dataDir: string;
  let broker: LocalBroker | undefined;
  let config: Config;
  let ingest: IngestService | undefined;
  let scorer: Scorer | undefined;
  let alertsConsumer: { disconnect(): Promise<void> } | undefined;
  let collector: WindowCollector | undefined;
  const fatal: Error[] = [];

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'sw-fault-outage-'));
    broker = await startLocalBroker({ port: 0, dataDir, unref: true, log: (m) => process.stderr.write(`[outage broker] ${m}\n`) });
  });

  after(async () => {
    await ingest?.stop().catch(() => undefined);
    await scorer?.stop().catch(() => undefined);
    await alertsConsumer?.disconnect().catch(() => undefined);
    await collector?.stop().catch(() => undefined);
    await broker?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('a 20 s outage mid-backlog: nothing exits, every window of the control run is published in order (no hole), scored once, the alerts are the control run\'s', async () => {
    const brokers = broker!.brokers;
    config = faultConfig(brokers, 'fault-outage');
    await createTopics(brokers, [config.topics.readings, config.topics.windows, config.topics.deadLetter].map((name) => ({ name, partitions: 2 })));
    const readings = faultReadings(6, 6000);
    const control = controlWindows(config, readings);
    const producer = createIdempotentProducer(testKafka(brokers, 'fault-outage-producer'));
    await producer.connect();
    await produceReadings(producer, config.topics.readings, readings);
    await producer.disconnect();

    collector = await collectWindows(brokers, config.topics.windows);
    // the Kafka client logs every refused connection during the outage: quiet unless asked
    const log = process.env.SENSORWATCH_TEST_LOG === 'debug' ? createLogger({ level: 'debug' }) : createLogger({ write: () => undefined });
    const model = () => zeroModel({ channels: config.windowing.channels, length: config.windowing.length });
    const scorerRegistry = new Registry();
    const scorerConfig = { ...config, scorer: { ...config.scorer, hysteresis: { ...config.scorer.hysteresis, openAfter: 2, openWindow: 2, resolveAfter: 2 } } };
    scorer = await startScorer({ config: scorerConfig, log, registry: scorerRegistry, models: fixtureFeed([model()]), groupId: uniqueName('fault-outage-scorer'), consumer: { sessionTimeoutMs: 10_000, heartbeatIntervalMs: 1000 }, onFatal: (e) => fatal.push(e as Error) });
    // by partition and offset: this reader too restarts through the outage and may read a stretch twice
    const alertsRead = new Map<string, AnomalyAlert>();
    const alerts = { get length(): number { return alertsRead.size; }, values: () => [...alertsRead.values()] };
    const ac = createConsumer(testKafka(brokers, 'fault-outage-alerts'), { groupId: uniqueName('fault-outage-alerts'), maxWaitTimeMs: 100 });
    alertsConsumer = ac;
    await ac.connect();
    await ac.subscribe({ topics: [config.topics.alerts], fromBeginning: true });
    await ac.run({ autoCommit: false, eachMessage: async ({ partition, message }) => void alertsRead.set(`${partition}:${message.offset}`, decodeAlert(message.value)) });
    const scored = async (): Promise<number> => {
      const metric = (await scorerRegistry.getSingleMetric('sensorwatch_windows_scored_total')?.get())?.values ?? [];
      return metric.reduce((n, v) => n + v.value, 0);
    };
    // ingest last, so the backlog is still being worked through when the broker goes
    ingest = await startIngest({ config, log, registry: new Registry(), groupId: uniqueName('fault-outage-ingest'), consumer: { sessionTimeoutMs: 10_000, heartbeatIntervalMs: 1000 }, onFatal: (e) => fatal.push(e) });
    // kill the broker once a part of the backlog is out
    await waitFor(() => collector!.first.size >= control.size / 5, { what: 'a fifth of the windows', timeoutMs: 60_000 });
    const published = collector.first.size;
    process.kill(broker!.pid, 'SIGKILL');
    await waitFor(async () => !(await isAlive(broker!.pid)), { what: 'the broker to die' });
    await new Promise((r) => setTimeout(r, outageMs));
    assert.deepEqual(fatal, [], 'ingest gave up during the outage');
    assert.ok(collector.first.size < control.size, `the outage hit mid-backlog (${published} of ${control.size} when it began)`);
    broker = await startLocalBroker({ port: broker!.port, dataDir, unref: true, log: (m) => process.stderr.write(`[outage broker] ${m}\n`) });

    await waitFor(() => collector!.first.size >= control.size, { what: `all ${control.size} windows`, timeoutMs: 120_000 }).catch((e: unknown) => {
      throw new Error(`${(e as Error).message}: ${describeMissing(collector!, control)}`);
    });
    // once nothing more comes (the replay after the outage repeats windows: harmless, same identities)
    await untilQuiet(collector);
    assertSameWindows(collector, control, 'after a 20 s broker outage');
    assert.deepEqual(fatal, [], 'ingest or the scorer gave up');
    assert.ok(ingest.ready(), 'ingest is serving again');

    // the scorer: each window decided once in effect, the alerts of a run without faults
    const ordered = [...control.values()].sort((a, b) => a.sensorId.localeCompare(b.sensorId) || a.seq - b.seq);
    const reference = await referenceAlerts(scorerConfig, model(), ordered);
    assert.ok(reference.length > 20, `the control run opens and resolves alerts (${reference.length} events)`);
    await waitFor(async () => (await scored()) >= control.size && alerts.length >= reference.length, { what: 'every window scored and every alert published', timeoutMs: 120_000 }).catch(async (e: unknown) => {
      throw new Error(`${(e as Error).message}: scored ${await scored()} of ${control.size}, alerts ${alerts.length} of ${reference.length}`);
    });
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(await scored(), control.size, 'each window scored exactly once (repeats skipped as already decided)');
    const got = alertKeys(alerts.values());
    const want = alertKeys(reference);
    const minus = (a: string[], b: string[]): string[] => {
      const left = [...b];
      return a.filter((x) => {
        const i = left.indexOf(x);
        if (i < 0) return true;
        left.splice(i, 1);
        return false;
      });
    };
    assert.deepEqual({ extra: minus(got, want), missing: minus(want, got) }, { extra: [], missing: [] }, 'the alerts of a run without faults, none twice');
  });
});

async function isAlive(pid: number): Promise<boolean> {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
