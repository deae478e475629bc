// A hand-written Avro reader for SensorReading v2, the record ingest reads for
// every sample: the same result as avsc for schemas/SensorReading.avsc (a test
// compares them on random and on damaged buffers), in one pass that checks its
// own bounds, so the well-formed record needs neither the bounds walk
// (guard.ts) nor avsc. Anything it does not handle exactly (block sizes, more
// than one block, longs of more than seven bytes, a union or enum index out of
// range, trailing or missing bytes) returns null, and the caller takes the
// general path (guard, then avsc), which gives the error for bad input.
import type { ReadingQuality, SensorReading } from '../types.ts';

/** The enum's symbols, in schema order (schemas/SensorReading.avsc). */
const qualities: readonly ReadingQuality[] = ['good', 'uncertain', 'bad'];

/** Read position of `readReading` (synchronous, so one for the module; no cursor object per record). */
let pos = 0;

/**
 * The zigzag varint at `pos` of at most seven bytes (|n| < 2^48, exact as a
 * number, which is all ms timestamps and lengths need), advancing `pos`; null
 * when it is longer or runs past the end.
 */
function varint(buf: Buffer): number | null {
  let z = 0;
  let scale = 1;
  for (let i = 0; ; i++) {
    if (pos >= buf.length || i >= 7) return null;
    const b = buf[pos++] as number;
    z += (b & 0x7f) * scale;
    if (b < 0x80) break;
    scale *= 128;
  }
  return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
}

/**
 * Sensor ids seen lately, by a hash of their bytes: a fleet sends the same few
 * thousand ids over and over, so an ASCII id is compared with the string made
 * last time instead of decoded again (no string per record, and the string's
 * hash, cached by V8, serves every Map lookup by id after this).
 */
const ID_SLOTS = 4096;
const ids: (string | undefined)[] = new Array<string | undefined>(ID_SLOTS).fill(undefined);

/** The UTF-8 text of buf[from, to): from the cache when it is ASCII and was seen lately. */
function idText(buf: Buffer, from: number, to: number): string {
  if (to - from > 64) return buf.toString('utf8', from, to);
  let h = 0x811c9dc5;
  for (let i = from; i < to; i++) {
    const b = buf[i] as number;
    if (b >= 0x80) return buf.toString('utf8', from, to);
    h = Math.imul(h ^ b, 0x01000193);
  }
  const slot = (h >>> 0) % ID_SLOTS;
  const seen = ids[slot];
  if (seen !== undefined && seen.length === to - from) {
    let i = 0;
    while (i < seen.length && seen.charCodeAt(i) === buf[from + i]) i++;
    if (i === seen.length) return seen;
  }
  const text = buf.toString('latin1', from, to); // ASCII: latin1 and UTF-8 read it alike
  ids[slot] = text;
  return text;
}

/** The reading in `buf` (schema v2), or null when the general decoder must look at it. */
export function readReading(buf: Buffer): SensorReading | null {
  pos = 0;
  const idLength = varint(buf);
  if (idLength === null || idLength < 0 || pos + idLength > buf.length) return null;
  const sensorId = idText(buf, pos, pos + idLength);
  pos += idLength;
  const timestamp = varint(buf);
  if (timestamp === null) return null;
  // values: one block of doubles (what avsc and every writer here produce) and the 0 that ends it, or just the 0.
  const count = varint(buf);
  if (count === null || count < 0 || pos + 8 * count > buf.length) return null;
  const values = new Array<number>(count);
  for (let i = 0; i < count; i++, pos += 8) values[i] = buf.readDoubleLE(pos);
  if (count > 0 && varint(buf) !== 0) return null;
  // quality: union [null, enum]
  const branch = varint(buf);
  let quality: ReadingQuality | null = null;
  if (branch === 1) {
    const symbol = varint(buf);
    if (symbol === null || symbol < 0 || symbol >= qualities.length) return null;
    quality = qualities[symbol] as ReadingQuality;
  } else if (branch !== 0) return null;
  if (pos !== buf.length) return null;
  return { sensorId, timestamp, values, quality };
}
