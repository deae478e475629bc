// Detection-quality figures on the scored rows. Point-wise counts are pooled
// over files (no point-adjust: a detector is not credited for a whole event
// because one row of it was flagged). Event-wise: an event is a run of
// labelled rows; it is detected when any of its rows is flagged, and its
// delay is from its first row to the first flagged row in it. Pure.
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

const ratio = (num: number, den: number): number | null => (den === 0 ? null : num / den);

export function figures(c: Counts, e: EventCounts): QualityFigures {
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
