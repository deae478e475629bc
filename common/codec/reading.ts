// Sensor readings off the wire: Avro or JSON in, a validated SensorReading or a
// dead-letter reason out. Nothing here throws for a bad record: a bad record is
// data, and the caller dead-letters it (house style 5).
import type { DeadLetterReason, ReadingQuality, SensorReading } from '../types.ts';
import { contentTypes, detectFormat, headerText, type ReadingFormat, type RecordHeaders } from './headers.ts';
import { boundsProblem } from './guard.ts';
import { readReading } from './reading-reader.ts';
import { readingType, readingV1Resolver, readingV1Type } from './schemas.ts';

export type ReadingDecodeResult =
  | { ok: true; reading: SensorReading; format: ReadingFormat; sensorType: string }
  | { ok: false; reason: DeadLetterReason; message: string };

/** The channel layout of one sensor type. */
export interface ReadingLayout {
  type: string;
  channels: readonly string[];
}

export interface ReadingCheckOptions {
  /** Configured channel names, in order (windowing.channels): the layout of every sensor unless `layoutOf` is given. */
  channels: readonly string[];
  /**
   * Sensor types (issue 22): the layout of a sensor's type, or undefined for a
   * sensor of no type (dead-lettered `unknown_sensor`). Called once per record:
   * cache behind it (common/config/sensor-types.ts typeOf does).
   */
  layoutOf?: (sensorId: string) => ReadingLayout | undefined;
  /** Every type's layout, to say which type a wrong-layout reading would fit. */
  layouts?: readonly ReadingLayout[];
  /** How far ahead of `now` an event time may be, ms (windowing.maxFutureMs). */
  maxFutureMs: number;
}

type Failure = { ok: false; reason: DeadLetterReason; message: string };
const fail = (reason: DeadLetterReason, message: string): Failure => ({ ok: false, reason, message });

/** Deepest JSON nesting read; a reading needs 2 (the object and its values). */
export const MAX_JSON_DEPTH = 32;

/** A JSON number in full, as a string: sign, digits, optional fraction and exponent; no blanks, hex, binary, Infinity or NaN. */
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Pure: a numeric string read strictly (see DECIMAL), else null. */
export function strictNumber(text: string): number | null {
  return DECIMAL.test(text) ? Number(text) : null;
}

/** Pure: how deep the JSON text nests arrays and objects, stopping early once past `limit`. */
export function jsonDepth(text: string, limit = MAX_JSON_DEPTH): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (inString) {
      if (ch === 0x5c) i++; // backslash: skip the escaped character
      else if (ch === 0x22) inString = false;
    } else if (ch === 0x22) inString = true;
    else if (ch === 0x7b || ch === 0x5b) {
      if (++depth > max) max = depth;
      if (max > limit) return max;
    } else if (ch === 0x7d || ch === 0x5d) depth--;
  }
  return max;
}

/** Pure: a value as it can be quoted in a message, never deep or long (no JSON.stringify of untrusted structures). */
export function describeValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length <= 40 ? v : `${v.slice(0, 37)}...`);
  if (v === null || typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (typeof v === 'object') return 'an object';
  return typeof v;
}

/** Milliseconds below 10¹¹ (1973) but at least 10⁹ read as seconds are 2001 to 5138: most likely seconds. */
function secondsHint(timestamp: number): string {
  return timestamp >= 1e9 && timestamp < 1e11 ? `; it looks like seconds since the epoch (${new Date(timestamp * 1000).toISOString()} as seconds): send milliseconds` : '';
}

/** A decoder bound to one channel configuration; `now` is the injected clock (ms). */
export interface ReadingDecoder {
  decode(value: Buffer | null, headers: RecordHeaders | undefined, now: number): ReadingDecodeResult;
}

interface Layout {
  type: string;
  channels: string[];
  index: Map<string, number>;
  /** 'sensor X is type T (n channels: …)' or, for the implicit single type, '' (messages as before types). */
  named: boolean;
}

const layoutOfChannels = (type: string, channels: readonly string[], named: boolean): Layout => ({
  type,
  channels: [...channels],
  index: new Map(channels.map((c, i) => [c, i] as const)),
  named,
});

const describe = (l: { type: string; channels: readonly string[] }): string => `${l.type} (${l.channels.length} channel${l.channels.length === 1 ? '' : 's'}: ${l.channels.join(', ')})`;

