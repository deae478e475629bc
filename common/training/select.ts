// Training data selection (pure): drop repeated windows (sensor and seq, the
// first copy kept) and windows that overlap an alert, split
// the rest by model key, keep the newest maxWindows of each. The trainer
// service and eval's backtest both select with it.
import type { Config } from '../config/types.ts';
import { typeConfig, typeNames } from '../config/sensor-types.ts';
import { modelKeyFor, modelKeyOf, typeOfModelKey, windowTypeProblem } from '../model/keys.ts';
import type { AnomalyAlert, SignalWindow } from '../types.ts';
import type { VerdictRuling } from './verdicts.ts';

export type Interval = [from: number, to: number];

/**
 * Event-time intervals per sensor during which an alert was open (open → resolve,
 * an unresolved alert runs on), each cut at `maxMs` after its opening so that a
 * long-open alert cannot keep a model from learning a new level, plus every
 * alerted window itself.
 */
export function alertIntervals(alerts: readonly AnomalyAlert[], maxMs: number | ((sensorId: string) => number) = Number.POSITIVE_INFINITY): Map<string, Interval[]> {
  const capOf = typeof maxMs === 'number' ? (): number => maxMs : maxMs;
  const out = new Map<string, Interval[]>();
  const open = new Map<string, number>();
  const sorted = [...alerts].sort((a, b) => a.windowStart - b.windowStart);
  for (const a of sorted) {
    const list = out.get(a.sensorId) ?? [];
    out.set(a.sensorId, list);
    list.push([a.windowStart, a.windowEnd]);
    const id = `${a.sensorId}\u0000${a.alertId}`;
    if (a.state === 'open' && !open.has(id)) open.set(id, a.windowStart);
    if (a.state === 'resolve') {
      const from = open.get(id) ?? a.windowStart;
      list.push([from, Math.min(a.windowEnd, from + capOf(a.sensorId))]);
      open.delete(id);
    }
  }
  for (const [id, from] of open) {
    const sensorId = id.split('\u0000')[0] ?? '';
    out.get(sensorId)?.push([from, from + capOf(sensorId)]);
  }
  return out;
}

export interface SelectOptions {
  alerts: readonly AnomalyAlert[];
  excludeAlerted: boolean;
  /** Longest an alert excludes training data after it opened (scorer.newNormalAfter in ms, per sensor where a function; Infinity: until it resolves). */
  maxExcludeMs?: number | ((sensorId: string) => number);
  groups: Readonly<Record<string, readonly string[]>>;
  maxWindows: number;
  /** Operators' verdicts: a window one covers is included or excluded as it says, whatever the alerts (verdicts.ts verdictRulings). */
  verdicts?: (w: SignalWindow) => VerdictRuling | null;
  /**
   * Sensor types: the model key of a window, or null to leave it out (a type no
   * longer defined, a sensor moved to another type, another layout); see
   * trainingKeyOf. Default: the model.groups key (the implicit single type).
   */
  keyOf?: (w: SignalWindow) => string | null;
}

export interface Selection {
  byKey: Map<string, SignalWindow[]>;
  excludedAlerted: number;
  /** Windows an operator's verdict took in (false_positive, new_normal) or kept out (confirmed). */
  verdictIncluded: number;
  verdictExcluded: number;
  /** Windows seen before (same sensor and seq: an ingest restart cuts a window again); the first copy is kept. */
  duplicates: number;
  droppedOverMax: number;
  /** Windows left out by keyOf (their type or layout is not the config's any more). */
  otherType: number;
}

export function selectTrainingWindows(windows: readonly SignalWindow[], options: SelectOptions): Selection {
  const intervals = options.excludeAlerted ? alertIntervals(options.alerts, options.maxExcludeMs) : new Map<string, Interval[]>();
  const byKey = new Map<string, SignalWindow[]>();
  let excludedAlerted = 0;
  let verdictIncluded = 0;
  let verdictExcluded = 0;
  let duplicates = 0;
  let otherType = 0;
  const seen = new Set<string>();
  for (const w of windows) {
    const id = `${w.sensorId}\u0000${w.seq}`;
    if (seen.has(id)) {
      duplicates++;
      continue;
    }
    seen.add(id);
    const hit = intervals.get(w.sensorId)?.some(([from, to]) => w.start <= to && w.end >= from) ?? false;
    const ruling = options.verdicts?.(w) ?? null;
    if (ruling === 'exclude') {
      verdictExcluded++;
      continue;
    }
    if (hit && ruling === null) {
      excludedAlerted++;
      continue;
    }
    if (hit) verdictIncluded++;
    const key = options.keyOf === undefined ? modelKeyFor(w.sensorId, options.groups) : options.keyOf(w);
    if (key === null) {
      otherType++;
      continue;
    }
    const list = byKey.get(key) ?? [];
    byKey.set(key, list);
    list.push(w);
  }
  let droppedOverMax = 0;
  for (const [key, list] of byKey) {
    if (list.length <= options.maxWindows) continue;
    list.sort((a, b) => a.start - b.start);
    droppedOverMax += list.length - options.maxWindows;
    byKey.set(key, list.slice(list.length - options.maxWindows));
  }
  return { byKey, excludedAlerted, verdictIncluded, verdictExcluded, duplicates, droppedOverMax, otherType };
}

/** The trainer's keyOf under a config: a window's model key by its type, or null when its type or layout is not the config's (windowTypeProblem). */
export function trainingKeyOf(config: Config): (w: SignalWindow) => string | null {
  return (w) => (windowTypeProblem(config, w) === null ? modelKeyOf(config, w.sensorType ?? 'default', w.sensorId) : null);
}

/**
 * The config a model key trains with: its type's merged config (model,
 * thresholds, trainer.minWindows …), the config itself for the implicit type.
 * A key of no type (a type removed) gets the top-level config.
 */
export function trainingConfigFor(config: Config, modelKey: string): Config {
  const type = typeOfModelKey(config, modelKey);
  return type === undefined ? config : typeConfig(config, type);
}

/** trainer.minWindows per model key (its type's). */
export function minWindowsOf(config: Config): (modelKey: string) => number {
  return (modelKey) => trainingConfigFor(config, modelKey).trainer.minWindows;
}

/** The fewest windows any type needs for its first model (the first-model watch looks once the topic holds this many). */
export function smallestMinWindows(config: Config): number {
  return Math.min(...typeNames(config).map((t) => typeConfig(config, t).trainer.minWindows));
}
