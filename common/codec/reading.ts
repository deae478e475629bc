// Sensor readings off the wire: Avro or JSON in, a validated SensorReading or a
// dead-letter reason out. Nothing here throws for a bad record: a bad record is
// data, and the caller dead-letters it (house style 5).
import type { DeadLetterReason, ReadingQuality, SensorReading } from '../types.ts';
import { contentTypes, detectFormat, headerText, type ReadingFormat, type RecordHeaders } from './headers.ts';
import { boundsProblem } from './guard.ts';
import { readingType, readingV1Resolver, readingV1Type } from './schemas.ts';

export type ReadingDecodeResult =
  | { ok: true; reading: SensorReading; format: ReadingFormat }
  | { ok: false; reason: DeadLetterReason; message: string };

export interface ReadingCheckOptions {
  /** Configured channel names, in order (windowing.channels). */
  channels: readonly string[];
  /** How far ahead of `now` an event time may be, ms (windowing.maxFutureMs). */
  maxFutureMs: number;
}

type Failure = { ok: false; reason: DeadLetterReason; message: string };
const fail = (reason: DeadLetterReason, message: string): Failure => ({ ok: false, reason, message });

/** A decoder bound to one channel configuration; `now` is the injected clock (ms). */
export interface ReadingDecoder {
  decode(value: Buffer | null, headers: RecordHeaders | undefined, now: number): ReadingDecodeResult;
}

