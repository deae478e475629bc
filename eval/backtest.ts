// One file's backtest through the streaming code path: the shared windower
// (common/window), the trainer's training loop and threshold calibration
// (common/model/train.ts), the scorer's scoring maths (scoreWindows), per-
// sensor policy (scorer/overrides.ts), fault rules and decide() (replay.ts).
//
// Protocol: rows [0, trainRows) train the first model and calibrate its
// threshold (or, with `trainOn`, a separate series does and every row is
// scored). Every window ending in the scored part is scored (hop 1), so
// each scored row has the window ending at it (see replay.ts for the row
// rule). With `retrainEvery`, the trainer's schedule is replayed in rows: every
// that many scored rows a new model is trained on the windows ending in the
// last `lookback` rows (without windows whose row was flagged, when
// trainer.excludeAlerted is set, as the trainer does), and the scorer goes on
// with it, its alert state carried over as in a hot reload. A retraining left
// with fewer than minTrainingWindows windows is skipped (the model stays).
import type { Config } from '../common/config/types.ts';
import { scoreWindows } from '../common/model/score.ts';
import type { ThresholdSource } from '../common/model/thresholds.ts';
import type { LoadedModel } from '../common/model/artifact.ts';
import { minTrainingWindows, trainModel } from '../common/model/train.ts';
import type { SignalWindow } from '../common/types.ts';
import { createWindower } from '../common/window/index.ts';
import { detectFault } from '../common/decision/faults.ts';
import { newSampleExtremes } from '../common/decision/novelty.ts';
import { mergePolicy } from '../common/decision/policy.ts';
import { replayDecisions, windowForRows, type Replay, type ScoredWindow } from './replay.ts';
import type { Series } from './series.ts';

/** A model's stretch of the scored windows: [fromWindow, toWindow) and its threshold source. */
export interface ModelSegment {
  fromWindow: number;
  toWindow: number;
  thresholds: ThresholdSource;
  trainWindows: number;
  valLoss: number;
  epochs: number;
}

/** What a backtest keeps of one file: enough to write outputs, compute metrics and replay (what-if). */
export interface SeriesResult {
  name: string;
  trainRows: number;
  /** The scored part (rows trainRows … n−1). */
  timestamps: number[];
  /** What window ends are compared with: row times, or row numbers with spacing 'rows'. */
  rowKeys: number[];
  timeText: string[];
  labels: Uint8Array | null;
  /** Per scored row: the error its window was judged on (NaN: no window yet). */
  errors: Float64Array;
  /** Per scored row: the level of that error that opens an alert (NaN: no window yet). */
  thresholds: Float64Array;
  /** Per scored row: the score in [0, 1] (NaN: no window yet). */
  scores: Float64Array;
  /** Per scored row: the score where an anomaly alert opened at the row's window (a detection), else 0. */
  detections: Float64Array;
  /** Per scored row: 1 where any alert (anomaly or sensor_fault) is open. */
  flags: Uint8Array;
  /** Per scored row: which alerts are open: 0 none, 1 anomaly, 2 sensor_fault, 3 both. */
  kinds: Uint8Array;
  anomalyAlerts: number;
  faultAlerts: number;
  /** The scored windows and the models that scored them: the history that --what-if replays. */
  windows: ScoredWindow[];
  segments: ModelSegment[];
  model: { kind: string; models: number; trainWindows: number; valLoss: number; epochs: number; trainSeconds: number; backend: string };
  windowerStats: { duplicates: number; conflicts: number; late: number; filled: number; resets: number };
}

export interface BacktestOptions {
  /** The tfjs backend in use, recorded with the model. */
  backend: string;
  /** Stride between training windows. */
  trainHop: number;
  /** 'time': rows are placed by event time (gaps filled or reset as in the service); 'rows': consecutive rows are consecutive samples. */
  spacing: 'time' | 'rows';
  /** Scored rows between retrainings; 0: the first model scores everything. */
  retrainEvery: number;
  /** Rows of history a retraining sees (ending at the retraining point). */
  lookback: number;
  /** Train the first model on this series instead of the first trainRows rows (--train-data); then every row is scored. */
  trainOn?: Series;
}

