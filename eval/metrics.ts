// Detection-quality figures on the scored rows. Point-wise counts are pooled
// over files (no point-adjust: a detector is not credited for a whole event
// because one row of it was flagged). Event-wise: an event is a run of
// labelled rows; it is detected when any of its rows is flagged, and its
// delay is from its first row to the first flagged row in it. Recovery: for an
// event whose last row is inside an open alert, the time from that row to the
// alert's close (the first unflagged row after it; never, if the data ends
// first), and the normal rows in between: the alert outliving the anomaly
// (causal: the flags are the alerts as they were decided). Pure.
import { labelledEvents } from './series.ts';

export interface Counts {
  tp: number;
  fp: number;
  fn: number;
  tn: number;
}

export interface EventCounts {
  events: number;
  detected: number;
  /** Sums over detected events, for pooling. */
  delayRows: number;
  delayMs: number;
}

export interface RecoveryCounts {
  /** Labelled events whose last row is inside an open alert. */
  openAtEnd: number;
  /** Of those, the ones whose alert closed before the data ended, and the sums of their close times. */
  closed: number;
  closeRows: number;
  closeMs: number;
  /** Longest close time of those (ms). */
  maxCloseMs: number;
  /** Normal rows after an event's end inside the alert still open from it (up to its close or the data's end). */
  tailRows: number;
  /** Normal rows inside an open sensor_fault alert (an anomaly alert may be open too); absent: not counted. */
  faultRows?: number;
}

export interface QualityFigures extends Counts {
  precision: number | null;
  recall: number | null;
  f1: number | null;
  /** False alarm rate: % of normal rows flagged. */
  far: number | null;
  /** Missed alarm rate: % of anomalous rows not flagged. */
  mar: number | null;
  events: number;
  eventsDetected: number;
  eventRecall: number | null;
  meanDetectionDelayRows: number | null;
  meanDetectionDelaySeconds: number | null;
  /** % of normal rows inside an open alert (= far, by its operator's name). */
  normalInAlertsPct: number | null;
  /** % of normal rows inside an alert still open from a labelled anomaly that has ended (part of normalInAlertsPct). */
  normalInAlertsAfterAnomalyPct: number | null;
  /** % of normal rows inside an open sensor_fault alert (part of normalInAlertsPct; an anomaly alert may be open too). */
  normalInFaultAlertsPct: number | null;
  /** Events whose alert was still open at their end, how many of those alerts closed before the data ended, and the mean and longest time from the end to the close (s). */
  openAtAnomalyEnd: number;
  closedAfterAnomalyEnd: number;
  meanCloseAfterEndSeconds: number | null;
  maxCloseAfterEndSeconds: number | null;
}

export function countPoints(flags: ArrayLike<number>, labels: ArrayLike<number>): Counts {
  const c = { tp: 0, fp: 0, fn: 0, tn: 0 };
  for (let i = 0; i < labels.length; i++) {
    const f = flags[i] === 1;
    if (labels[i] === 1) {
      if (f) c.tp++;
      else c.fn++;
    } else if (f) c.fp++;
    else c.tn++;
  }
  return c;
}

export function countEvents(flags: ArrayLike<number>, labels: ArrayLike<number>, timestamps: ArrayLike<number>): EventCounts {
  const out = { events: 0, detected: 0, delayRows: 0, delayMs: 0 };
  for (const [a, b] of labelledEvents(labels)) {
    out.events++;
    for (let i = a; i <= b; i++) {
      if (flags[i] === 1) {
        out.detected++;
        out.delayRows += i - a;
        out.delayMs += (timestamps[i] as number) - (timestamps[a] as number);
        break;
      }
    }
  }
  return out;
}

