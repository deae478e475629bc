// Output files (the I/O edge): per-file CSV, plot and replayable history,
// NAB-format result files, metrics.json and the Markdown report.
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { WindowExtremes } from '../common/calibration/ranges.ts';
import type { SeriesResult } from './backtest.ts';
import { plotHtml } from './plot.ts';
import { plotInputOf } from './plot-input.ts';
import type { Series } from './series.ts';

export const outputPaths = {
  series: (out: string, name: string): string => join(out, 'series', name),
  plot: (out: string, name: string): string => join(out, 'plots', `${name}.html`),
  history: (out: string, name: string): string => join(out, 'history', `${name}.json`),
  nab: (out: string, detector: string, name: string): string => join(out, 'nab', detector, dirname(name), `${detector}_${basename(name)}`),
  metrics: (out: string): string => join(out, 'metrics.json'),
  report: (out: string): string => join(out, 'report.md'),
  run: (out: string): string => join(out, 'run.json'),
};

function put(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

const round = (v: number): number | null => (Number.isFinite(v) ? Number(v.toPrecision(7)) : null);
const num = (v: number): string => (Number.isFinite(v) ? String(Number(v.toPrecision(7))) : '');

const alertNames = ['', 'anomaly', 'sensor_fault', 'anomaly+sensor_fault'];

/**
 * One CSV row per scored input row: timestamp, score (calibrated, [0, 1]), threshold (the score
 * that opens an alert), is_anomaly (1 where any alert is open), label, alert (the open alerts'
 * kinds), error (the reported error, the alert's reconstructionError: the whole window's unless
 * thresholds.likelihood.error is step) and error_threshold (its level that opens).
 */
export function seriesCsv(r: SeriesResult, openScore: number): string {
  const lines = ['timestamp,score,threshold,is_anomaly,label,alert,error,error_threshold'];
  for (let i = 0; i < r.errors.length; i++) {
    const label = r.labels === null ? '' : String(r.labels[i]);
    const scored = Number.isFinite(r.scores[i] as number);
    lines.push(
      `${r.timeText[i]},${num(r.scores[i] as number)},${scored ? num(openScore) : ''},${r.flags[i]},${label},${alertNames[r.kinds[i] as number] ?? ''},${num(r.errors[i] as number)},${num(r.thresholds[i] as number)}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** NAB's results format: every row of the file, anomaly_score in [0, 1] where an alert opens (0 elsewhere and on training rows). */
export function nabResultCsv(series: Series, r: SeriesResult): string {
  const lines = ['timestamp,value,anomaly_score,label'];
  const C = series.channels.length;
  for (let i = 0; i < series.timestamps.length; i++) {
    const k = i - r.trainRows;
    // The detections (the calibrated score where an anomaly alert opens): what eval's NAB score is.
    const score = k < 0 ? 0 : (r.detections[k] as number);
    lines.push(`${series.timeText[i]},${series.values[i * C]},${num(score)},${series.labels?.[i] ?? 0}`);
  }
  return `${lines.join('\n')}\n`;
}

function extremesJson(x: WindowExtremes | undefined): number[][] | null {
  if (x === undefined) return null;
  return x.low.every((v, c) => Object.is(v, x.high[c])) ? [x.low] : [x.low, x.high];
}

/** What --what-if replays: the scored windows and the threshold source. */
export function historyJson(r: SeriesResult): string {
  return JSON.stringify({
    sensorId: r.name,
    trainRows: r.trainRows,
    segments: r.segments.map(({ fromWindow, toWindow, thresholds }) => ({ fromWindow, toWindow, thresholds })),
    // The new samples' extremes per channel: [low] when low and high agree (one new sample, as in eval), else [low, high].
    channels: r.windows.find((w) => w.extremes !== undefined)?.extremes?.channels ?? null,
    windows: r.windows.map((w) => [w.seq, w.start, w.end, round(w.error), w.fault?.fault ?? null, round(w.step), round(w.stepMax), extremesJson(w.extremes)]),
    rowTimes: r.timestamps,
    rowKeys: r.rowKeys,
    labels: r.labels === null ? null : Array.from(r.labels),
  });
}

export function writeSeriesOutputs(out: string, series: Series, r: SeriesResult, options: { nabDetector: string | null; plots: boolean; openScore: number }): void {
  put(outputPaths.series(out, r.name), seriesCsv(r, options.openScore));
  put(outputPaths.history(out, r.name), historyJson(r));
  if (options.plots) {
    put(outputPaths.plot(out, r.name), plotHtml(plotInputOf(series, r, options.openScore)));
  }
  if (options.nabDetector !== null) put(outputPaths.nab(out, options.nabDetector, r.name), nabResultCsv(series, r));
}

export function writeJson(path: string, value: unknown): void {
  // Infinity (a threshold that flags nothing) has no JSON form: written as null.
  put(path, `${JSON.stringify(value, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2)}\n`);
}

export function writeText(path: string, text: string): void {
  put(path, text);
}
