// Ingest against a real broker: readings in -> windows out; every kind of bad
// record -> a dead letter with the right reason, while good records still flow.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { decodeDeadLetter, decodeWindow } from '../../../common/codec/records.ts';
import { encodeReading, readingHeaders } from '../../../common/codec/reading.ts';
import { readingV1Type } from '../../../common/codec/schemas.ts';
import { defaultConfig } from '../../../common/config/defaults.ts';
import type { Config } from '../../../common/config/types.ts';
import { createConsumer } from '../../../common/kafka/consumer.ts';
import { javaCommand, kafkaClasspath } from '../../../common/kafka-local/jars.ts';
import { createIdempotentProducer } from '../../../common/kafka/producer.ts';
import type { Consumer, Producer } from '../../../common/kafka/types.ts';
import { createLogger } from '../../../common/log.ts';
import type { DeadLetter, SensorReading, SignalWindow } from '../../../common/types.ts';
import { startIngest, type IngestService } from '../../../ingest/service.ts';
import { createTopics, deleteGroups, deleteTopics, testBrokers, testKafka, uniqueName, waitFor } from '../../support/kafka.ts';
import { sensorPhase } from '../../../common/window/options.ts';

/** Sensor ids on the grid phase 0 at hop 4, so that the exact grids below hold (each sensor's phase is a hash of its id). */
function phaseZero(ids: string[]): string[] {
  for (const id of ids) assert.equal(sensorPhase(id, 4), 0, `${id}: grid phase`);
  return ids;
}

const channels = ['a', 'b', 'c'];
const period = 100;

