// A hand-written Avro writer for SignalWindow, the record ingest writes most
// (one per hop per sensor, 512 doubles each). Byte for byte what avsc writes
// for schemas/SignalWindow.avsc (a test compares them on random windows), but
// about twice as fast: one buffer sized up front, no per-item type dispatch.
// Anything outside what it handles exactly (a long beyond ±2^52) goes to avsc.
import { endianness } from 'node:os';
import type { SignalWindow } from '../types.ts';

const LONG_LIMIT = 2 ** 52;
const INT_MIN = -(2 ** 31);
const INT_MAX = 2 ** 31 - 1;

/** Why `w` cannot take the fast path (the caller falls back to avsc, which gives the error), or null. */
function unsupported(w: SignalWindow): boolean {
  for (const n of [w.seq, w.start, w.end]) if (!Number.isSafeInteger(n) || Math.abs(n) >= LONG_LIMIT) return true;
  for (const n of [w.missing, w.badQuality]) if (!Number.isInteger(n) || n < INT_MIN || n > INT_MAX) return true;
  if (typeof w.sensorId !== 'string' || (w.sensorType !== undefined && typeof w.sensorType !== 'string') || !Array.isArray(w.channels) || !Array.isArray(w.samples)) return true;
  for (const c of w.channels) if (typeof c !== 'string') return true;
  // The samples are checked while they are copied (writeDoubles).
  return false;
}

const zigzag = (n: number): number => (n >= 0 ? n * 2 : -n * 2 - 1);

function varintSize(n: number): number {
  let size = 1;
  for (let z = zigzag(n); z >= 128; z = Math.floor(z / 128)) size++;
  return size;
}

function writeVarint(buf: Buffer, pos: number, n: number): number {
  let z = zigzag(n);
  while (z >= 128) {
    buf[pos++] = (z % 128) | 0x80;
    z = Math.floor(z / 128);
  }
  buf[pos++] = z;
  return pos;
}

function writeString(buf: Buffer, pos: number, s: string, bytes: number): number {
  pos = writeVarint(buf, pos, bytes);
  return pos + buf.write(s, pos, bytes, 'utf8');
}

const littleEndian = endianness() === 'LE';
/** Reused staging area: doubles are converted in bulk, then copied as bytes (Avro doubles are little-endian). */
let staging = new Float64Array(1024);

/** Writes the doubles; -1 when one of them is not a number (the caller then takes avsc). */
function writeDoubles(buf: Buffer, pos: number, values: readonly unknown[]): number {
  const n = values.length;
  if (!littleEndian) {
    for (let i = 0; i < n; i++) if (typeof values[i] !== 'number') return -1;
    for (let i = 0; i < n; i++, pos += 8) buf.writeDoubleLE(values[i] as number, pos);
    return pos;
  }
  if (staging.length < n) staging = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (typeof v !== 'number') return -1;
    staging[i] = v;
  }
  buf.set(new Uint8Array(staging.buffer, 0, 8 * n), pos);
  return pos + 8 * n;
}

/** The Avro bytes of `w`, or null when it needs the general encoder. */
export function writeWindow(w: SignalWindow): Buffer | null {
  if (unsupported(w)) return null;
  const idBytes = Buffer.byteLength(w.sensorId, 'utf8');
  const channelBytes = w.channels.map((c) => Buffer.byteLength(c, 'utf8'));
  const n = w.samples.length;
  const m = w.channels.length;
  let size = varintSize(idBytes) + idBytes + varintSize(w.seq) + varintSize(w.start) + varintSize(w.end);
  size += m === 0 ? 1 : varintSize(m) + 1;
  for (const b of channelBytes) size += varintSize(b) + b;
  size += n === 0 ? 1 : varintSize(n) + 8 * n + 1;
  size += varintSize(w.missing) + varintSize(w.badQuality);
  const sensorType = w.sensorType ?? 'default';
  const typeBytes = Buffer.byteLength(sensorType, 'utf8');
  size += varintSize(typeBytes) + typeBytes;

  const buf = Buffer.allocUnsafe(size);
  let pos = writeString(buf, 0, w.sensorId, idBytes);
  pos = writeVarint(buf, pos, w.seq);
  pos = writeVarint(buf, pos, w.start);
  pos = writeVarint(buf, pos, w.end);
  // Arrays: one block (count, items) then the 0 that ends them, as avsc writes them.
  if (m > 0) {
    pos = writeVarint(buf, pos, m);
    for (let i = 0; i < m; i++) pos = writeString(buf, pos, w.channels[i] as string, channelBytes[i] as number);
  }
  buf[pos++] = 0;
  if (n > 0) {
    pos = writeVarint(buf, pos, n);
    pos = writeDoubles(buf, pos, w.samples);
    if (pos < 0) return null;
  }
  buf[pos++] = 0;
  pos = writeVarint(buf, pos, w.missing);
  pos = writeVarint(buf, pos, w.badQuality);
  pos = writeString(buf, pos, sensorType, typeBytes);
  if (pos !== size) throw new Error(`window writer: wrote ${pos} of ${size} bytes (bug)`);
  return buf;
}
