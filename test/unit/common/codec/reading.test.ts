import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createReadingDecoder, decodeReading, encodeReading, readingHeaders } from '../../../../common/codec/reading.ts';
import { readingType, readingV1Resolver, readingV1Type } from '../../../../common/codec/schemas.ts';
import type { RecordHeaders } from '../../../../common/codec/headers.ts';
import type { DeadLetterReason, SensorReading } from '../../../../common/types.ts';

const now = Date.UTC(2026, 0, 1);
const channels = ['x', 'y', 'z'];
const options = { channels, maxFutureMs: 60_000 };
const good: SensorReading = { sensorId: 'pump-1', timestamp: now - 1000, values: [1.5, -2, 0], quality: 'good' };
const avro = (r: unknown): Buffer => readingType.toBuffer(r);
const json = (r: unknown): Buffer => Buffer.from(JSON.stringify(r));
const ct = (v: string): RecordHeaders => ({ 'content-type': Buffer.from(v) });

describe('decodeReading: good records', () => {
  const cases: [string, Buffer, RecordHeaders | undefined, SensorReading, 'avro' | 'json'][] = [
    ['Avro, sniffed', avro(good), undefined, good, 'avro'],
    ['Avro, content-type header', avro(good), ct('application/avro'), good, 'avro'],
    ['Avro without quality', avro({ ...good, quality: null }), undefined, { ...good, quality: null }, 'avro'],
    ['JSON, values as an array', json(good), undefined, good, 'json'],
    ['JSON, values keyed by channel name', json({ ...good, values: { z: 0, x: 1.5, y: -2 } }), undefined, good, 'json'],
    ['JSON, leading whitespace, no quality', Buffer.from(`\n  ${JSON.stringify({ ...good, quality: undefined })}`), undefined, { ...good, quality: null }, 'json'],
    ['JSON, ISO timestamp', json({ ...good, timestamp: new Date(good.timestamp).toISOString() }), undefined, good, 'json'],
    ['JSON, header with charset', json(good), ct('application/json; charset=utf-8'), good, 'json'],
    ['JSON, header name in capitals', json(good), { 'Content-Type': 'application/json' }, good, 'json'],
    ['timestamp exactly maxFutureMs ahead', avro({ ...good, timestamp: now + 60_000 }), undefined, { ...good, timestamp: now + 60_000 }, 'avro'],
  ];
  for (const [name, value, headers, reading, format] of cases) {
    it(name, () => assert.deepEqual(decodeReading(value, headers, { ...options, now }), { ok: true, reading, format, sensorType: 'default' }));
  }
});

describe('decodeReading: bad records get a reason', () => {
  const nan = avro({ ...good, values: [1, Number.NaN, 2] });
  const cases: [string, Buffer | null, RecordHeaders | undefined, DeadLetterReason, RegExp][] = [
    ['null value', null, undefined, 'unknown_format', /empty/],
    ['zero bytes', Buffer.alloc(0), undefined, 'unknown_format', /empty/],
    ['unsupported content-type', json(good), ct('text/plain'), 'unknown_format', /text\/plain/],
    ['garbage bytes', Buffer.from([0xff, 0x01, 0x02, 0x03]), undefined, 'bad_avro', /SensorReading/],
    ['Avro with trailing bytes', Buffer.concat([avro(good), Buffer.from([1, 2])]), undefined, 'bad_avro', /SensorReading/],
    ['truncated Avro', avro(good).subarray(0, 10), undefined, 'bad_avro', /SensorReading/],
    ['JSON declared as Avro', json(good), ct('application/avro'), 'bad_avro', /SensorReading/],
    ['broken JSON', Buffer.from('{"sensorId": "a", '), undefined, 'bad_json', /not valid JSON/],
    ['JSON array', Buffer.from('[1,2]'), ct('application/json'), 'bad_json', /must be an object/],
    ['JSON bad quality', json({ ...good, quality: 'great' }), undefined, 'bad_json', /quality/],
    ['JSON values neither array nor object', json({ ...good, values: 3 }), undefined, 'bad_json', /values must be/],
    ['JSON missing sensor id', json({ ...good, sensorId: undefined }), undefined, 'missing_sensor_id', /sensorId/],
    ['Avro empty sensor id', avro({ ...good, sensorId: '' }), undefined, 'missing_sensor_id', /sensorId/],
    ['JSON timestamp not a number', json({ ...good, timestamp: true }), undefined, 'bad_timestamp', /pump-1/],
    ['JSON unparseable date', json({ ...good, timestamp: 'yesterday' }), undefined, 'bad_timestamp', /pump-1: timestamp NaN/],
    ['JSON fractional timestamp', json({ ...good, timestamp: 1.5 }), undefined, 'bad_timestamp', /not a non-negative integer/],
    ['Avro negative timestamp', avro({ ...good, timestamp: -5 }), undefined, 'bad_timestamp', /-5/],
    ['timestamp far in the future', avro({ ...good, timestamp: now + 60_001 }), undefined, 'future_timestamp', /more than 60000 ms ahead/],
    ['too few values', avro({ ...good, values: [1, 2] }), undefined, 'wrong_channel_count', /2 values, expected 3 \(x, y, z\)/],
    ['too many values (JSON)', json({ ...good, values: [1, 2, 3, 4] }), undefined, 'wrong_channel_count', /4 values/],
    ['JSON object missing a channel', json({ ...good, values: { x: 1, y: 2 } }), undefined, 'wrong_channel_count', /missing channel\(s\) z/],
    ['JSON object unknown channel', json({ ...good, values: { x: 1, y: 2, z: 3, w: 4 } }), undefined, 'wrong_channel_count', /unknown channel\(s\) w/],
    ['NaN in Avro', nan, undefined, 'non_finite_value', /channel y value NaN/],
    ['Infinity in Avro', avro({ ...good, values: [1, 2, Number.NEGATIVE_INFINITY] }), undefined, 'non_finite_value', /channel z value -Infinity/],
    ['null in JSON (NaN stringified)', json({ ...good, values: [1, Number.NaN, 2] }), undefined, 'non_finite_value', /channel y/],
    ['string in JSON', json({ ...good, values: [1, 'high', 2] }), undefined, 'non_finite_value', /channel y/],
  ];
  for (const [name, value, headers, reason, message] of cases) {
    it(name, () => {
      const res = decodeReading(value, headers, { ...options, now });
      assert.equal(res.ok, false, `expected ${reason}, decoded ${JSON.stringify(res)}`);
      if (!res.ok) {
        assert.equal(res.reason, reason);
        assert.match(res.message, message);
      }
    });
  }
});