describe('ingest service (real broker)', () => {
  let brokers: string[];
  let config: Config;
  let ingest: IngestService;
  let producer: Producer;
  let collector: Consumer;
  const registry = new Registry();
  const groupId = uniqueName('ingest-it');
  const collectGroup = uniqueName('ingest-it-collect');
  const windows: SignalWindow[] = [];
  const deadLetters: DeadLetter[] = [];
  // on the window grid (hop 4 samples) of a sensor whose grid phase is 0 (sensorPhase): the first
  // window starts at reading 0, its seq is base / period / 4
  const base = Math.floor((Date.now() - 60_000) / (4 * period)) * 4 * period;
  const seq0 = base / period / 4;

  before(async () => {
    brokers = await testBrokers();
    const topics = {
      ...defaultConfig.topics,
      readings: uniqueName('it-readings'),
      windows: uniqueName('it-windows'),
      deadLetter: uniqueName('it-dlq'),
      partitions: 2,
    };
    config = {
      ...defaultConfig,
      kafka: { ...defaultConfig.kafka, brokers },
      topics,
      windowing: { ...defaultConfig.windowing, channels, length: 8, hop: 4, samplePeriodMs: period, allowedLatenessMs: 3 * period, maxFutureMs: 60_000, gapPolicy: 'fill', maxGapSamples: 2 },
    };
    await createTopics(brokers, [topics.readings, topics.windows, topics.deadLetter].map((name) => ({ name, partitions: 2 })));
    const log = createLogger({ level: process.env.SENSORWATCH_TEST_LOG === 'debug' ? 'debug' : 'warn' });
    ingest = await startIngest({ config, log, registry, brokers, groupId, lagIntervalMs: 200 });
    producer = createIdempotentProducer(testKafka(brokers, 'it-producer'));
    await producer.connect();
    collector = createConsumer(testKafka(brokers, 'it-collect'), { groupId: collectGroup, maxWaitTimeMs: 100 });
    await collector.connect();
    await collector.subscribe({ topics: [topics.windows, topics.deadLetter], fromBeginning: true });
    await collector.run({
      eachMessage: async ({ topic, message }) => {
        if (topic === topics.windows) windows.push(decodeWindow(message.value));
        else deadLetters.push(decodeDeadLetter(message.value));
      },
    });
  });

  after(async () => {
    await ingest?.stop();
    await producer?.disconnect();
    await collector?.disconnect();
    if (config) {
      await deleteTopics(brokers, [config.topics.readings, config.topics.windows, config.topics.deadLetter]);
      await deleteGroups(brokers, [groupId, collectGroup]);
    }
  });

  const reading = (sensorId: string, i: number): SensorReading => ({ sensorId, timestamp: base + i * period, values: [i, 10 * i, -i], quality: i % 7 === 3 ? 'bad' : null });
  const send = (records: { key: string | null; value: Buffer | null; headers?: Record<string, string> }[]): Promise<unknown> =>
    producer.send({ topic: config.topics.readings, acks: -1, messages: records });

  it('turns readings (Avro and JSON, out of order within the lateness) into windows keyed by sensor', async () => {
    const sensors = phaseZero(['it-s8', 'it-o']); // both on partition 0, like it-c below (as the ids before the grid phase were)
    for (const sensorId of sensors) {
      const order = Array.from({ length: 40 }, (_, i) => i);
      // swap neighbours: out of order by one sample, well within the lateness
      for (let i = 0; i + 1 < order.length; i += 5) [order[i], order[i + 1]] = [order[i + 1] as number, order[i] as number];
      await send(order.map((i) => {
        const format = i % 2 === 0 ? 'avro' : 'json';
        return { key: sensorId, value: encodeReading(reading(sensorId, i), format), headers: readingHeaders(format) };
      }));
    }
    // 40 readings, 3 held back by the lateness: 37 released -> windows at 8, 12, ... 36 rows
    await waitFor(() => sensors.every((s) => windows.filter((w) => w.sensorId === s).length >= 8), { what: '8 windows per sensor', timeoutMs: 30_000 });
    for (const sensorId of sensors) {
      const own = windows.filter((w) => w.sensorId === sensorId);
      assert.deepEqual(own.map((w) => w.seq - seq0), [0, 1, 2, 3, 4, 5, 6, 7]);
      for (const w of own) {
        const first = (w.start - base) / period;
        assert.equal(first, (w.seq - seq0) * 4);
        assert.equal(w.end - w.start, 7 * period);
        assert.deepEqual(w.channels, channels);
        assert.deepEqual(w.samples, Array.from({ length: 8 }, (_, k) => [first + k, 10 * (first + k), -(first + k)]).flat());
        assert.equal(w.missing, 0);
        assert.equal(w.badQuality, Array.from({ length: 8 }, (_, k) => first + k).filter((i) => i % 7 === 3).length);
      }
    }
    // counters go up once the broker has acknowledged a batch's windows, which
    // can be just after the collector has seen them
    const expectedMetrics = [/sensorwatch_readings_ingested_total\{format="avro"\} 40\n/, /sensorwatch_readings_ingested_total\{format="json"\} 40\n/, /sensorwatch_windows_published_total 16\n/];
    await waitFor(async () => {
      const text = await registry.metrics();
      return expectedMetrics.every((re) => re.test(text));
    }, { what: `metrics ${expectedMetrics.join(', ')}` });
    await waitFor(async () => /sensorwatch_consumer_lag\{group="[^"]+",topic="[^"]+",partition="\d"\} 0/.test(await registry.metrics()), { what: 'the lag gauge' });
  });

  it('dead-letters each kind of bad record with its reason and bytes, and keeps windowing good records', async () => {
    const [sensorId = ''] = phaseZero(['it-c']);
    const good = (i: number): { key: string; value: Buffer } => ({ key: sensorId, value: encodeReading(reading(sensorId, i), 'avro') });
    const bad: [string, { key: string | null; value: Buffer | null; headers?: Record<string, string> }][] = [
      ['bad_avro', { key: sensorId, value: Buffer.from([0x13, 0x37, 0xff, 0xff, 0xff]) }],
      ['bad_json', { key: sensorId, value: Buffer.from('{"sensorId": "it-c", "values": [1, 2,') }],
      ['unknown_format', { key: sensorId, value: Buffer.from('a,b,c'), headers: { 'content-type': 'text/csv' } }],
      ['unknown_format', { key: null, value: null }],
      ['missing_sensor_id', { key: null, value: Buffer.from(JSON.stringify({ timestamp: base, values: [1, 2, 3] })) }],
      ['bad_timestamp', { key: sensorId, value: Buffer.from(JSON.stringify({ sensorId, timestamp: 'tomorrow', values: [1, 2, 3] })) }],
      ['future_timestamp', { key: sensorId, value: encodeReading({ ...reading(sensorId, 0), timestamp: Date.now() + 3_600_000 }, 'avro') }],
      ['wrong_channel_count', { key: sensorId, value: encodeReading({ ...reading(sensorId, 0), values: [1, 2] }, 'avro') }],
      ['wrong_channel_count', { key: sensorId, value: Buffer.from(JSON.stringify({ sensorId, timestamp: base, values: { a: 1, b: 2, zz: 3 } })) }],
      ['non_finite_value', { key: sensorId, value: encodeReading({ ...reading(sensorId, 0), values: [1, Number.NaN, 3] }, 'avro') }],
      ['non_finite_value', { key: sensorId, value: Buffer.from(JSON.stringify({ sensorId, timestamp: base, values: [1, null, 3] })) }],
    ];
    // good readings 0..19 with every bad record in between, then one late reading
    const messages = [];
    for (let i = 0; i < 20; i++) {
      messages.push(good(i));
      const b = bad[i];
      if (b !== undefined) messages.push(b[1]);
    }
    // a v1 record (no quality field) is a good record when it says so
    messages.push({ key: sensorId, value: readingV1Type.toBuffer({ sensorId, timestamp: base + 20 * period, values: [20, 200, -20] }), headers: { 'schema-version': '1' } });
    for (let i = 21; i < 30; i++) messages.push(good(i));
    const lateValue = encodeReading(reading(sensorId, 2), 'json');
    messages.push({ key: sensorId, value: lateValue });
    for (const m of messages) await send([m]); // one by one: many batches

    const expected = [...bad.map(([reason]) => reason), 'late'].sort();
    const mine = (): DeadLetter[] => deadLetters.filter((d) => d.sourceTopic === config.topics.readings);
    await waitFor(() => mine().length >= expected.length, { what: `${expected.length} dead letters`, timeoutMs: 30_000 });
    assert.deepEqual(mine().map((d) => d.reason).sort(), expected);
    for (const [reason, record] of bad) {
      const d = mine().find((x) => x.reason === reason && x.value.equals(record.value ?? Buffer.alloc(0)));
      assert.ok(d, `no ${reason} dead letter with the original bytes`);
      assert.equal(d.stage, 'ingest');
      assert.deepEqual(d.key, record.key === null ? null : Buffer.from(record.key));
      assert.ok(/^\d+$/.test(d.offset) && d.partition >= 0 && d.partition < 2);
      assert.ok(d.message.length > 0);
    }
    const late = mine().find((d) => d.reason === 'late');
    assert.deepEqual(late?.value, lateValue);

    // good records flowed: 30 readings, 3 held back -> 27 rows -> windows at 8, 12, ..., 24
    await waitFor(() => windows.filter((w) => w.sensorId === sensorId).length >= 5, { what: 'windows of it-c', timeoutMs: 30_000 });
    const own = windows.filter((w) => w.sensorId === sensorId);
    assert.deepEqual(own.map((w) => w.seq - seq0), [0, 1, 2, 3, 4]);
    assert.deepEqual(own.map((w) => w.missing), [0, 0, 0, 0, 0]);
    assert.deepEqual(own[4]?.samples.slice(0, 3), [16, 160, -16]);

    const counts = [['bad_avro', 1], ['unknown_format', 2], ['wrong_channel_count', 2], ['non_finite_value', 2], ['late', 1]] as const;
    const expectedMetrics = [
      ...counts.map(([reason, n]) => new RegExp(`sensorwatch_records_dead_lettered_total\\{stage="ingest",reason="${reason}"\\} ${n}\\n`)),
      /sensorwatch_readings_late_total 1\n/,
    ];
    await waitFor(async () => {
      const text = await registry.metrics();
      return expectedMetrics.every((re) => re.test(text));
    }, { what: `metrics ${expectedMetrics.join(', ')}` });
    assert.ok(ingest.ready());
  });

  it("dead-letters garbage from another Kafka client (Kafka's own Java console producer) and reads its good JSON", async () => {
    const ingestedJson = async (): Promise<number> => Number(/sensorwatch_readings_ingested_total\{format="json"\} (\d+)/.exec(await registry.metrics())?.[1]);
    const before = await ingestedJson();
    const garbage = 'this is not a sensor reading';
    const goodJson = JSON.stringify({ sensorId: 'it-java', timestamp: Date.now() - 1000, values: { c: 3, a: 1, b: 2 } });
    const child = spawn(javaCommand(), ['-Xmx128m', '-cp', kafkaClasspath(), 'org.apache.kafka.tools.ConsoleProducer', '--bootstrap-server', brokers.join(','), '--topic', config.topics.readings], { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdin.end(`${garbage}\n${goodJson}\n`);
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    assert.equal(code, 0, `console producer failed: ${stderr}`);
    const d = await waitFor(() => deadLetters.find((x) => x.value.toString() === garbage), { what: 'the console producer garbage dead letter', timeoutMs: 30_000 });
    assert.equal(d.reason, 'bad_avro');
    assert.match(d.message, /not a SensorReading/);
    await waitFor(async () => (await ingestedJson()) === before + 1, { what: 'the good JSON reading to be ingested' });
  });
});
