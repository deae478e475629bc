// Threshold dry run: re-decide an already-scored history (eval's history/
// files) with other threshold or hysteresis settings, without re-scoring, and
// compare alerts per day and precision/recall before and after. The settings
// come from a config-shaped YAML holding only `thresholds` and `scorer`
// sections, merged over the configuration the backtest ran with. Fault rules
// are not re-evaluated (the history keeps each window's verdict, not its samples).
import type { Config } from '../common/config/types.ts';
import { SensorwatchError } from '../common/errors.ts';
import { calibrateAll, type ThresholdSource } from '../common/calibration/thresholds.ts';
import { faultCodes, type FaultCode } from '../common/decision/decide.ts';
import type { WindowExtremes } from '../common/calibration/ranges.ts';
import { addCounts, countPoints, figures, noCounts, type Counts } from './metrics.ts';
import { replayDecisions, windowForRows, type ScoredWindow } from './replay.ts';
import { spanDays } from './summary.ts';

export interface History {
  sensorId: string;
  /** Each model's windows [fromWindow, toWindow) and its threshold source. */
  segments: Array<{ fromWindow: number; toWindow: number; thresholds: ThresholdSource }>;
  windows: ScoredWindow[];
  rowTimes: number[];
  /** What window ends are compared with (row times, or row numbers with spacing 'rows'). */
  rowKeys: number[];
  labels: number[] | null;
}

/** Reads the JSON written by write.ts historyJson (windows as [seq, start, end, error, fault, step, stepMax, extremes]; older files lack the last three). */
export function parseHistory(text: string, where: string): History {
  const raw = JSON.parse(text) as {
    sensorId: string;
    segments: History['segments'];
    windows: Array<[number, number, number, number | null, string | null, (number | null)?, (number | null)?, (Array<Array<number | null>> | null)?]>;
    channels?: string[] | null;
    rowTimes: number[];
    rowKeys: number[];
    labels: number[] | null;
  };
  if (typeof raw.sensorId !== 'string' || !Array.isArray(raw.windows) || !Array.isArray(raw.rowKeys) || !Array.isArray(raw.segments)) {
    throw new SensorwatchError(`${where}: not an eval history file (sensorId, segments, windows, rowKeys expected)`, { code: 'eval_bad_input' });
  }
  const finite = (v: number | null | undefined, or: number): number => (typeof v === 'number' ? v : or);
  const channels = raw.channels ?? null;
  // JSON writes NaN as null.
  const values = (a: Array<number | null> | undefined): number[] => (a ?? []).map((v) => (typeof v === 'number' ? v : Number.NaN));
  const extremesOf = (x: Array<Array<number | null>> | null | undefined): WindowExtremes | undefined =>
    channels === null || x === null || x === undefined ? undefined : { channels, low: values(x[0]), high: values(x[1] ?? x[0]) };
  const windows = raw.windows.map(([seq, start, end, error, fault, step, stepMax, extremes]) => ({
    seq,
    start,
    end,
    error: finite(error, Number.NaN),
    step: finite(step, finite(error, Number.NaN)),
    stepMax: finite(stepMax, finite(error, Number.NaN)),
    fault: fault === null ? null : { fault: faultCodes.includes(fault as FaultCode) ? (fault as FaultCode) : 'missing', channels: [], detail: 'from history' },
    ...(extremesOf(extremes) === undefined ? {} : { extremes: extremesOf(extremes) as WindowExtremes }),
  }));
  return { sensorId: raw.sensorId, segments: raw.segments, windows, rowTimes: raw.rowTimes, rowKeys: raw.rowKeys, labels: raw.labels };
}

export interface Outcome {
  /**
   * The level of the reported error that opens an alert at the first scored window, as report.md's
   * threshold column (the first model's threshold for the raw-error methods; the likelihood's level
   * from its estimate with `likelihood`); NaN when no window was scored.
   */
  threshold: number;
  alerts: number;
  alertsPerDay: number | null;
  precision: number | null;
  recall: number | null;
  flaggedRows: number;
  /** Point counts (labelled files), for pooling over sensors. */
  counts: Counts | null;
  days: number | null;
}

/** True when the model-wide threshold settings differ (per-sensor overrides aside). */
export function globalThresholdsChanged(a: Config['thresholds'], b: Config['thresholds']): boolean {
  const keys = ['method', 'quantile', 'multiplier', 'k', 'potInitialQuantile', 'potRisk', 'value'] as const;
  return keys.some((k) => a[k] !== b[k]) || JSON.stringify(a.likelihood) !== JSON.stringify(b.likelihood);
}

/**
 * The decision path of the scorer, replayed on the history with `config`'s
 * settings. A model-wide threshold change takes effect in the service at the
 * next training, which calibrates on held-out errors: `recalibrate` does that
 * calibration now on the stored held-out errors. Per-sensor overrides apply
 * at once, as in the scorer (resolveThreshold).
 */