export function createReadingDecoder(options: ReadingCheckOptions): ReadingDecoder {
  const single = layoutOfChannels('default', options.channels, false);
  const { maxFutureMs } = options;
  const layoutOf = options.layoutOf;
  const built = new Map<ReadingLayout, Layout>();
  const layoutFor = (sensorId: string): Layout | undefined => {
    if (layoutOf === undefined) return single;
    const l = layoutOf(sensorId);
    if (l === undefined) return undefined;
    let b = built.get(l);
    if (b === undefined) {
      b = layoutOfChannels(l.type, l.channels, true);
      built.set(l, b);
    }
    return b;
  };
  const others = (own: Layout, fits: (l: ReadingLayout) => boolean): string => {
    const fit = (options.layouts ?? []).filter((l) => l.type !== own.type && fits(l));
    return fit.length === 0 ? '' : `; they fit type ${fit.map(describe).join(' or ')}, not its own type ${describe(own)}`;
  };
  const unknownSensor = (sensorId: string): Failure =>
    fail('unknown_sensor', `sensor ${sensorId} matches no sensor type (sensorTypes: ${(options.layouts ?? []).map((l) => l.type).join(', ')}) and defaultSensorType is not set: add it to a type's sensors, or set defaultSensorType`);
  const countProblem = (sensorId: string, n: number, layout: Layout): Failure => {
    const { channels } = layout;
    const who = layout.named ? `sensor ${sensorId} (type ${layout.type})` : `sensor ${sensorId}`;
    return fail('wrong_channel_count', `${who}: ${n} values, expected ${channels.length} (${channels.join(', ')})${layout.named ? others(layout, (l) => l.channels.length === n) : ''}`);
  };

  /** `known`: the sensor's layout when the caller has it already; `reading`: the same fields as an object already (the Avro fast path), taken as it is when valid. */
  function check(sensorId: unknown, timestamp: number, values: number[], quality: ReadingQuality | null, now: number, format: ReadingFormat, known?: Layout, reading?: SensorReading): ReadingDecodeResult {
    if (typeof sensorId !== 'string' || sensorId.length === 0) return fail('missing_sensor_id', 'sensorId is missing or empty');
    const layout = known ?? layoutFor(sensorId);
    if (layout === undefined) return unknownSensor(sensorId);
    const { channels } = layout;
    if (!Number.isSafeInteger(timestamp) || timestamp < 0) {
      return fail('bad_timestamp', `sensor ${sensorId}: timestamp ${String(timestamp)} is not a non-negative integer of ms since the epoch`);
    }
    const hint = secondsHint(timestamp);
    if (hint !== '') return fail('bad_timestamp', `sensor ${sensorId}: timestamp ${timestamp} is ${new Date(timestamp).toISOString()} as ms${hint}`);
    if (timestamp > now + maxFutureMs) {
      return fail('future_timestamp', `sensor ${sensorId}: timestamp ${timestamp} (${new Date(timestamp).toISOString()}) is more than ${maxFutureMs} ms ahead of now (${new Date(now).toISOString()})`);
    }
    if (values.length !== channels.length) return countProblem(sensorId, values.length, layout);
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        return fail('non_finite_value', `sensor ${sensorId}: channel ${channels[i]} value ${String(v)} is not a finite number`);
      }
    }
    return { ok: true, reading: reading ?? { sensorId, timestamp, values, quality }, format, sensorType: layout.type };
  }

  function decodeAvro(value: Buffer, headers: RecordHeaders | undefined, now: number): ReadingDecodeResult {
    let rec: { sensorId: string; timestamp: number; values: number[]; quality?: ReadingQuality | null };
    const version = headerText(headers, 'schema-version');
    // The usual record (v2, well formed) in one pass; anything else through the bounds walk and avsc.
    const fast = version === '1' ? null : readReading(value);
    if (fast !== null) return check(fast.sensorId, fast.timestamp, fast.values, fast.quality, now, 'avro', undefined, fast);
    const problem = boundsProblem(version === '1' ? readingV1Type : readingType, value);
    if (problem !== null) return fail('bad_avro', `not a SensorReading v${version ?? '2'} Avro record (${value.length} bytes): ${problem}`);
    try {
      rec = version === '1' ? readingType.fromBuffer(value, readingV1Resolver) : readingType.fromBuffer(value);
    } catch (err) {
      return fail('bad_avro', `not a SensorReading v${version ?? '2'} Avro record (${value.length} bytes): ${(err as Error).message}`);
    }
    return check(rec.sensorId, rec.timestamp, rec.values, rec.quality ?? null, now, 'avro');
  }

  /** One JSON value as a number: a number, or a string that is a decimal number in full; else a failure quoting it. */
  function jsonNumber(v: unknown, sensorId: string, channel: string): number | Failure {
    if (typeof v === 'number') return v;
    if (typeof v === 'string') {
      const n = strictNumber(v);
      if (n !== null) return n;
    }
    // null is what JSON.stringify makes of NaN and Infinity
    return fail('non_finite_value', `sensor ${sensorId}: channel ${channel} value ${describeValue(v)} is not a finite number${typeof v === 'string' ? ' (a numeric string must be a decimal number in full: no blanks, hex or binary)' : ''}`);
  }

  function jsonValues(raw: unknown, sensorId: string, layout: Layout): number[] | Failure {
    const { channels, index: channelIndex } = layout;
    if (Array.isArray(raw)) {
      const out = new Array<number>(raw.length);
      for (let i = 0; i < raw.length; i++) {
        const n = jsonNumber(raw[i], sensorId, channels[i] ?? `#${i}`);
        if (typeof n !== 'number') {
          // the count is checked first: a wrong count is the more useful message
          if (raw.length !== channels.length) return countProblem(sensorId, raw.length, layout);
          return n;
        }
        out[i] = n;
      }
      return out;
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
      const n = jsonNumber(obj[key], sensorId, key);
      if (typeof n !== 'number') return n;
      out[i] = n;
      seen[i] = true;
    }
    const absent = channels.filter((_, i) => !seen[i]);
    if (unknown.length > 0 || absent.length > 0) {
      const parts = [];
      if (unknown.length > 0) parts.push(`unknown channel(s) ${unknown.join(', ')}`);
      if (absent.length > 0) parts.push(`missing channel(s) ${absent.join(', ')}`);
      if (!layout.named) return fail('wrong_channel_count', `sensor ${sensorId}: ${parts.join('; ')}; configured channels: ${channels.join(', ')}`);
      const keys = Object.keys(obj);
      const fits = (l: ReadingLayout): boolean => l.channels.length === keys.length && keys.every((k) => l.channels.includes(k));
      return fail('wrong_channel_count', `sensor ${sensorId} (type ${layout.type}): ${parts.join('; ')}; its type's channels: ${channels.join(', ')}${others(layout, fits)}`);
    }
    return out;
  }

  function decodeJson(value: Buffer, now: number): ReadingDecodeResult {
    let doc: unknown;
    const text = value.toString('utf8');
    const depth = jsonDepth(text);
    if (depth > MAX_JSON_DEPTH) return fail('bad_json', `JSON nested deeper than ${MAX_JSON_DEPTH} levels (${value.length} bytes): a reading is an object with a values array or object`);
    try {
      doc = JSON.parse(text);
    } catch (err) {
      return fail('bad_json', `not valid JSON (${value.length} bytes): ${(err as Error).message}`);
    }
    if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) return fail('bad_json', 'a JSON reading must be an object');
    const r = doc as Record<string, unknown>;
    const sensorId = r.sensorId;
    if (typeof sensorId !== 'string' || sensorId.length === 0) return fail('missing_sensor_id', 'sensorId is missing, empty or not a string');
    let timestamp: number;
    if (typeof r.timestamp === 'string' && /^\d+$/.test(r.timestamp)) return fail('bad_timestamp', `sensor ${sensorId}: timestamp ${describeValue(r.timestamp)} is a string of digits: send a number of ms since the epoch, or an ISO-8601 date`);
    if (typeof r.timestamp === 'number') timestamp = r.timestamp;
    else if (typeof r.timestamp === 'string') timestamp = Date.parse(r.timestamp);
    else return fail('bad_timestamp', `sensor ${sensorId}: timestamp must be ms since the epoch or an ISO-8601 string`);
    const quality = r.quality ?? null;
    if (quality !== null && quality !== 'good' && quality !== 'uncertain' && quality !== 'bad') {
      return fail('bad_json', `sensor ${sensorId}: quality ${describeValue(quality)} is not good, uncertain, bad or null`);
    }
    const layout = layoutFor(sensorId);
    if (layout === undefined) return unknownSensor(sensorId);
    const values = jsonValues(r.values, sensorId, layout);
    if (!Array.isArray(values)) return values;
    return check(sensorId, timestamp, values, quality, now, 'json', layout);
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

/**
 * Whether a record key, read as UTF-8, is `id`, without decoding it when both
 * are ASCII (the usual sensor id): byte i is then character i.
 */
export function keyIs(key: Buffer, id: string): boolean {
  const n = key.length;
  if (n === id.length) {
    let i = 0;
    for (; i < n; i++) {
      const b = key[i] as number;
      if (b >= 0x80 || b !== id.charCodeAt(i)) break;
    }
    if (i === n) return true;
    // a byte that differs from an ASCII character, both ASCII: different strings
    const b = key[i] as number;
    const ch = id.charCodeAt(i);
    if (b < 0x80 && ch < 0x80) return false;
  }
  return key.toString('utf8') === id;
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
