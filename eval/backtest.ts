// One file's backtest through the streaming code path: the shared windower
// (common/window), the trainer's training loop and threshold calibration
// (common/model/train.ts), the scorer's scoring maths (scoreWindows), per-
// sensor policy (scorer/overrides.ts), fault rules and decide() (replay.ts).
//
// Protocol: rows [0, trainRows) train and calibrate; every window ending in
// the scored part is scored (hop 1), so each scored row has the window ending
// at it (see replay.ts for the row rule).
import type { Config } from '../common/config/types.ts';
import { scoreWindows } from '../common/model/score.ts';
import type { ThresholdSource } from '../common/model/thresholds.ts';
import { resolveThreshold } from '../common/model/thresholds.ts';
import { trainModel } from '../common/model/train.ts';
import type { SignalWindow } from '../common/types.ts';
import { createWindower } from '../common/window/index.ts';
import { detectFault } from '../scorer/faults.ts';
import { mergePolicy } from '../scorer/overrides.ts';
import { replayDecisions, windowForRows, type ScoredWindow } from './replay.ts';
import type { Series } from './series.ts';

/** What a backtest keeps of one file: enough to write outputs, compute metrics and replay (what-if). */
export interface SeriesResult {
  name: string;
  trainRows: number;
  /** The scored part (rows trainRows … n−1). */
  timestamps: number[];
  timeText: string[];
  labels: Uint8Array | null;
  /** Per scored row: reconstruction error of its window (NaN: no window yet). */
  errors: Float64Array;
  threshold: number;
  flags: Uint8Array;
  anomalyAlerts: number;
  faultAlerts: number;
  /** The scored windows and the threshold source: the history that --what-if replays. */
  windows: ScoredWindow[];
  thresholds: ThresholdSource;
  model: { kind: string; trainWindows: number; valWindows: number; epochs: number; valLoss: number; trainSeconds: number; backend: string };
  windowerStats: { duplicates: number; conflicts: number; late: number; filled: number; resets: number };
}

/** Median time between consecutive rows: the file's sample period for gap detection. */
export function medianStep(timestamps: readonly number[]): number {
  const steps: number[] = [];
  for (let i = 1; i < timestamps.length; i++) steps.push((timestamps[i] as number) - (timestamps[i - 1] as number));
  steps.sort((a, b) => a - b);
  const m = steps[Math.floor(steps.length / 2)] ?? 1;
  return m > 0 ? m : 1;
}

/** Every hop-1 window of the series, cut by the shared windower. */
export function cutWindows(series: Series, config: Config): { windows: SignalWindow[]; stats: SeriesResult['windowerStats'] } {
  const windower = createWindower({
    channels: series.channels,
    length: config.windowing.length,
    hop: 1,
    // A history file has its own rate; its median step measures its gaps.
    samplePeriodMs: medianStep(series.timestamps),
    // Files are sorted (the reader checks), so nothing needs to wait for late rows.
    allowedLatenessMs: 0,
    gapPolicy: config.windowing.gapPolicy,
    maxGapSamples: config.windowing.maxGapSamples,
  });
  const windows: SignalWindow[] = [];
  const C = series.channels.length;
  series.timestamps.forEach((timestamp, r) => {
    windower.push({ sensorId: series.name, timestamp, values: series.values.slice(r * C, (r + 1) * C), quality: null }, windows);
  });
  windower.flush(windows);
  const { duplicates, conflicts, late, filled, resets } = windower.stats();
  return { windows, stats: { duplicates, conflicts, late, filled, resets } };
}

/** Every `hop`-th window, then evenly thinned to at most `max`. */
export function trainingWindows(windows: readonly SignalWindow[], hop: number, max: number): SignalWindow[] {
  const strided = windows.filter((_, i) => i % hop === 0);
  if (strided.length <= max) return strided;
  const step = strided.length / max;
  return Array.from({ length: max }, (_, i) => strided[Math.floor(i * step)] as SignalWindow);
}

const scoreBatch = 2048;

export interface BacktestOptions {
  /** The tfjs backend in use, recorded with the model. */
  backend: string;
  /** Stride between training windows. */
  trainHop: number;
}

export async function backtestSeries(series: Series, trainRows: number, config: Config, options: BacktestOptions): Promise<SeriesResult> {
  const { windows, stats } = cutWindows(series, config);
  const lastTrainTime = series.timestamps[trainRows - 1] as number;
  const train = windows.filter((w) => w.end <= lastTrainTime);
  const scored = windows.filter((w) => w.end > lastTrainTime);
  const policy = mergePolicy(config, series.name);
  const { model, meta } = await trainModel({
    windows: trainingWindows(train, options.trainHop, config.trainer.maxWindows),
    config: config.model,
    thresholds: policy.thresholds,
    modelKey: series.name,
    version: 1,
    backend: options.backend,
  });
  try {
    const errors: number[] = [];
    for (let i = 0; i < scored.length; i += scoreBatch) {
      for (const s of scoreWindows(model, scored.slice(i, i + scoreBatch))) errors.push(s.error);
    }
    const thresholds: ThresholdSource = { thresholds: meta.thresholds, calibration: meta.calibration };
    const threshold = resolveThreshold(thresholds, series.name, policy.thresholds).value;
    const history: ScoredWindow[] = scored.map((w, i) => ({ seq: w.seq, start: w.start, end: w.end, error: errors[i] as number, fault: detectFault(w, policy.faults) }));
    const replay = replayDecisions(series.name, history, threshold, policy);
    const timestamps = series.timestamps.slice(trainRows);
    const rowWindow = windowForRows(timestamps, history.map((w) => w.end));
    const rowErrors = new Float64Array(timestamps.length);
    const flags = new Uint8Array(timestamps.length);
    rowWindow.forEach((w, r) => {
      rowErrors[r] = w < 0 ? Number.NaN : (history[w] as ScoredWindow).error;
      flags[r] = w < 0 ? 0 : (replay.open[w] as number);
    });
    return {
      name: series.name,
      trainRows,
      timestamps,
      timeText: series.timeText.slice(trainRows),
      labels: series.labels === null ? null : series.labels.slice(trainRows),
      errors: rowErrors,
      threshold,
      flags,
      anomalyAlerts: replay.anomalyAlerts,
      faultAlerts: replay.faultAlerts,
      windows: history,
      thresholds,
      model: {
        kind: meta.kind,
        trainWindows: meta.dataRange.trainWindows,
        valWindows: meta.dataRange.valWindows,
        epochs: meta.metrics.epochs,
        valLoss: meta.metrics.valLoss,
        trainSeconds: meta.metrics.trainSeconds,
        backend: meta.backend,
      },
      windowerStats: stats,
    };
  } finally {
    model.dispose();
  }
}
