// What a per-file plot shows (PlotInput), built in one place from a backtest's
// SeriesResult and its input Series (plotInputOf). plot.ts draws a PlotInput
// and knows nothing of backtests: when the score column changes (a calibrated
// score with a decision level), only plotInputOf changes.
import type { SeriesResult } from './backtest.ts';
import type { Series } from './series.ts';

export type AlertKind = 'anomaly' | 'sensor_fault';

/** A stretch of rows, [from, to] inclusive, in the units of PlotInput.times. */
export interface PlotSpan {
  from: number;
  to: number;
}

export interface PlotChannel {
  name: string;
  /** One value per row (NaN: no value). */
  values: ArrayLike<number>;
}

export interface PlotInput {
  title: string;
  /** Per row: ms since the epoch (timeKind 'time') or the row number ('row'). Non-decreasing. */
  times: ArrayLike<number>;
  timeKind: 'time' | 'row';
  /** The signal, drawn above the score: at most maxPlotChannels, the most telling first. */
  channels: PlotChannel[];
  /** Which channels were chosen and why, when not all are shown, e.g. '6 of 38 channels, …'. */
  channelNote: string | null;
  /** One value per row (NaN: not scored yet). */
  score: ArrayLike<number>;
  /** What the score is, e.g. 'reconstruction error' or 'anomaly score (calibrated)'. */
  scoreLabel: string;
  scoreScale: 'log' | 'linear';
  /** The level the score is compared with to open an alert: one for all rows, or one per row (retrained models, an adaptive threshold). */
  level: number | ArrayLike<number>;
  levelLabel: string;
  /** Alert spans by kind: the runs of rows with that kind of alert open (alertRuns). */
  alerts: Array<PlotSpan & { kind: AlertKind }>;
  /** Distinct alerts (ids) by kind, as report.md counts them: a crossing within the hold-off is an alert of its own (it `follows` the one before), so each alert is one span. */
  alertCounts: Record<AlertKind, number>;
  /** Labelled (ground-truth) anomalies, when the file has labels. */
  labels: PlotSpan[];
  /** A line under the title, e.g. the model and the counts. */
  subtitle: string;
}

export const maxPlotChannels = 6;

/** Pure: [from, to] index runs where flag(i) holds. */
export function runsOf(n: number, flag: (i: number) => boolean): Array<[number, number]> {
  const runs: Array<[number, number]> = [];
  let start = -1;
  for (let i = 0; i < n; i++) {
    if (flag(i)) {
      if (start < 0) start = i;
    } else if (start >= 0) {
      runs.push([start, i - 1]);
      start = -1;
    }
  }
  if (start >= 0) runs.push([start, n - 1]);
  return runs;
}

/**
 * Pure: which channels to draw when there are more than `max`: those that
 * deviate most from the training rows (largest |z| against each channel's
 * training mean and spread) on the rows where an alert was open, or on all
 * scored rows when none was. Returns channel indexes, most deviating first.
 */
export function telltaleChannels(options: { channels: number; max: number; train: (c: number) => ArrayLike<number>; scored: (c: number) => ArrayLike<number>; focus: (row: number) => boolean }): number[] {
  const all = Array.from({ length: options.channels }, (_, c) => c);
  if (options.channels <= options.max) return all;
  const deviation = all.map((c) => {
    const train = Array.from(options.train(c)).filter(Number.isFinite);
    const mean = train.reduce((a, v) => a + v, 0) / Math.max(1, train.length);
    const sd = Math.sqrt(train.reduce((a, v) => a + (v - mean) ** 2, 0) / Math.max(1, train.length)) || 1;
    const scored = options.scored(c);
    let focused = 0;
    let any = 0;
    for (let r = 0; r < scored.length; r++) {
      const v = scored[r] as number;
      if (!Number.isFinite(v)) continue;
      const z = Math.abs(v - mean) / sd;
      if (z > any) any = z;
      if (options.focus(r) && z > focused) focused = z;
    }
    return { c, focused, any };
  });
  const anyFocus = deviation.some((d) => d.focused > 0);
  return deviation
    .sort((a, b) => (anyFocus ? b.focused - a.focused || b.any - a.any : b.any - a.any) || a.c - b.c)
    .slice(0, options.max)
    .map((d) => d.c);
}

