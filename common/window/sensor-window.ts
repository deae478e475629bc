// The window assembler of one sensor: the last `length` released samples in a
// ring, gap handling, and window emission every `hop` samples. Samples arrive
// here already in event-time order (the reorder buffer is in windower.ts).
import type { SignalWindow } from '../types.ts';
import type { WindowOptions } from './options.ts';

const MISSING = 1;
const BAD = 2;

export interface SensorWindowState {
  sensorId: string;
  /** Event times of the ring's rows. */
  times: Float64Array;
  /** Ring of rows, row-major: rows[i * channels + c]. */
  rows: Float64Array;
  /** Per row: MISSING (gap-filled) | BAD (quality bad). */
  flags: Uint8Array;
  /** Next ring slot to write. */
  head: number;
  /** Rows appended since the last reset. */
  count: number;
  /** Event time of the last row appended (-Infinity before the first). */
  lastTime: number;
  /** Next window's sequence number. */
  seq: number;
}

export interface AppendCounters {
  filled: number;
  resets: number;
}

export function newSensorWindow(sensorId: string, o: WindowOptions): SensorWindowState {
  return {
    sensorId,
    times: new Float64Array(o.length),
    rows: new Float64Array(o.length * o.channels.length),
    flags: new Uint8Array(o.length),
    head: 0,
    count: 0,
    lastTime: Number.NEGATIVE_INFINITY,
    seq: 0,
  };
}

/** Index of the ring row that holds a real (not gap-filled) sample at `t`, or -1. */
export function findRow(s: SensorWindowState, t: number): number {
  const n = Math.min(s.count, s.times.length);
  for (let k = 1; k <= n; k++) {
    const i = (s.head - k + s.times.length) % s.times.length;
    if (s.times[i] === t && ((s.flags[i] ?? 0) & MISSING) === 0) return i;
  }
  return -1;
}

/** True when ring row `i` holds exactly `values`. */
export function rowEquals(s: SensorWindowState, i: number, values: readonly number[]): boolean {
  const c = values.length;
  for (let j = 0; j < c; j++) if (s.rows[i * c + j] !== values[j]) return false;
  return true;
}

function writeRow(s: SensorWindowState, o: WindowOptions, t: number, values: ArrayLike<number>, flag: number, out: SignalWindow[]): void {
  const c = o.channels.length;
  const i = s.head;
  s.times[i] = t;
  s.flags[i] = flag;
  for (let j = 0; j < c; j++) s.rows[i * c + j] = values[j] ?? Number.NaN;
  s.head = (i + 1) % o.length;
  s.count++;
  s.lastTime = t;
  if (s.count >= o.length && (s.count - o.length) % o.hop === 0) out.push(emit(s, o));
}

function emit(s: SensorWindowState, o: WindowOptions): SignalWindow {
  const c = o.channels.length;
  const samples = new Array<number>(o.length * c);
  let missing = 0;
  let badQuality = 0;
  // the ring is full: its oldest row is at head
  for (let k = 0; k < o.length; k++) {
    const i = (s.head + k) % o.length;
    const f = s.flags[i] ?? 0;
    if (f & MISSING) missing++;
    if (f & BAD) badQuality++;
    for (let j = 0; j < c; j++) samples[k * c + j] = s.rows[i * c + j] as number;
  }
  const start = s.times[s.head] as number;
  const end = s.times[(s.head + o.length - 1) % o.length] as number;
  return { sensorId: s.sensorId, seq: s.seq++, start, end, channels: [...o.channels], samples, missing, badQuality };
}

/**
 * Appends the next sample in event-time order. A gap of g missing samples
 * (g = round((t - last) / samplePeriodMs) - 1 > 0) is, with gapPolicy 'fill'
 * and g <= maxGapSamples, filled by carrying the last values forward (counted
 * in `missing`); otherwise the window in progress is dropped and a fresh one
 * starts at this sample.
 */
export function appendSample(s: SensorWindowState, o: WindowOptions, t: number, values: readonly number[], bad: boolean, counters: AppendCounters, out: SignalWindow[]): void {
  if (s.count > 0) {
    const gap = Math.round((t - s.lastTime) / o.samplePeriodMs) - 1;
    if (gap > 0) {
      if (o.gapPolicy === 'fill' && gap <= o.maxGapSamples) {
        const c = o.channels.length;
        const last = (s.head - 1 + o.length) % o.length;
        const carried = s.rows.slice(last * c, last * c + c);
        const base = s.lastTime;
        for (let k = 1; k <= gap; k++) writeRow(s, o, base + k * o.samplePeriodMs, carried, MISSING, out);
        counters.filled += gap;
      } else {
        s.count = 0;
        counters.resets++;
      }
    }
  }
  writeRow(s, o, t, values, bad ? BAD : 0, out);
}
