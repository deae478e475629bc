// Kafka's own ConsumerPerformance tool against the real broker, parsed.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createIdempotentProducer } from '../../../common/kafka/producer.ts';
import { runConsumerPerf } from '../../../common/kafka-local/perf-tool.ts';
import { createTopics, deleteTopics, testBrokers, testKafka, uniqueName } from '../../support/kafka.ts';

describe('runConsumerPerf', () => {
  let brokers: string[];
  const topic = uniqueName('it-perf');

  before(async () => {
    brokers = await testBrokers();
    await createTopics(brokers, [{ name: topic, partitions: 2 }]);
    const producer = createIdempotentProducer(testKafka(brokers, 'perf-producer'));
    await producer.connect();
    const value = 'x'.repeat(100);
    for (let i = 0; i < 4; i++) {
      await producer.send({ topic, messages: Array.from({ length: 500 }, (_, j) => ({ key: String(j), value })) });
    }
    await producer.disconnect();
  });

  after(async () => {
    await deleteTopics(brokers, [topic]);
  });

  it('reads the requested records and reports consistent rates', async () => {
    const result = await runConsumerPerf({ brokers, topic, messages: 2000, timeoutMs: 20_000 });
    assert.equal(result.messages, 2000);
    assert.equal(result.warning, undefined);
    assert.ok(result.seconds > 0);
    // ~2000 * (100 B value + key) ≈ 0.2 MB.
    assert.ok(result.megabytes > 0.18 && result.megabytes < 0.25, `megabytes ${result.megabytes}`);
    assert.ok(Math.abs(result.messagesPerSec - result.messages / result.seconds) / result.messagesPerSec < 0.01, 'nMsg.sec = messages / seconds');
  });

  it('reports a short read instead of hanging when the topic has fewer records', async () => {
    // The tool's timeout is the longest gap between records (the group join counts too),
    // so on a loaded box it may give up before the first record: only the bound is exact.
    const result = await runConsumerPerf({ brokers, topic, messages: 2500, timeoutMs: 5000 });
    assert.ok(result.messages <= 2000, `read ${result.messages} of 2000 records`);
    assert.match(result.warning ?? '', /Exiting before consuming the expected number of records/);
  });
});
