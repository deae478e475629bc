// Fault suite: the poison catalogue of issue 13 on a real broker. Each record
// is dead-lettered with the right reason (exact counts), the 2 MiB JSON
// reading goes out with its bytes cut (size and sha256 kept), nothing stops
// the partition, and the good readings around them make exactly the windows
// of a run without the poison.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { encodeReading, readingHeaders } from '../../../common/codec/reading.ts';
import { decodeDeadLetter } from '../../../common/codec/records.ts';
import type { Config } from '../../../common/config/types.ts';
import { KEPT_BYTES_WHEN_CUT } from '../../../common/dead-letter.ts';
import { createConsumer } from '../../../common/kafka/consumer.ts';
import { createIdempotentProducer } from '../../../common/kafka/producer.ts';
import type { Consumer, Producer } from '../../../common/kafka/types.ts';
import { createLogger } from '../../../common/log.ts';
import type { DeadLetter, SensorReading } from '../../../common/types.ts';
import { startIngest, type IngestService } from '../../../ingest/service.ts';
import { createTopics, deleteGroups, deleteTopics, testBrokers, testKafka, uniqueName, waitFor } from '../../support/kafka.ts';
import { assertSameWindows, collectWindows, controlWindows, faultConfig, period, untilQuiet, type WindowCollector } from './support.ts';

const sensorId = 'poison-s';

