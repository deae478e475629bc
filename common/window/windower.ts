// THE windowing implementation (house style 2): ingest, trainer, scorer and
// eval all cut windows with this. Pure: event time only, no clock, no Kafka.
//
// Per sensor: a reorder buffer sorted by event time; the sensor's watermark is
// its newest event time minus allowedLatenessMs, and buffered samples at or
// before the watermark are released, in order, to the window assembler
// (sensor-window.ts). See schemas/README.md "Windowing" for the rules.
import type { SensorReading, SignalWindow } from '../types.ts';
import { checkWindowOptions, type WindowOptions } from './options.ts';
import { appendSample, findRow, newSensorWindow, oldestNeededRow, rowEquals, type SensorWindowState } from './sensor-window.ts';

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
  position: number;
}

/** A window in progress dropped at a gap (gapPolicy reset or a gap > maxGapSamples). */
export interface GapReset {
  sensorId: string;
  /** Event time of the sample after the gap and the gap before it, ms. */
  at: number;
  gapMs: number;
  /** Samples of the dropped run (they may have been in earlier windows). */
  dropped: number;
  /** The windowing the gap was measured against: the sensor type's (sensorTypes) or the top-level one. */
  samplePeriodMs: number;
  maxGapSamples: number;
  /** The sensor's type, when its windower has one (WindowOptions.sensorType). */
  sensorType?: string;
}

interface SensorState {
  /** Reorder buffer, sorted by event time: pending[head..] (released samples before head are dropped in bulk). */
  pending: Pending[];
  head: number;
  /** True while pending[head..] holds non-decreasing positions (input in event-time order): its oldest position is pending[head]'s. */
  inOrder: boolean;
  maxSeen: number;
  window: SensorWindowState;
}

export interface Windower {
  /**
   * Adds one validated reading; windows it completes are appended to `out`.
   * `position` (e.g. the Kafka offset) is where the reading came from; see oldestNeeded.
   */
  push(reading: SensorReading, out: SignalWindow[], position?: number): PushOutcome;
  /**
   * The smallest position of a reading still needed to cut the coming windows
   * (held in a reorder buffer, in the unfinished next window, or the last
   * sample a gap fill would carry), or Infinity when none is. Input before it
   * can be given up: replaying from it cuts the same windows.
   */
  oldestNeeded(): number;
  /**
   * Closes sensors silent for more than `idleMs` of event time before `now`
   * (event time too, e.g. the newest reading of the partition): their buffered
   * samples are released into `out` and their state dropped, so they stop
   * holding back oldestNeeded. Their next reading starts a fresh window.
   */
  closeIdle(now: number, idleMs: number, out: SignalWindow[]): number;
  /** The resets since the last call (for a warning that names the sensor and the gap). */
  takeResets(): GapReset[];
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

/** Index of the first pending sample from `from` on with timestamp >= t. */
function lowerBound(pending: Pending[], from: number, t: number): number {
  let lo = from;
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

  let resets: GapReset[] = [];
  /** What a reset was measured against, as the operator configured it. */
  const measure = { samplePeriodMs: o.samplePeriodMs, maxGapSamples: o.maxGapSamples, ...(o.sensorType === undefined ? {} : { sensorType: o.sensorType }) };

  function release(s: SensorState, watermark: number, out: SignalWindow[]): void {
    const before = out.length;
    const p = s.pending;
    let n = s.head;
    while (n < p.length && (p[n] as Pending).timestamp <= watermark) {
      const item = p[n] as Pending;
      const gap = appendSample(s.window, o, item.timestamp, item.values, item.bad, item.position, stats, out);
      if (gap !== null && resets.length < 1000) resets.push({ sensorId: s.window.sensorId, at: item.timestamp, gapMs: gap.gapMs, dropped: gap.dropped, ...measure });
      n++;
    }
    if (n === p.length) {
      // all released: start afresh (no copy)
      p.length = 0;
      s.head = 0;
      s.inOrder = true;
    } else if (n > 32 && n * 2 > p.length) {
      // released samples are dropped in bulk, not one splice per reading
      p.splice(0, n);
      s.head = 0;
    } else s.head = n;
    stats.windows += out.length - before;
  }

  return {
    push(reading, out, position = Number.NaN) {
      const t = reading.timestamp;
      let s = sensors.get(reading.sensorId);
      if (s === undefined) {
        s = { pending: [], head: 0, inOrder: true, maxSeen: Number.NEGATIVE_INFINITY, window: newSensorWindow(reading.sensorId, o) };
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
      const last = p.length > s.head ? p[p.length - 1] : undefined;
      if (last === undefined || t > last.timestamp) {
        // NaN (no position) or a smaller one than the last: the oldest position is no longer at the head
        if (last !== undefined ? !(position >= last.position) : Number.isNaN(position)) s.inOrder = false;
        p.push({ timestamp: t, values: reading.values, bad, position });
      } else {
        s.inOrder = false;
        const i = lowerBound(p, s.head, t);
        const at = p[i];
        if (at !== undefined && at.timestamp === t) {
          if (sameValues(at.values, reading.values)) {
            stats.duplicates++;
            return 'duplicate';
          }
          stats.conflicts++;
          return 'conflict';
        }
        p.splice(i, 0, { timestamp: t, values: reading.values, bad, position });
      }
      stats.accepted++;
      if (t > s.maxSeen) s.maxSeen = t;
      release(s, s.maxSeen - o.allowedLatenessMs, out);
      return 'accepted';
    },
    flush(out) {
      for (const s of sensors.values()) release(s, Number.POSITIVE_INFINITY, out);
    },
    oldestNeeded() {
      let oldest = Number.POSITIVE_INFINITY;
      for (const s of sensors.values()) {
        const p = s.pending;
        if (s.inOrder) {
          const first = p[s.head];
          if (first !== undefined && first.position < oldest) oldest = first.position;
        } else for (let i = s.head; i < p.length; i++) if ((p[i] as Pending).position < oldest) oldest = (p[i] as Pending).position;
        const row = oldestNeededRow(s.window, o);
        if (row < oldest) oldest = row;
      }
      return oldest;
    },
    closeIdle(now, idleMs, out) {
      let closed = 0;
      for (const [id, s] of sensors) {
        if (!(s.maxSeen < now - idleMs)) continue;
        release(s, Number.POSITIVE_INFINITY, out);
        sensors.delete(id);
        closed++;
      }
      return closed;
    },
    takeResets() {
      const taken = resets;
      resets = [];
      return taken;
    },
    stats: () => ({ ...stats }),
    sensorCount: () => sensors.size,
    buffered() {
      let n = 0;
      for (const s of sensors.values()) n += s.pending.length - s.head;
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
