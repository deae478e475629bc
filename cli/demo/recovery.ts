// How the demo's alerts close once the anomalies are over: pure. Two figures,
// both in event time and over the time scoring has run:
// - the share of normal time inside open alerts: every sensor's time since
//   scoring began, less its labelled anomalies (each widened after its end by
//   `slackMs`, since a window that ends just after an anomaly still holds it),
//   and of that the part when one of its alerts (anomaly or sensor fault) was
//   open, from the window that opened it to the one that resolved it (still
//   open: up to `now`);
// - for each anomaly counted (ended after scoring began) whose sensor had an
//   alert open at its end: the time from its end to that alert's close, or
//   still open.
// A recovery (the simulator's new operating point after some anomalies) shows
// here: an alert that never learns the new point stays open in normal time.
import type { AlertState, InjectedAnomaly } from '../../common/types.ts';

export interface AlertEvent {
  alertId: string;
  sensorId: string;
  state: AlertState;
  windowEnd: number;
}

export interface RecoveryFigures {
  /** Normal sensor-time since scoring began and the part of it inside open alerts (ms), and that share (null before any). */
  normalMs: number;
  normalInAlertsMs: number;
  normalInAlerts: number | null;
  /** Counted anomalies whose sensor had an alert open at their end; of those, the alerts closed since, the mean and longest time to the close (ms), and the ones still open. */
  openAtEnd: number;
  closed: number;
  meanCloseMs: number | null;
  maxCloseMs: number | null;
  stillOpen: number;
}

type Interval = [number, number];

/** Each alert's open interval per sensor: open to resolve (open ones up to `now`). */
export function alertIntervals(events: readonly AlertEvent[], now: number): Map<string, Interval[]> {
  const opened = new Map<string, AlertEvent>();
  const out = new Map<string, Interval[]>();
  const add = (sensor: string, iv: Interval): void => {
    out.set(sensor, [...(out.get(sensor) ?? []), iv]);
  };
  for (const e of events) {
    if (e.state === 'open' && !opened.has(e.alertId)) opened.set(e.alertId, e);
    if (e.state === 'resolve') {
      const o = opened.get(e.alertId);
      if (o === undefined) continue;
      opened.delete(e.alertId);
      add(e.sensorId, [o.windowEnd, e.windowEnd]);
    }
  }
  for (const o of opened.values()) add(o.sensorId, [o.windowEnd, Number.POSITIVE_INFINITY]);
  for (const list of out.values()) for (const iv of list) iv[1] = Math.min(iv[1], Math.max(now, iv[0]));
  return out;
}

/** Total length of the union of intervals, clipped to [from, to]. */
function unionLength(intervals: readonly Interval[], from: number, to: number): number {
  const clipped = intervals.map(([a, b]): Interval => [Math.max(a, from), Math.min(b, to)]).filter(([a, b]) => b > a).sort((x, y) => x[0] - y[0]);
  let total = 0;
  let end = Number.NEGATIVE_INFINITY;
  for (const [a, b] of clipped) {
    const start = Math.max(a, end);
    if (b > start) total += b - start;
    end = Math.max(end, b);
  }
  return total;
}

/** The part of `a` outside every interval of `b` (both unions), clipped to [from, to]. */
function lengthOutside(a: readonly Interval[], b: readonly Interval[], from: number, to: number): number {
  return unionLength(a, from, to) - overlapLength(a, b, from, to);
}

function overlapLength(a: readonly Interval[], b: readonly Interval[], from: number, to: number): number {
  const pieces: Interval[] = [];
  for (const [a0, a1] of a) for (const [b0, b1] of b) if (Math.min(a1, b1) > Math.max(a0, b0)) pieces.push([Math.max(a0, b0), Math.min(a1, b1)]);
  return unionLength(pieces, from, to);
}

export function recoveryFigures(events: readonly AlertEvent[], labels: readonly InjectedAnomaly[], opts: { sensors: number; scoringSince: number; now: number; slackMs: number }): RecoveryFigures {
  const { scoringSince, now, slackMs } = opts;
  const open = alertIntervals(events, now);
  const labelled = new Map<string, Interval[]>();
  for (const l of labels) labelled.set(l.sensorId, [...(labelled.get(l.sensorId) ?? []), [l.start, l.end + slackMs]]);
  const span = Math.max(0, now - scoringSince);
  let labelledMs = 0;
  for (const list of labelled.values()) labelledMs += unionLength(list, scoringSince, now);
  let inAlerts = 0;
  for (const [sensor, list] of open) inAlerts += lengthOutside(list, labelled.get(sensor) ?? [], scoringSince, now);
  const normalMs = Math.max(0, opts.sensors * span - labelledMs);
  const closes: number[] = [];
  let openAtEnd = 0;
  let stillOpen = 0;
  for (const l of labels) {
    if (l.end < scoringSince || l.end > now) continue;
    const iv = (open.get(l.sensorId) ?? []).find(([a, b]) => a <= l.end && b > l.end);
    if (iv === undefined) continue;
    openAtEnd++;
    if (iv[1] >= now) stillOpen++;
    else closes.push(iv[1] - l.end);
  }
  return {
    normalMs,
    normalInAlertsMs: inAlerts,
    normalInAlerts: normalMs === 0 ? null : inAlerts / normalMs,
    openAtEnd,
    closed: closes.length,
    meanCloseMs: closes.length === 0 ? null : closes.reduce((s, x) => s + x, 0) / closes.length,
    maxCloseMs: closes.length === 0 ? null : Math.max(...closes),
    stillOpen,
  };
}
