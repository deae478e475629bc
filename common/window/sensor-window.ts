// The window assembler of one sensor: the last `length` released samples in a
// ring, gap handling, and window emission on the event-time grid. Samples
// arrive here already in event-time order (the reorder buffer is in windower.ts).
//
// The grid: every sample has a slot, round(t / samplePeriodMs) for the first
// sample after a reset and one more for each sample after it (gap-filled ones
// included). A window is emitted when the ring is full and its first sample's
// slot is the sensor's phase mod `hop` (options.ts: a hash of the sensor id, so
// a fleet's windows complete spread over the hop instead of in one burst); its
// seq is ceil(slot / hop) (slot / hop with phase 0). So a window's
// identity (sensor, seq, start) comes from event time alone: a restart, a
// rebalance or a replay that sees the same readings cuts the same windows with
// the same seqs, and seqs grow with start time (strictly, per sensor).
// With timestamps on the sample grid (t = k · samplePeriodMs + a fixed
// offset), seq = ceil(round(start / samplePeriodMs) / hop); with jitter the slot
// follows the sample count from the last reset (a replay that starts after a
// different first sample may then shift the grid by a slot).
//
// Each row also keeps the position (Kafka offset) of the reading it came from
// (a gap-filled row: the reading whose values it carries), so the windower can
// say which input is still needed: see `oldestNeeded`.
import type { SignalWindow } from '../types.ts';
import { sensorPhase, type WindowOptions } from './options.ts';

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
  /** Per row: position of the reading it came from (NaN: none given). */
  positions: Float64Array;
  /** Slot of the first row since the last reset. */
  anchor: number;
  /** Slot where the next window to emit starts (a multiple of hop). */
  nextStart: number;
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
    positions: new Float64Array(o.length).fill(Number.NaN),
    anchor: 0,
    nextStart: 0,
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

const mod = (a: number, n: number): number => ((a % n) + n) % n;

function writeRow(s: SensorWindowState, o: WindowOptions, t: number, values: ArrayLike<number>, flag: number, position: number, out: SignalWindow[]): void {
  const c = o.channels.length;
  const i = s.head;
  if (s.count === 0) {
    s.anchor = Math.round(t / o.samplePeriodMs);
    const phase = (o.phaseOf ?? sensorPhase)(s.sensorId, o.hop);
    s.nextStart = s.anchor + mod(phase - s.anchor, o.hop);
  }
  s.times[i] = t;
  s.flags[i] = flag;
  s.positions[i] = position;
  for (let j = 0; j < c; j++) s.rows[i * c + j] = values[j] ?? Number.NaN;
  s.head = (i + 1) % o.length;
  s.count++;
  s.lastTime = t;
  if (s.count < o.length) return;
  const startSlot = s.anchor + s.count - o.length;
  if (startSlot === s.nextStart) {
    out.push(emit(s, o, Math.ceil(startSlot / o.hop)));
    s.nextStart += o.hop;
  }
}

/**
 * The smallest position among the rows the next windows still need (rows from
 * the next window's start on, and the last row, whose values a gap fill would
 * carry), or Infinity. Rows before the next start are in no future window.
 */
export function oldestNeededRow(s: SensorWindowState, o: WindowOptions): number {
  let oldest = Number.POSITIVE_INFINITY;
  const n = Math.min(s.count, o.length);
  for (let k = 0; k < n; k++) {
    const i = (s.head - 1 - k + o.length) % o.length;
    const slot = s.anchor + s.count - 1 - k;
    if (k > 0 && slot < s.nextStart) break;
    const p = s.positions[i] as number;
    if (p < oldest) oldest = p;
  }
  return oldest;
}

function emit(s: SensorWindowState, o: WindowOptions, seq: number): SignalWindow {
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
  const w: SignalWindow = { sensorId: s.sensorId, seq, start, end, channels: [...o.channels], samples, missing, badQuality };
  if (o.sensorType !== undefined) w.sensorType = o.sensorType;
  return w;
}

/**
 * Appends the next sample in event-time order. A gap of g missing samples
 * (g = round((t - last) / samplePeriodMs) - 1 > 0) is, with gapPolicy 'fill'
 * and g <= maxGapSamples, filled by carrying the last values forward (counted
 * in `missing`); otherwise the window in progress is dropped and a fresh one
 * starts at this sample.
 */
export function appendSample(s: SensorWindowState, o: WindowOptions, t: number, values: readonly number[], bad: boolean, position: number, counters: AppendCounters, out: SignalWindow[]): GapOutcome {
  let outcome: GapOutcome = null;
  if (s.count > 0) {
    const gap = Math.round((t - s.lastTime) / o.samplePeriodMs) - 1;
    if (gap > 0) {
      if (o.gapPolicy === 'fill' && gap <= o.maxGapSamples) {
        const c = o.channels.length;
        const last = (s.head - 1 + o.length) % o.length;
        const carried = s.rows.slice(last * c, last * c + c);
        const base = s.lastTime;
        const from = s.positions[last] as number;
        for (let k = 1; k <= gap; k++) writeRow(s, o, base + k * o.samplePeriodMs, carried, MISSING, from, out);
        counters.filled += gap;
      } else {
        outcome = { reset: true, gapMs: t - s.lastTime, dropped: s.count };
        s.count = 0;
        counters.resets++;
      }
    }
  }
  writeRow(s, o, t, values, bad ? BAD : 0, position, out);
  return outcome;
}

/** A reset: the gap (ms) that caused it and the rows of the run it dropped. */
export type GapOutcome = { reset: true; gapMs: number; dropped: number } | null;