describe('SensorReading schema evolution', () => {
  const v1 = readingV1Type.toBuffer({ sensorId: 'old', timestamp: now, values: [1, 2, 3] });

  it('a record written with v1 is read with v2 (quality defaults to null)', () => {
    assert.deepEqual({ ...readingType.fromBuffer(v1, readingV1Resolver) }, { sensorId: 'old', timestamp: now, values: [1, 2, 3], quality: null });
  });

  it('ingest reads v1 records sent with header schema-version: 1', () => {
    const res = createReadingDecoder(options).decode(v1, { 'schema-version': Buffer.from('1') }, now);
    assert.deepEqual(res, { ok: true, format: 'avro', sensorType: 'default', reading: { sensorId: 'old', timestamp: now, values: [1, 2, 3], quality: null } });
  });

  it('a v1 record without the header is refused, not misread', () => {
    const res = createReadingDecoder(options).decode(v1, undefined, now);
    assert.equal(res.ok ? 'ok' : res.reason, 'bad_avro');
  });
});

describe('encodeReading', () => {
  for (const format of ['avro', 'json'] as const) {
    it(`${format} round trip through the decoder`, () => {
      const res = decodeReading(encodeReading(good, format), readingHeaders(format), { ...options, now });
      assert.deepEqual(res, { ok: true, reading: good, format, sensorType: 'default' });
    });
  }
});

describe('decodeReading: strict JSON input', () => {
  const withValues = (values: unknown): Buffer => json({ sensorId: 'pump-1', timestamp: now - 1000, values });
  const decode = (value: Buffer) => decodeReading(value, undefined, { ...options, now });
  it('reads a numeric string only when it is a decimal number in full ("1e3" is one)', () => {
    const res = decode(withValues(['1e3', '-2.5', '+.5']));
    assert.ok(res.ok);
    assert.deepEqual(res.reading.values, [1000, -2.5, 0.5]);
  });
  for (const bad of ['', ' ', '0x10', '0b11', '\n', ' 5', 'Infinity', 'NaN', '1,5', 'hot']) {
    it(`refuses the value string ${JSON.stringify(bad)} as non_finite_value, quoting it`, () => {
      for (const values of [[bad, 1, 2], { x: bad, y: 1, z: 2 }]) {
        const res = decode(withValues(values));
        assert.equal(res.ok, false);
        if (res.ok) return;
        assert.equal(res.reason, 'non_finite_value');
        assert.ok(res.message.includes(`channel x value ${JSON.stringify(bad)} is not a finite number`), res.message);
      }
    });
  }
  it('quotes other values as they were: null, true, an object', () => {
    for (const [v, text] of [[null, 'value null'], [true, 'value true'], [{ a: 1 }, 'value an object']] as const) {
      const res = decode(withValues([1, v, 2]));
      assert.equal(res.ok, false);
      if (!res.ok) assert.ok(res.message.includes(`channel y ${text} is not a finite number`), res.message);
    }
  });
  it('refuses deep nesting anywhere as bad_json, never internal', () => {
    const deep = (n: number): string => '['.repeat(n) + ']'.repeat(n);
    for (const doc of [
      `{"sensorId":"s","timestamp":1,"values":[1,2,3],"quality":${deep(10_000)}}`,
      `{"sensorId":"s","timestamp":1,"values":${deep(10_000)}}`,
      `{"sensorId":"s","timestamp":1,"values":[1,2,3],"extra":{"a":${deep(100)}}}`,
    ]) {
      const res = decode(Buffer.from(doc));
      assert.equal(res.ok, false);
      if (!res.ok) {
        assert.equal(res.reason, 'bad_json');
        assert.match(res.message, /nested deeper than 32 levels/);
      }
    }
    // brackets inside strings do not count
    const res = decode(Buffer.from(JSON.stringify({ sensorId: '[[[[' + '['.repeat(100), timestamp: now - 1000, values: [1, 2, 3] })));
    assert.ok(res.ok);
  });
  it('a quality too deep or too long is quoted briefly', () => {
    const res = decode(json({ sensorId: 's', timestamp: now - 1000, values: [1, 2, 3], quality: 'x'.repeat(10_000) }));
    assert.equal(res.ok, false);
    if (!res.ok) assert.ok(res.message.length < 200, res.message);
  });
  it('hints that a timestamp looks like seconds since the epoch', () => {
    for (const value of [json({ sensorId: 's', timestamp: 1767225600, values: [1, 2, 3] }), avro({ ...good, timestamp: 1767225600 })]) {
      const res = decode(value);
      assert.equal(res.ok, false);
      if (!res.ok) {
        assert.equal(res.reason, 'bad_timestamp');
        assert.match(res.message, /looks like seconds since the epoch \(2026-01-01T00:00:00.000Z as seconds\): send milliseconds/);
      }
    }
  });
});
