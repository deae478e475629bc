// The service skeleton against a real broker: a start-up whose topic creation
// fails leaves no client behind (the admin client is disconnected, the producer
// never connected), and a started service joins, measures lag and stops.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultConfig } from '../../../../common/config/defaults.ts';
import type { Config } from '../../../../common/config/types.ts';
import type { Admin, KafkaClient } from '../../../../common/kafka/types.ts';
import { createLogger } from '../../../../common/log.ts';
import { startService } from '../../../../common/service/skeleton.ts';
import { deleteGroups, deleteTopics, testBrokers, testKafka, uniqueName, waitFor } from '../../../support/kafka.ts';

const log = createLogger({ level: process.env.SENSORWATCH_TEST_LOG === 'debug' ? 'debug' : 'error' });

/** A client whose admin clients count their connects and disconnects. */
function watched(kafka: KafkaClient): { kafka: KafkaClient; calls: string[] } {
  const calls: string[] = [];
  const admin = kafka.admin.bind(kafka);
  kafka.admin = (): Admin => {
    const a = admin();
    const connect = a.connect.bind(a);
    const disconnect = a.disconnect.bind(a);
    a.connect = async () => (calls.push('connect'), connect());
    a.disconnect = async () => (calls.push('disconnect'), disconnect());
    return a;
  };
  return { kafka, calls };
}

describe('service skeleton (real broker)', () => {
  it('disconnects the admin client when topic creation fails', async () => {
    const brokers = await testBrokers();
    const config: Config = { ...defaultConfig, kafka: { ...defaultConfig.kafka, brokers } };
    const { kafka, calls } = watched(testKafka(brokers, 'skeleton-fail'));
    // One broker: a replication factor of 3 cannot be met, and retrying does not help.
    const topic = { name: uniqueName('skeleton-bad'), partitions: 1, replicationFactor: 3 };
    await assert.rejects(startService({ name: 'ingest', config, log, groupId: uniqueName('skeleton-fail'), topics: [topic], consumer: {}, kafka }), (error: Error) => {
      assert.match(error.message, /topic creation/i);
      return true;
    });
    assert.deepEqual(calls, ['connect', 'disconnect']);
  });

  it('joins, reports ready, measures lag, and stops its clients in reverse order', async () => {
    const brokers = await testBrokers();
    const config: Config = { ...defaultConfig, kafka: { ...defaultConfig.kafka, brokers } };
    const topic = uniqueName('skeleton-in');
    const groupId = uniqueName('skeleton-ok');
    const { kafka, calls } = watched(testKafka(brokers, 'skeleton-ok'));
    const joins: Record<string, number[]>[] = [];
    const service = await startService({ name: 'scorer', config, log, groupId, topics: [{ name: topic, partitions: 1 }], consumer: { maxWaitTimeMs: 100 }, kafka, onJoin: (a) => joins.push(a) });
    try {
      assert.equal(service.ready(), false, 'not ready before it joined');
      const lags: number[] = [];
      service.measureLag([topic], (l) => lags.push(l.lag), 100);
      const order: string[] = [];
      service.undo('the consumer', () => service.stopConsuming().then(() => void order.push('consumer')));
      await service.consume({ topics: [topic], fromBeginning: true, handle: async () => undefined });
      await waitFor(() => service.ready(), { what: 'the service to join its group', timeoutMs: 60_000 });
      assert.deepEqual(joins.at(-1), { [topic]: [0] });
      await waitFor(() => lags.length > 0, { what: 'a lag measurement', timeoutMs: 30_000 });
      await service.stop();
      order.push('stopped');
      assert.deepEqual(order, ['consumer', 'stopped']);
      assert.equal(service.ready(), false, 'not ready once stopping');
      assert.deepEqual(calls, ['connect', 'disconnect']);
    } finally {
      await service.stop();
      await deleteTopics(brokers, [topic]);
      await deleteGroups(brokers, [groupId]);
    }
  });
});