describe('fault suite: the poison catalogue', () => {
  let brokers: string[];
  let config: Config;
  let producer: Producer;
  let ingest: IngestService | undefined;
  let collector: WindowCollector | undefined;
  let dlq: Consumer | undefined;
  const groupId = uniqueName('fault-poison-ingest');
  const deadLetters: { letter: DeadLetter; headers: Record<string, string> }[] = [];

  before(async () => {
    brokers = await testBrokers();
    config = faultConfig(brokers, 'fault-poison');
    await createTopics(brokers, [config.topics.readings, config.topics.windows, config.topics.deadLetter].map((name) => ({ name, partitions: 2 })));
    producer = createIdempotentProducer(testKafka(brokers, 'fault-poison-producer'));
    await producer.connect();
  });

  after(async () => {
    await ingest?.stop();
    await collector?.stop();
    await dlq?.disconnect();
    await producer?.disconnect();
    await deleteTopics(brokers, [config.topics.readings, config.topics.windows, config.topics.deadLetter]);
    await deleteGroups(brokers, [groupId]);
  });

  it('every poison record dead-lettered with its reason, none stops the partition, the windows are the control run\'s', async () => {
    const base = Math.floor((Date.now() - 300_000) / period) * period;
    const good: SensorReading[] = Array.from({ length: 240 }, (_, i) => ({ sensorId, timestamp: base + i * period, values: [i, -i, i % 7], quality: null }));
    const json = (doc: string): Buffer => Buffer.from(doc);
    const at = (i: number): number => base + i * period + 1; // between two good readings: never a duplicate
    // the 2,096,990-byte JSON reading: accepted by the broker, its dead-letter copy would not be
    const head = `{"sensorId":"${sensorId}","timestamp":${at(10)},"values":[`;
    const fill = 2_096_990 - head.length - 3;
    const oversized = json(`${head}${'0,'.repeat(fill / 2)}${fill % 2 === 1 ? ' ' : ''}0]}`);
    assert.equal(oversized.length, 2_096_990);
    const deep = (n: number): string => '['.repeat(n) + ']'.repeat(n);
    const poison: { reason: string; key: string; value: Buffer; mentions: RegExp }[] = [
      { reason: 'wrong_channel_count', key: sensorId, value: oversized, mentions: /too large to dead-letter whole: value cut to its first 65536 of 2096990 bytes \(sha256 [0-9a-f]{64}\)/ },
      ...['', ' ', '0x10', '\n', '0b11', 'hot'].map((v, k) => ({
        reason: 'non_finite_value',
        key: sensorId,
        value: json(JSON.stringify({ sensorId, timestamp: at(20 + k), values: [v, 1, 2] })),
        mentions: new RegExp(`value ${JSON.stringify(v)} is not a finite number`.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')),
      })),
      { reason: 'bad_json', key: sensorId, value: json(`{"sensorId":"${sensorId}","timestamp":${at(40)},"values":[1,2,3],"quality":${deep(10_000)}}`), mentions: /nested deeper than 32 levels/ },
      { reason: 'bad_json', key: sensorId, value: json(`{"sensorId":"${sensorId}","timestamp":${at(41)},"values":${deep(5_000)}}`), mentions: /nested deeper than 32 levels/ },
      { reason: 'key_mismatch', key: 'pump-7', value: encodeReading({ sensorId, timestamp: at(50), values: [1, 2, 3], quality: null }, 'avro'), mentions: /record key "pump-7" is not the reading's sensorId "poison-s"/ },
      { reason: 'bad_timestamp', key: sensorId, value: json(JSON.stringify({ sensorId, timestamp: Math.floor(at(60) / 1000), values: [1, 2, 3] })), mentions: /looks like seconds since the epoch/ },
    ];
    // "1e3" is a decimal number in full: a good reading
    good[30] = { ...(good[30] as SensorReading), values: [1000, -30, 2] };
    const messages: { key: string; value: Buffer; headers?: Record<string, string> }[] = [];
    for (let i = 0; i < good.length; i++) {
      const r = good[i] as SensorReading;
      messages.push(i === 30 ? { key: sensorId, value: json(JSON.stringify({ ...r, values: ['1e3', '-30', '2'] })) } : { key: sensorId, value: encodeReading(r, 'avro'), headers: readingHeaders('avro') });
      const p = poison[i / 10 - 1];
      if (i % 10 === 0 && p !== undefined) messages.push({ key: p.key, value: p.value });
    }
    for (const m of messages) await producer.send({ topic: config.topics.readings, acks: -1, messages: [m] });

    collector = await collectWindows(brokers, config.topics.windows);
    dlq = createConsumer(testKafka(brokers, 'fault-poison-dlq'), { groupId: uniqueName('fault-poison-dlq'), maxWaitTimeMs: 100 });
    await dlq.connect();
    await dlq.subscribe({ topics: [config.topics.deadLetter], fromBeginning: true });
    await dlq.run({
      eachMessage: async ({ message }) => {
        const headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]));
        deadLetters.push({ letter: decodeDeadLetter(message.value), headers });
      },
    });
    const fatal: Error[] = [];
    ingest = await startIngest({ config, log: createLogger({ write: () => undefined }), registry: new Registry(), groupId, onFatal: (e) => fatal.push(e) });

    const control = controlWindows(config, good);
    await waitFor(() => deadLetters.length >= poison.length && collector!.first.size >= control.size, { what: `${poison.length} dead letters (have ${deadLetters.length}) and ${control.size} windows`, timeoutMs: 60_000 });
    await untilQuiet(collector);
    assert.deepEqual(fatal, []);
    assert.deepEqual(deadLetters.map((d) => d.letter.reason).sort(), poison.map((p) => p.reason).sort(), 'exact reasons, each once');
    for (const p of poison) {
      const d = deadLetters.find((x) => x.letter.reason === p.reason && p.mentions.test(x.letter.message) && (p.value === oversized || x.letter.value.equals(p.value)));
      assert.ok(d, `no ${p.reason} dead letter with the original bytes saying ${p.mentions}: ${deadLetters.filter((x) => x.letter.reason === p.reason).map((x) => x.letter.message.slice(0, 300)).join(' | ')}`);
      if (p.value === oversized) {
        assert.equal(d.letter.value.length, KEPT_BYTES_WHEN_CUT);
        assert.deepEqual(d.letter.value, oversized.subarray(0, KEPT_BYTES_WHEN_CUT));
        assert.equal(d.headers['dead-letter-value-cut'], `2096990 bytes, sha256 ${createHash('sha256').update(oversized).digest('hex')}`);
      }
    }
    assert.ok(!deadLetters.some((d) => d.letter.reason === 'internal'));
    assertSameWindows(collector, control, 'with the poison catalogue interleaved');
    const thirty = [...collector.first.values()].find((w) => w.start <= good[30]!.timestamp && w.end >= good[30]!.timestamp);
    assert.ok(thirty?.samples.includes(1000), '"1e3" read as 1000');
  });
});