/**
 * Pure: the runs of scored rows with an alert of `kind` open: the plot's spans, and what
 * report.md counts beside the alerts. Each alert id is open over one run of windows (a crossing
 * within scorer.hysteresis.holdOffSamples is a new alert that follows the resolved one, AnomalyAlert
 * v4), so the two agree unless rows skip windows (an alert between two rows has no span; two alerts
 * with no row between them share one) or windows were not judged (they split an alert's span).
 */
export function alertRuns(r: Pick<SeriesResult, 'kinds'>, kind: AlertKind): Array<[number, number]> {
  const bit = kind === 'anomaly' ? 1 : 2;
  return runsOf(r.kinds.length, (i) => ((r.kinds[i] as number) & bit) !== 0);
}

/** Pure: why an alert count and its span count differ, or null when they agree (said the same way in report.md and the plot). */
export function spansNote(alerts: number, spans: number): string | null {
  if (alerts === spans) return null;
  const n = `${spans} ${spans === 1 ? 'span' : 'spans'}`;
  return spans > alerts ? `${n}: windows not judged split an alert's span` : `${n}: an alert that opened and resolved between two rows has no span, and alerts with no row between them share one`;
}

/** Pure: true when the rows have no time column (the times are the row numbers). */
export function timesAreRows(r: Pick<SeriesResult, 'trainRows' | 'timestamps' | 'timeText'>): boolean {
  return r.timestamps.every((t, i) => t === r.trainRows + i && r.timeText[i] === String(t));
}

/**
 * The one builder: a backtest's scored rows as a plot. The score is the
 * calibrated score in [0, 1] against the level that opens an alert (the lowest
 * severity band); anomaly and sensor-fault spans are the rows with that kind of
 * alert open (r.kinds).
 */
export function plotInputOf(series: Series, r: SeriesResult, openLevel: number): PlotInput {
  const n = r.errors.length;
  const C = series.channels.length;
  const column = (c: number, from: number, to: number): Float64Array => {
    const out = new Float64Array(Math.max(0, to - from));
    for (let i = from; i < to; i++) out[i - from] = series.values[i * C + c] as number;
    return out;
  };
  const faultRow = (i: number): boolean => ((r.kinds[i] as number) & 2) !== 0;
  const anomalyRow = (i: number): boolean => ((r.kinds[i] as number) & 1) !== 0;
  const chosen = telltaleChannels({
    channels: C,
    max: maxPlotChannels,
    train: (c) => column(c, 0, r.trainRows),
    scored: (c) => column(c, r.trainRows, r.trainRows + n),
    focus: (i) => anomalyRow(i) || faultRow(i),
  });
  const times = r.timestamps;
  const span = ([a, b]: [number, number]): PlotSpan => ({ from: times[a] as number, to: times[b] as number });
  return {
    title: r.name,
    times,
    timeKind: timesAreRows(r) ? 'row' : 'time',
    channels: chosen.map((c) => ({ name: series.channels[c] as string, values: column(c, r.trainRows, r.trainRows + n) })),
    channelNote: chosen.length < C ? `${chosen.length} of ${C} channels: those deviating most from the training rows (|z|) while an alert was open` : null,
    score: r.scores,
    scoreLabel: 'anomaly score (calibrated)',
    scoreScale: 'linear',
    level: openLevel,
    levelLabel: 'alert level',
    alerts: [
      ...alertRuns(r, 'anomaly').map((run) => ({ ...span(run), kind: 'anomaly' as const })),
      ...alertRuns(r, 'sensor_fault').map((run) => ({ ...span(run), kind: 'sensor_fault' as const })),
    ],
    alertCounts: { anomaly: r.anomalyAlerts, sensor_fault: r.faultAlerts },
    labels: r.labels === null ? [] : runsOf(n, (i) => r.labels?.[i] === 1).map(span),
    subtitle: `model ${r.model.kind} (${r.model.models} trained, ${r.model.backend}) · ${n} scored rows after ${r.trainRows} training rows · ${r.anomalyAlerts} anomaly alerts, ${r.faultAlerts} sensor-fault alerts`,
  };
}
