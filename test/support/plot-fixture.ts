// A synthetic backtest result for the plot tests: a SeriesResult and its
// Series, 4 channels at 5-minute steps over three days, a level shift on one
// channel (anomaly alert), a flatline on another (sensor fault), labels.
import type { SeriesResult } from '../../eval/backtest.ts';
import type { ScoredWindow } from '../../eval/replay.ts';
import type { Series } from '../../eval/series.ts';

export function plotFixture(options: { channels?: number; rows?: number } = {}): { series: Series; result: SeriesResult } {
  const C = options.channels ?? 4;
  const n = options.rows ?? 864;
  const trainRows = Math.floor(n / 3);
  const t0 = Date.parse('2026-02-14T00:00:00Z');
  const step = 5 * 60_000;
  const timestamps = Array.from({ length: n }, (_, i) => t0 + i * step);
  const values: number[] = [];
  const shift = [Math.floor(n * 0.55), Math.floor(n * 0.6)] as const;
  const flat = [Math.floor(n * 0.8), Math.floor(n * 0.83)] as const;
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < C; c++) {
      let v = 10 * (c + 1) + Math.sin((i / 288) * 2 * Math.PI + c) * (c + 1) + Math.sin(i * 7.3 + c * 1.7) * 0.3;
      if (c === C - 1 && i >= shift[0] && i <= shift[1]) v += 4 * C;
      if (c === 0 && i >= flat[0] && i <= flat[1]) v = 10;
      values.push(v);
    }
  }
  const m = n - trainRows;
  const rowKeys = timestamps.slice(trainRows);
  const windows: ScoredWindow[] = rowKeys.map((end, k) => {
    const i = trainRows + k;
    const inShift = i >= shift[0] && i <= shift[1] + 4;
    const inFlat = i >= flat[0] + 8 && i <= flat[1];
    const error = (inShift ? 2.5 : 0.02) * (1 + 0.5 * Math.sin(i * 1.3));
    return { seq: k, start: end - 16 * step, end, error, step: error, stepMax: error, fault: inFlat ? { fault: 'flatline', channels: ['ch1'], detail: 'ch1 flat' } : null };
  });
  const errors = Float64Array.from(windows, (w) => w.error);
  const thresholds = Float64Array.from(windows, (_, k) => (k < m / 2 ? 0.3 : 0.25));
  const anomaly = Uint8Array.from(windows, (w, k) => (w.error > (thresholds[k] as number) ? 1 : 0));
  const kinds = Uint8Array.from(windows, (w, k) => (anomaly[k] as number) + (w.fault === null ? 0 : 2));
  const flags = Uint8Array.from(kinds, (k) => (k === 0 ? 0 : 1));
  const scores = Float64Array.from(windows, (w, k) => w.error / (w.error + (thresholds[k] as number)));
  const labels = Uint8Array.from(rowKeys, (_, k) => (trainRows + k >= shift[0] - 5 && trainRows + k <= shift[1] + 5 ? 1 : 0));
  const series: Series = {
    name: 'fixture/pump-7.csv',
    timestamps,
    timeText: timestamps.map((t) => new Date(t).toISOString()),
    channels: Array.from({ length: C }, (_, c) => `ch${c + 1}`),
    values,
    labels: null,
    filledCells: 0,
    outOfOrderRows: 0,
  };
  const result = {
    name: series.name,
    trainRows,
    timestamps: timestamps.slice(trainRows),
    rowKeys,
    timeText: series.timeText.slice(trainRows),
    labels,
    errors,
    thresholds,
    scores,
    detections: Float64Array.from(kinds, (k, i) => ((k & 1) === 1 && ((kinds[i - 1] ?? 0) & 1) === 0 ? (scores[i] as number) : 0)),
    flags,
    kinds,
    anomalyAlerts: 1,
    faultAlerts: 1,
    windows,
    segments: [],
    model: { kind: 'dae', models: 1, firstModelRow: 200, skipped: 0, rejected: 0, trainWindows: 200, valLoss: 0.01, epochs: 10, trainSeconds: 1, backend: 'cpu' },
    windowerStats: { duplicates: 0, conflicts: 0, late: 0, filled: 0, resets: 0 },
  } satisfies SeriesResult;
  return { series, result };
}