export function createReadingDecoder(options: ReadingCheckOptions): ReadingDecoder {
  const channels = [...options.channels];
  const channelIndex = new Map(channels.map((c, i) => [c, i] as const));
  const { maxFutureMs } = options;

  function check(sensorId: unknown, timestamp: number, values: number[], quality: ReadingQuality | null, now: number, format: ReadingFormat): ReadingDecodeResult {
    if (typeof sensorId !== 'string' || sensorId.length === 0) return fail('missing_sensor_id', 'sensorId is missing or empty');
    if (!Number.isSafeInteger(timestamp) || timestamp < 0) {
      return fail('bad_timestamp', `sensor ${sensorId}: timestamp ${String(timestamp)} is not a non-negative integer of ms since the epoch`);
    }
    if (timestamp > now + maxFutureMs) {
      return fail('future_timestamp', `sensor ${sensorId}: timestamp ${timestamp} (${new Date(timestamp).toISOString()}) is more than ${maxFutureMs} ms ahead of now (${new Date(now).toISOString()})`);
    }
    if (values.length !== channels.length) {
      return fail('wrong_channel_count', `sensor ${sensorId}: ${values.length} values, expected ${channels.length} (${channels.join(', ')})`);
    }
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        return fail('non_finite_value', `sensor ${sensorId}: channel ${channels[i]} value ${String(v)} is not a finite number`);
      }
    }
    return { ok: true, reading: { sensorId, timestamp, values, quality }, format };
  }

  function decodeAvro(value: Buffer, headers: RecordHeaders | undefined, now: number): ReadingDecodeResult {
    let rec: { sensorId: string; timestamp: number; values: number[]; quality?: ReadingQuality | null };
    const version = headerText(headers, 'schema-version');
    const problem = boundsProblem(version === '1' ? readingV1Type : readingType, value);
    if (problem !== null) return fail('bad_avro', `not a SensorReading v${version ?? '2'} Avro record (${value.length} bytes): ${problem}`);
    try {
      rec = version === '1' ? readingType.fromBuffer(value, readingV1Resolver) : readingType.fromBuffer(value);
    } catch (err) {
      return fail('bad_avro', `not a SensorReading v${version ?? '2'} Avro record (${value.length} bytes): ${(err as Error).message}`);
    }
    return check(rec.sensorId, rec.timestamp, rec.values, rec.quality ?? null, now, 'avro');
  }

  function jsonValues(raw: unknown, sensorId: string): number[] | Failure {
    if (Array.isArray(raw)) {
      // null is what JSON.stringify makes of NaN and Infinity
      return raw.map((v) => (v === null ? Number.NaN : typeof v === 'string' ? Number(v) : v)) as number[];
    }
    if (raw === null || typeof raw !== 'object') {
      return fail('bad_json', `sensor ${sensorId}: values must be an array in channel order or an object keyed by channel name`);
    }
    const obj = raw as Record<string, unknown>;
    const out = new Array<number>(channels.length).fill(Number.NaN);
    const seen = new Array<boolean>(channels.length).fill(false);
    const unknown: string[] = [];
    for (const key in obj) {
      const i = channelIndex.get(key);
      if (i === undefined) {
        unknown.push(key);
        continue;
      }
      const v = obj[key];
      out[i] = v === null ? Number.NaN : typeof v === 'string' ? Number(v) : (v as number);
      seen[i] = true;
    }
    const absent = channels.filter((_, i) => !seen[i]);
    if (unknown.length > 0 || absent.length > 0) {
      const parts = [];
      if (unknown.length > 0) parts.push(`unknown channel(s) ${unknown.join(', ')}`);
      if (absent.length > 0) parts.push(`missing channel(s) ${absent.join(', ')}`);
      return fail('wrong_channel_count', `sensor ${sensorId}: ${parts.join('; ')}; configured channels: ${channels.join(', ')}`);
    }
    return out;
  }

  function decodeJson(value: Buffer, now: number): ReadingDecodeResult {
    let doc: unknown;
    try {
      doc = JSON.parse(value.toString('utf8'));
    } catch (err) {
      return fail('bad_json', `not valid JSON (${value.length} bytes): ${(err as Error).message}`);
    }
    if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) return fail('bad_json', 'a JSON reading must be an object');
    const r = doc as Record<string, unknown>;
    const sensorId = r.sensorId;
    if (typeof sensorId !== 'string' || sensorId.length === 0) return fail('missing_sensor_id', 'sensorId is missing, empty or not a string');
    let timestamp: number;
    if (typeof r.timestamp === 'number') timestamp = r.timestamp;
    else if (typeof r.timestamp === 'string') timestamp = Date.parse(r.timestamp);
    else return fail('bad_timestamp', `sensor ${sensorId}: timestamp must be ms since the epoch or an ISO-8601 string`);
    const quality = r.quality ?? null;
    if (quality !== null && quality !== 'good' && quality !== 'uncertain' && quality !== 'bad') {
      return fail('bad_json', `sensor ${sensorId}: quality ${JSON.stringify(quality)} is not good, uncertain, bad or null`);
    }
    const values = jsonValues(r.values, sensorId);
    if (!Array.isArray(values)) return values;
    return check(sensorId, timestamp, values, quality, now, 'json');
  }

  return {
    decode(value, headers, now) {
      if (value === null || value.length === 0) return fail('unknown_format', 'empty record value (null or zero bytes)');
      const decision = detectFormat(value, headers);
      if (decision.format === null) return fail('unknown_format', decision.message);
      return decision.format === 'avro' ? decodeAvro(value, headers, now) : decodeJson(value, now);
    },
  };
}

/** One-off decode; for the hot path build a decoder once with createReadingDecoder. */
export function decodeReading(value: Buffer | null, headers: RecordHeaders | undefined, options: ReadingCheckOptions & { now: number }): ReadingDecodeResult {
  return createReadingDecoder(options).decode(value, headers, options.now);
}

/** The wire form of a reading: Avro (schema v2) or JSON with `values` as an array. */
export function encodeReading(reading: SensorReading, format: ReadingFormat): Buffer {
  if (format === 'avro') return readingType.toBuffer(reading);
  return Buffer.from(JSON.stringify(reading));
}

/** The headers that go with an encoded reading. */
export function readingHeaders(format: ReadingFormat): Record<string, string> {
  return { 'content-type': contentTypes[format] };
}
