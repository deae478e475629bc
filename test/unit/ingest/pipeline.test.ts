import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeReading } from '../../../common/codec/reading.ts';
import type { DeadLetterReason, SensorReading } from '../../../common/types.ts';
import { createIngestPipeline, type ConsumedRecord } from '../../../ingest/pipeline.ts';

const now = Date.UTC(2026, 0, 1);
const channels = ['a', 'b'];
const pipelineOptions = {
  // phase 0: the windows' exact grid is stated below (sensor-window.ts)
  window: { channels, length: 4, hop: 2, samplePeriodMs: 100, allowedLatenessMs: 200, gapPolicy: 'fill' as const, maxGapSamples: 2, phaseOf: () => 0 },
  maxFutureMs: 1000,
};
const reading = (t: number, sensorId = 's1'): SensorReading => ({ sensorId, timestamp: now - 10_000 + t, values: [t, t + 1], quality: null });
let offset = 0;
const rec = (value: Buffer | null, headers?: Record<string, string>, key: string | null = 's1'): ConsumedRecord => ({ key: key === null ? null : Buffer.from(key), value, offset: String(offset++), ...(headers ? { headers } : {}) });
/** seq of the window starting at reading(0): its grid slot / hop (common/window/sensor-window.ts). */
const seq0 = (now - 10_000) / 100 / 2;

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
      assert.deepEqual(d.key, Buffer.from('s1'));
      assert.ok(d.message.length > 10, d.message);
    }
    assert.deepEqual(out.deadLetters[0]?.value, Buffer.from([0xde, 0xad, 0xbe, 0xef]));
    assert.deepEqual(out.deadLetters[2]?.value, Buffer.alloc(0));
    assert.match(out.deadLetters.at(-1)?.message ?? '', /allowedLatenessMs = 200/);
    assert.deepEqual([out.avro, out.json, out.late, out.duplicates], [4 + 2, 4, 1, 1]);
    // good readings 0..700, watermark 500: rows 0..500 released, windows at 4 and 6 rows
    assert.deepEqual(out.windows.map((w) => [w.seq - seq0, w.start - (now - 10_000), w.end - (now - 10_000)]), [[0, 0, 300], [1, 200, 500]]);
    assert.deepEqual(out.windows[0]?.samples, [0, 1, 100, 101, 200, 201, 300, 301]);
    // rows 400..700 still needed: 600 and 700 buffered, 400 and 500 start the next window
    assert.equal(out.commitOffset, good[4]?.offset);
    assert.deepEqual(p.flush().map((w) => w.seq - seq0), [2]);
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

  it('dead-letters a record keyed other than its sensorId (key_mismatch); a record without a key is windowed', () => {
    offset = 0;
    const p = createIngestPipeline(pipelineOptions);
    const records = [rec(encodeReading(reading(0), 'avro'), undefined, 'pump-7'), rec(encodeReading(reading(100), 'avro'), undefined, null)];
    const out = p.processBatch('readings', 0, records, now);
    assert.deepEqual(out.deadLetters.map((d) => [d.reason, d.offset]), [['key_mismatch', '0']]);
    assert.match(out.deadLetters[0]?.message ?? '', /record key "pump-7" is not the reading's sensorId "s1".*key = sensorId/);
    assert.equal(out.avro, 1);
  });

  it('keeps partitions apart: each commits up to its own oldest needed reading; reset() forgets them', () => {
    offset = 0;
    const p = createIngestPipeline(pipelineOptions);
    const a = p.processBatch('readings', 0, [0, 100].map((t) => rec(encodeReading(reading(t, 'x'), 'avro'), undefined, 'x')), now);
    const b = p.processBatch('readings', 1, [0, 100, 200].map((t) => rec(encodeReading(reading(t, 'y'), 'avro'), undefined, 'y')), now);
    assert.equal(a.commitOffset, '0');
    assert.equal(b.commitOffset, '2');
    assert.equal(p.stats().accepted, 5);
    p.reset();
    assert.equal(p.flush().length, 0);
    assert.equal(p.stats().accepted, 5, 'stats stay cumulative');
  });

  it('closes a sensor silent for idleAfterMs so it no longer holds the offset', () => {
    offset = 0;
    const p = createIngestPipeline({ ...pipelineOptions, idleAfterMs: 1000 });
    const quiet = p.processBatch('readings', 0, [0, 100].map((t) => rec(encodeReading(reading(t, 'q'), 'avro'), undefined, 'q')), now);
    assert.equal(quiet.commitOffset, '0');
    const busy = p.processBatch('readings', 0, [0, 1000, 2000, 3000].map((t) => rec(encodeReading(reading(t, 'b'), 'avro'), undefined, 'b')), now);
    assert.equal(busy.closed, 1);
    assert.equal(busy.commitOffset, '4', 'only b is held: its last released reading (a gap fill would carry it) and the buffered one after it');
  });
});