export function reDecide(h: History, config: Pick<Config, 'scorer' | 'thresholds' | 'windowing'>, options: { recalibrate: boolean } = { recalibrate: false }): Outcome {
  const segments = h.segments.map((seg) => {
    if (!options.recalibrate) return seg;
    const { errors } = seg.thresholds.calibration;
    const { perSensor: _overrides, ...global } = config.thresholds;
    const fresh = calibrateAll(errors, errors.map(() => h.sensorId), global);
    return { ...seg, thresholds: { thresholds: { model: fresh.model, perSensor: fresh.perSensor }, calibration: seg.thresholds.calibration } };
  });
  const times = new Map(h.rowKeys.map((k, i) => [k, h.rowTimes[i] as number]));
  const replay = replayDecisions({ sensorId: h.sensorId, windows: h.windows, segments, config, timeOf: (key) => times.get(key) ?? key });
  // Read off the replay, like report.md's column: with `likelihood` no calibrated threshold exists
  // (resolveThreshold is the raw-error methods'), and the column stayed empty.
  const threshold = replay.thresholds.find(Number.isFinite) ?? Number.NaN;
  const rowWindow = windowForRows(h.rowKeys, h.windows.map((w) => w.end));
  const flags = Array.from(rowWindow, (w) => (w < 0 ? 0 : (replay.open[w] as number) | (replay.faultOpen[w] as number)));
  const days = spanDays(h.rowTimes);
  const counts = h.labels === null ? null : countPoints(flags, h.labels);
  const f = counts === null ? null : figures(counts, { events: 0, detected: 0, delayRows: 0, delayMs: 0 });
  return {
    threshold,
    alerts: replay.anomalyAlerts,
    alertsPerDay: days === null ? null : replay.anomalyAlerts / days,
    precision: f?.precision ?? null,
    recall: f?.recall ?? null,
    flaggedRows: flags.reduce((a, b) => a + b, 0),
    counts,
    days,
  };
}

const allowedSections = new Set(['thresholds', 'scorer']);

/** The what-if file's sections, checked: only thresholds and scorer may change without re-scoring. */
export function checkWhatIfSections(raw: unknown, where: string): Record<string, unknown> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new SensorwatchError(`${where}: expected a mapping with 'thresholds' and/or 'scorer' sections`, { code: 'eval_bad_input' });
  }
  const extra = Object.keys(raw).filter((k) => !allowedSections.has(k));
  if (extra.length > 0) {
    throw new SensorwatchError(`${where}: section(s) ${extra.join(', ')} cannot be tried on scored history (only thresholds and scorer); run a new backtest for model or windowing changes`, { code: 'eval_bad_input' });
  }
  return raw as Record<string, unknown>;
}

/** Deep merge of plain objects (arrays and scalars replaced). */
export function deepMerge(base: unknown, over: unknown): unknown {
  if (typeof base !== 'object' || base === null || Array.isArray(base)) return over;
  if (typeof over !== 'object' || over === null || Array.isArray(over)) return over;
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [k, v] of Object.entries(over)) out[k] = k in out ? deepMerge(out[k], v) : v;
  return out;
}

const fmt = (v: number | null, digits: number): string => (v === null ? '–' : v.toFixed(digits));
const level = (v: number): string => (Number.isFinite(v) ? v.toPrecision(3) : '–');

/** All sensors together: alerts per day over the summed days, precision/recall from the summed counts. */
export function pooledOutcome(outcomes: readonly Outcome[]): Outcome {
  const alerts = outcomes.reduce((s, o) => s + o.alerts, 0);
  const days = outcomes.reduce((s, o) => s + (o.days ?? 0), 0);
  const labelled = outcomes.filter((o) => o.counts !== null);
  const counts = labelled.length === 0 ? null : labelled.reduce((c, o) => addCounts(c, o.counts as Counts), noCounts);
  const f = counts === null ? null : figures(counts, { events: 0, detected: 0, delayRows: 0, delayMs: 0 });
  return {
    threshold: Number.NaN,
    alerts,
    alertsPerDay: days > 0 ? alerts / days : null,
    precision: f?.precision ?? null,
    recall: f?.recall ?? null,
    flaggedRows: outcomes.reduce((s, o) => s + o.flaggedRows, 0),
    counts,
    days: days > 0 ? days : null,
  };
}

export function whatIfTable(rows: Array<{ sensor: string; before: Outcome; after: Outcome }>): string {
  const lines = ['| sensor | threshold | alerts/day | precision | recall |', '| --- | --- | --- | --- | --- |'];
  const all = { sensor: `all ${rows.length} sensors`, before: pooledOutcome(rows.map((r) => r.before)), after: pooledOutcome(rows.map((r) => r.after)) };
  for (const { sensor, before: b, after: a } of [...rows, all]) {
    lines.push(
      `| ${sensor} | ${sensor === all.sensor ? '(per sensor)' : `${level(b.threshold)} → ${level(a.threshold)}`} | ${fmt(b.alertsPerDay, 2)} → ${fmt(a.alertsPerDay, 2)} | ${fmt(b.precision, 3)} → ${fmt(a.precision, 3)} | ${fmt(b.recall, 3)} → ${fmt(a.recall, 3)} |`,
    );
  }
  return `${lines.join('\n')}\n`;
}