export function countRecovery(flags: ArrayLike<number>, labels: ArrayLike<number>, timestamps: ArrayLike<number>): RecoveryCounts {
  const out = { openAtEnd: 0, closed: 0, closeRows: 0, closeMs: 0, maxCloseMs: 0, tailRows: 0 };
  for (const [, b] of labelledEvents(labels)) {
    if (flags[b] !== 1) continue;
    out.openAtEnd++;
    let i = b + 1;
    // The alert open at the event's end runs on until the first unflagged row; the normal rows it holds are its tail.
    while (i < labels.length && flags[i] === 1) {
      if (labels[i] !== 1) out.tailRows++;
      i++;
    }
    if (i >= labels.length) continue;
    const ms = (timestamps[i] as number) - (timestamps[b] as number);
    out.closed++;
    out.closeRows += i - b;
    out.closeMs += ms;
    out.maxCloseMs = Math.max(out.maxCloseMs, ms);
  }
  return out;
}

/** The recovery counts with the normal rows inside an open sensor_fault alert: `kinds` per row, 0 none, 1 anomaly, 2 sensor_fault, 3 both (eval's SeriesResult.kinds). */
export function withFaultRows(rec: RecoveryCounts, kinds: ArrayLike<number>, labels: ArrayLike<number>): RecoveryCounts {
  let faultRows = 0;
  for (let i = 0; i < labels.length; i++) if (labels[i] !== 1 && ((kinds[i] as number) & 2) !== 0) faultRows++;
  return { ...rec, faultRows };
}

export function addRecovery(a: RecoveryCounts, b: RecoveryCounts): RecoveryCounts {
  const out: RecoveryCounts = { openAtEnd: a.openAtEnd + b.openAtEnd, closed: a.closed + b.closed, closeRows: a.closeRows + b.closeRows, closeMs: a.closeMs + b.closeMs, maxCloseMs: Math.max(a.maxCloseMs, b.maxCloseMs), tailRows: a.tailRows + b.tailRows };
  if (a.faultRows !== undefined || b.faultRows !== undefined) out.faultRows = (a.faultRows ?? 0) + (b.faultRows ?? 0);
  return out;
}

export const noRecovery: RecoveryCounts = { openAtEnd: 0, closed: 0, closeRows: 0, closeMs: 0, maxCloseMs: 0, tailRows: 0 };

const ratio = (num: number, den: number): number | null => (den === 0 ? null : num / den);

export function figures(c: Counts, e: EventCounts, rec: RecoveryCounts = noRecovery): QualityFigures {
  const precision = ratio(c.tp, c.tp + c.fp);
  const recall = ratio(c.tp, c.tp + c.fn);
  const f1 = precision === null || recall === null ? null : precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  const far = ratio(100 * c.fp, c.fp + c.tn);
  const mar = ratio(100 * c.fn, c.tp + c.fn);
  const delayMs = ratio(e.delayMs, e.detected);
  return {
    ...c,
    precision,
    recall,
    f1,
    far,
    mar,
    events: e.events,
    eventsDetected: e.detected,
    eventRecall: ratio(e.detected, e.events),
    meanDetectionDelayRows: ratio(e.delayRows, e.detected),
    meanDetectionDelaySeconds: delayMs === null ? null : delayMs / 1000,
    normalInAlertsPct: far,
    normalInAlertsAfterAnomalyPct: ratio(100 * rec.tailRows, c.fp + c.tn),
    normalInFaultAlertsPct: rec.faultRows === undefined ? null : ratio(100 * rec.faultRows, c.fp + c.tn),
    openAtAnomalyEnd: rec.openAtEnd,
    closedAfterAnomalyEnd: rec.closed,
    meanCloseAfterEndSeconds: rec.closed === 0 ? null : rec.closeMs / rec.closed / 1000,
    maxCloseAfterEndSeconds: rec.closed === 0 ? null : rec.maxCloseMs / 1000,
  };
}

export function addCounts(a: Counts, b: Counts): Counts {
  return { tp: a.tp + b.tp, fp: a.fp + b.fp, fn: a.fn + b.fn, tn: a.tn + b.tn };
}

export function addEvents(a: EventCounts, b: EventCounts): EventCounts {
  return { events: a.events + b.events, detected: a.detected + b.detected, delayRows: a.delayRows + b.delayRows, delayMs: a.delayMs + b.delayMs };
}

export const noCounts: Counts = { tp: 0, fp: 0, fn: 0, tn: 0 };
export const noEvents: EventCounts = { events: 0, detected: 0, delayRows: 0, delayMs: 0 };