/** Median time between consecutive rows: the file's sample period for gap detection. */
export function medianStep(timestamps: readonly number[]): number {
  const steps: number[] = [];
  for (let i = 1; i < timestamps.length; i++) steps.push((timestamps[i] as number) - (timestamps[i - 1] as number));
  steps.sort((a, b) => a - b);
  const m = steps[Math.floor(steps.length / 2)] ?? 1;
  return m > 0 ? m : 1;
}

/** Every hop-1 window of the series, cut by the shared windower, keyed by `keys` (row times or row numbers). */
export function cutWindows(series: Series, keys: readonly number[], config: Config): { windows: SignalWindow[]; stats: SeriesResult['windowerStats'] } {
  const windower = createWindower({
    channels: series.channels,
    length: config.windowing.length,
    hop: 1,
    // A history file has its own rate; its median step measures its gaps.
    samplePeriodMs: medianStep(keys),
    // Files are sorted (rows out of order are dropped as late, as in a stream).
    allowedLatenessMs: 0,
    gapPolicy: config.windowing.gapPolicy,
    maxGapSamples: config.windowing.maxGapSamples,
  });
  const windows: SignalWindow[] = [];
  const C = series.channels.length;
  keys.forEach((timestamp, r) => {
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

/** Scored-row boundaries where a model takes over: [trainRows, trainRows + every, …]. */
export function retrainPoints(trainRows: number, rows: number, every: number): number[] {
  const points = [trainRows];
  if (every > 0) for (let p = trainRows + every; p < rows; p += every) points.push(p);
  return points;
}

const scoreBatch = 2048;

export async function backtestSeries(series: Series, trainRows: number, config: Config, options: BacktestOptions): Promise<SeriesResult> {
  const n = series.timestamps.length;
  const keysOf = (s: Series): number[] => (options.spacing === 'rows' ? s.timestamps.map((_, i) => i) : s.timestamps);
  const keys = keysOf(series);
  const { windows, stats } = cutWindows(series, keys, config);
  // The row each window ends at (the last row at or before its end).
  const endRow = windowForRows(windows.map((w) => w.end), keys);
  // Eval scores every window (hop 1): the decision's per-step error and lengths are per sample.
  const policy = mergePolicy(config, series.name, 1);
  const separate = options.trainOn === undefined ? null : cutWindows(options.trainOn, keysOf(options.trainOn), config).windows;
  const firstScored = windows.findIndex((_, i) => (endRow[i] as number) >= trainRows);
  const scored = firstScored < 0 ? [] : windows.slice(firstScored);
  const scoredEndRow = firstScored < 0 ? [] : Array.from(endRow.subarray(firstScored));

  const history: ScoredWindow[] = [];
  const segments: ModelSegment[] = [];
  const rowFlag = new Uint8Array(n);
  const points = retrainPoints(trainRows, n, options.retrainEvery);
  let trainSeconds = 0;
  let kind: string = config.model.kind;
  let models = 0;
  let current: { model: LoadedModel; source: ThresholdSource; trainWindows: number; valLoss: number; epochs: number } | null = null;
  let w = 0;
  try {
    for (let p = 0; p < points.length; p++) {
      const from = points[p] as number;
      const to = points[p + 1] ?? n;
      const lookFrom = p === 0 ? 0 : Math.max(0, from - options.lookback);
      const pool =
        p === 0 && separate !== null
          ? separate
          : windows.filter((_, i) => {
              const r = endRow[i] as number;
              // The trainer leaves out windows that raised alerts (trainer.excludeAlerted).
              return r >= lookFrom && r < from && !(config.trainer.excludeAlerted && rowFlag[r] === 1);
            });
      const picked = trainingWindows(pool, options.trainHop, config.trainer.maxWindows);
      // Like the trainer, a retraining with too little clean data is skipped and the current model stays.
      if (current === null || picked.length >= minTrainingWindows) {
        const { model, meta } = await trainModel({ windows: picked, config: config.model, thresholds: policy.thresholds, modelKey: series.name, version: p + 1, backend: options.backend, stepSamples: 1 });
        current?.model.dispose();
        current = {
          model,
          source: { thresholds: meta.thresholds, calibration: meta.calibration },
          trainWindows: meta.dataRange.trainWindows,
          valLoss: meta.metrics.valLoss,
          epochs: meta.metrics.epochs,
        };
        trainSeconds += meta.metrics.trainSeconds;
        kind = meta.kind;
        models++;
      }
      const start = w;
      while (w < scored.length && (scoredEndRow[w] as number) < to) w++;
      const batch = scored.slice(start, w);
      for (let i = 0; i < batch.length; i += scoreBatch) {
        const part = batch.slice(i, i + scoreBatch);
        const channels = current.model.meta.channels;
        scoreWindows(current.model, part, { stepSamples: 1 }).forEach((s, k) => {
          const win = part[k] as SignalWindow;
          const extremes = newSampleExtremes(win, channels, 1);
          history.push({ seq: win.seq, start: win.start, end: win.end, error: s.error, step: s.step, stepMax: s.stepMax, fault: detectFault(win, policy.faults), extremes });
        });
      }
      segments.push({ fromWindow: start, toWindow: w, thresholds: current.source, trainWindows: current.trainWindows, valLoss: current.valLoss, epochs: current.epochs });
      // Decisions so far (the alert state runs on across model reloads), for the next exclusion.
      if (config.trainer.excludeAlerted && p + 1 < points.length) {
        const open = excludedRows(replayDecisions(series.name, history, segments, policy), config.trainer.maxExcludeMs, series.timestamps, scoredEndRow);
        open.forEach((o, i) => {
          rowFlag[scoredEndRow[i] as number] = o;
        });
      }
    }
  } finally {
    current?.model.dispose();
  }

  const replay = replayDecisions(series.name, history, segments, policy);
  const rowKeys = keys.slice(trainRows);
  const rowWindow = windowForRows(rowKeys, history.map((x) => x.end));
  const m = rowKeys.length;
  const errors = new Float64Array(m);
  const thresholds = new Float64Array(m);
  const scores = new Float64Array(m);
  const flags = new Uint8Array(m);
  const kinds = new Uint8Array(m);
  const detections = new Float64Array(m);
  rowWindow.forEach((i, r) => {
    // A detection belongs to the first row its window reaches.
    if (i >= 0 && replay.opened[i] === 1 && rowWindow[r - 1] !== i) detections[r] = replay.scores[i] as number;
    errors[r] = i < 0 ? Number.NaN : (replay.errors[i] as number);
    thresholds[r] = i < 0 ? Number.NaN : (replay.thresholds[i] as number);
    scores[r] = i < 0 ? Number.NaN : (replay.scores[i] as number);
    kinds[r] = i < 0 ? 0 : (replay.open[i] as number) + 2 * (replay.faultOpen[i] as number);
    flags[r] = kinds[r] === 0 ? 0 : 1;
  });
  return {
    name: series.name,
    trainRows,
    timestamps: series.timestamps.slice(trainRows),
    rowKeys,
    timeText: series.timeText.slice(trainRows),
    labels: series.labels === null ? null : series.labels.slice(trainRows),
    errors,
    thresholds,
    scores,
    detections,
    flags,
    kinds,
    anomalyAlerts: replay.anomalyAlerts,
    faultAlerts: replay.faultAlerts,
    windows: history,
    segments,
    model: {
      kind,
      models,
      trainWindows: segments[0]?.trainWindows ?? 0,
      valLoss: segments[0]?.valLoss ?? Number.NaN,
      epochs: segments[0]?.epochs ?? 0,
      trainSeconds,
      backend: options.backend,
    },
    windowerStats: stats,
  };
}

/**
 * Per scored window: 1 where the trainer would leave it out (trainer.excludeAlerted): its
 * anomaly alert is open and opened at most maxExcludeMs (event time) before.
 */
function excludedRows(replay: Replay, maxExcludeMs: number, times: readonly number[], endRow: readonly number[]): Uint8Array {
  const out = new Uint8Array(replay.open.length);
  let openedAt = Number.NaN;
  replay.open.forEach((o, i) => {
    const t = times[endRow[i] as number] as number;
    if (o === 0) openedAt = Number.NaN;
    else if (Number.isNaN(openedAt)) openedAt = t;
    out[i] = o === 1 && t - openedAt <= maxExcludeMs ? 1 : 0;
  });
  return out;
}
