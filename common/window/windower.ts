// THE windowing implementation (house style 2): ingest, trainer, scorer and
// eval all cut windows with this. Pure: event time only, no clock, no Kafka.
//
// Per sensor: a reorder buffer sorted by event time; the sensor's watermark is
// its newest event time minus allowedLatenessMs, and buffered samples at or
// before the watermark are released, in order, to the window assembler
// (sensor-window.ts). See schemas/README.md "Windowing" for the rules.
import type { SensorReading, SignalWindow } from '../types.ts';
import { checkWindowOptions, type WindowOptions } from './options.ts';
import { appendSample, findRow, newSensorWindow, rowEquals, type SensorWindowState } from './sensor-window.ts';

/**
 * accepted: buffered (and maybe already released into windows);
 * duplicate: same sensor, timestamp and values as one already seen: dropped;
 * conflict: same sensor and timestamp, different values: dropped, the first kept;
 * late: older than the sensor's watermark or than a sample already released.
 */
export type PushOutcome = 'accepted' | 'duplicate' | 'conflict' | 'late';

export interface WindowerStats {
  accepted: number;
  duplicates: number;
  conflicts: number;
  late: number;
  /** Samples carried forward into gaps. */
  filled: number;
  /** Windows in progress dropped at a gap (gapPolicy reset, or a gap > maxGapSamples). */
  resets: number;
  windows: number;
}

interface Pending {
  timestamp: number;
  values: number[];
  bad: boolean;
}

interface SensorState {
  pending: Pending[];
  maxSeen: number;
  window: SensorWindowState;
}

export interface Windower {
  /** Adds one validated reading; windows it completes are appended to `out`. */
  push(reading: SensorReading, out: SignalWindow[]): PushOutcome;
  /** Releases every buffered sample (end of input / shutdown); completed windows go to `out`. Partial windows are not emitted. */
  flush(out: SignalWindow[]): void;
  stats(): Readonly<WindowerStats>;
  /** Sensors seen so far. */
  sensorCount(): number;
  /** Samples held in reorder buffers (not yet released). */
  buffered(): number;
}

function sameValues(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Index of the first pending sample with timestamp >= t. */
function lowerBound(pending: Pending[], t: number): number {
  let lo = 0;
  let hi = pending.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((pending[mid] as Pending).timestamp < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function createWindower(options: WindowOptions): Windower {
  const o = checkWindowOptions({ ...options, channels: [...options.channels] });
  const sensors = new Map<string, SensorState>();
  const stats: WindowerStats = { accepted: 0, duplicates: 0, conflicts: 0, late: 0, filled: 0, resets: 0, windows: 0 };

  function release(s: SensorState, watermark: number, out: SignalWindow[]): void {
    const before = out.length;
    let n = 0;
    const p = s.pending;
    while (n < p.length && (p[n] as Pending).timestamp <= watermark) {
      const item = p[n] as Pending;
      appendSample(s.window, o, item.timestamp, item.values, item.bad, stats, out);
      n++;
    }
    if (n > 0) p.splice(0, n);
    stats.windows += out.length - before;
  }

  return {
    push(reading, out) {
      const t = reading.timestamp;
      let s = sensors.get(reading.sensorId);
      if (s === undefined) {
        s = { pending: [], maxSeen: Number.NEGATIVE_INFINITY, window: newSensorWindow(reading.sensorId, o) };
        sensors.set(reading.sensorId, s);
      }
      if (t <= s.window.lastTime) {
        // Its place is already released: a duplicate of a sample still in the
        // ring, or late.
        const row = findRow(s.window, t);
        if (row >= 0) {
          if (rowEquals(s.window, row, reading.values)) {
            stats.duplicates++;
            return 'duplicate';
          }
          stats.conflicts++;
          return 'conflict';
        }
        stats.late++;
        return 'late';
      }
      if (t < s.maxSeen - o.allowedLatenessMs) {
        stats.late++;
        return 'late';
      }
      const p = s.pending;
      const bad = reading.quality === 'bad';
      const last = p[p.length - 1];
      if (last === undefined || t > last.timestamp) {
        p.push({ timestamp: t, values: reading.values, bad });
      } else {
        const i = lowerBound(p, t);
        const at = p[i];
        if (at !== undefined && at.timestamp === t) {
          if (sameValues(at.values, reading.values)) {
            stats.duplicates++;
            return 'duplicate';
          }
          stats.conflicts++;
          return 'conflict';
        }
        p.splice(i, 0, { timestamp: t, values: reading.values, bad });
      }
      stats.accepted++;
      if (t > s.maxSeen) s.maxSeen = t;
      release(s, s.maxSeen - o.allowedLatenessMs, out);
      return 'accepted';
    },
    flush(out) {
      for (const s of sensors.values()) release(s, Number.POSITIVE_INFINITY, out);
    },
    stats: () => ({ ...stats }),
    sensorCount: () => sensors.size,
    buffered() {
      let n = 0;
      for (const s of sensors.values()) n += s.pending.length;
      return n;
    },
  };
}

/** Offline helper (trainer --synthetic, eval, bench): every window of a finite stream, flushed at the end. */
export function windowsFromReadings(readings: Iterable<SensorReading>, options: WindowOptions): { windows: SignalWindow[]; stats: WindowerStats } {
  const w = createWindower(options);
  const windows: SignalWindow[] = [];
  for (const r of readings) w.push(r, windows);
  w.flush(windows);
  return { windows, stats: { ...w.stats() } };
}
