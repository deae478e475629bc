import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeReading } from '../../../common/codec/reading.ts';
import type { DeadLetterReason, SensorReading } from '../../../common/types.ts';
import { createIngestPipeline, type ConsumedRecord } from '../../../ingest/pipeline.ts';

const now = Date.UTC(2026, 0, 1);
const channels = ['a', 'b'];
const pipelineOptions = {
  window: { channels, length: 4, hop: 2, samplePeriodMs: 100, allowedLatenessMs: 200, gapPolicy: 'fill' as const, maxGapSamples: 2 },
  maxFutureMs: 1000,
};
const reading = (t: number, sensorId = 's1'): SensorReading => ({ sensorId, timestamp: now - 10_000 + t, values: [t, t + 1], quality: null });
let offset = 0;
const rec = (value: Buffer | null, headers?: Record<string, string>): ConsumedRecord => ({ key: Buffer.from('k'), value, offset: String(offset++), ...(headers ? { headers } : {}) });

describe('ingest pipeline', () => {
  it('windows good records and dead-letters each bad one with its reason, offset and bytes', () => {
    offset = 0;
    const p = createIngestPipeline(pipelineOptions);
    const bad: [ConsumedRecord, DeadLetterReason][] = [
      [rec(Buffer.from([0xde, 0xad, 0xbe, 0xef])), 'bad_avro'],
      [rec(Buffer.from('{"sensorId":')), 'bad_json'],
      [rec(null), 'unknown_format'],
      [rec(Buffer.from('{"timestamp":1,"values":[1,2]}')), 'missing_sensor_id'],
      [rec(Buffer.from(JSON.stringify({ sensorId: 's1', timestamp: 'soon', values: [1, 2] }))), 'bad_timestamp'],
      [rec(encodeReading({ ...reading(0), timestamp: now + 5000 }, 'avro')), 'future_timestamp'],
      [rec(encodeReading({ ...reading(0), values: [1] }, 'avro')), 'wrong_channel_count'],
      [rec(encodeReading({ ...reading(0), values: [1, Number.POSITIVE_INFINITY] }, 'avro')), 'non_finite_value'],
    ];
    const good = [0, 100, 200, 300, 400, 500, 600, 700].map((t) => rec(encodeReading(reading(t), t % 200 === 0 ? 'avro' : 'json')));
    const late = rec(encodeReading(reading(150), 'avro'));
    const dup = rec(encodeReading(reading(700), 'avro'));
    // interleave: bad records do not disturb the good ones
    const batch = [...good.slice(0, 4), ...bad.map(([r]) => r), ...good.slice(4), late, dup];
    const out = p.processBatch('readings', 3, batch, now);

    assert.deepEqual(out.deadLetters.map((d) => [d.reason, d.offset]), [...bad.map(([r, reason]) => [reason, r.offset]), ['late', late.offset]]);
    for (const d of out.deadLetters) {
      assert.equal(d.sourceTopic, 'readings');
      assert.equal(d.partition, 3);
      assert.equal(d.stage, 'ingest');
      assert.equal(d.timestamp, now);
      assert.deepEqual(d.key, Buffer.from('k'));
      assert.ok(d.message.length > 10, d.message);
    }
    assert.deepEqual(out.deadLetters[0]?.value, Buffer.from([0xde, 0xad, 0xbe, 0xef]));
    assert.deepEqual(out.deadLetters[2]?.value, Buffer.alloc(0));
    assert.match(out.deadLetters.at(-1)?.message ?? '', /allowedLatenessMs = 200/);
    assert.deepEqual([out.avro, out.json, out.late, out.duplicates], [4 + 2, 4, 1, 1]);
    // good readings 0..700, watermark 500: rows 0..500 released, windows at 4 and 6 rows
    assert.deepEqual(out.windows.map((w) => [w.seq, w.start - (now - 10_000), w.end - (now - 10_000)]), [[0, 0, 300], [1, 200, 500]]);
    assert.deepEqual(out.windows[0]?.samples, [0, 1, 100, 101, 200, 201, 300, 301]);
    assert.deepEqual(p.flush().map((w) => w.seq), [2]);
  });

  it('dead-letters a record it fails on unexpectedly as internal and goes on', () => {
    offset = 0;
    const p = createIngestPipeline(pipelineOptions);
    const records = [rec(encodeReading(reading(0), 'avro')), rec(Buffer.from('x')), rec(encodeReading(reading(100), 'avro'))];
    // a headers object that throws when read stands in for a bug in decoding
    Object.defineProperty(records[1], 'headers', { get: () => ({ get 'content-type'(): string { throw new Error('boom'); } }) });
    const out = p.processBatch('readings', 0, records, now);
    assert.deepEqual(out.deadLetters.map((d) => [d.reason, d.offset]), [['internal', '1']]);
    assert.match(out.deadLetters[0]?.message ?? '', /ingest failed on this record: Error: boom/);
    assert.equal(out.avro, 2);
  });
});
