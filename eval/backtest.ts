// One file's backtest through the streaming code path: the shared windower
// (common/window), the trainer's own training steps (common/training: window
// selection, alerted-data exclusion, the minimum trainer.minWindows, the
// quality gate), the scorer's scoring maths (scoreWindows) and the scorer's
// judge (common/decision/judge.ts: policy, faults, new extremes, decide).
//
// Protocol: rows [0, trainRows) train the first model and calibrate its
// threshold (or, with `trainOn`, a separate series does and every row is
// scored). Every window ending in the scored part is scored (hop 1), so
// each scored row has the window ending at it (see replay.ts for the row
// rule). Training windows are every `trainHop`-th window (the windows topic's
// hop), of which the trainer's selection keeps the newest trainer.maxWindows.
//
// Fewer than trainer.minWindows windows for the first model: as in the
// service, where the trainer trains the first model as soon as minWindows
// windows exist and the scorer holds the windows until a model arrives, the
// first model trains on the first minWindows windows, scored rows included,
// and then scores every scored row (model.firstModelRow says where it was
// trained). A file that never has minWindows windows gets no model: no
// scores, no alerts (model.models 0).
//
// With `retrainEvery`, the trainer's schedule is replayed in rows: every that
// many scored rows the trainer's retrain() runs on the windows ending in the
// last `lookback` rows, leaving out what the alerts so far cover (the
// trainer's alertIntervals, when trainer.excludeAlerted is set); a retraining
// with fewer than trainer.minWindows windows is skipped, and a candidate the
// quality gate rejects is dropped; either way the model in force stays. The
// scorer goes on with the model in force, its alert state carried over as in
// a hot reload.
//
// With `verdicts` (eval --verdicts), each is applied to the alert state before
// the first window ending after its time, and the retrainings select their
// windows by the verdicts given so far, as the trainer does.
import type { Config } from '../common/config/types.ts';
import type { LoadedModel } from '../common/model/artifact.ts';
import { scoreWindows } from '../common/model/score.ts';
import type { ThresholdSource } from '../common/calibration/thresholds.ts';
import { retrain } from '../common/training/retrain.ts';
import { selectTrainingWindows } from '../common/training/select.ts';
import { verdictRulings } from '../common/training/verdicts.ts';
import type { AlertVerdict, AnomalyAlert, SignalWindow } from '../common/types.ts';
import { verdictRecord, type EvalVerdict } from './verdicts.ts';
import { createWindower } from '../common/window/index.ts';
import { atHopOne, createReplayer, windowForRows, type ScoredWindow } from './replay.ts';
import { newNormalAfterMsOf } from '../common/decision/new-normal.ts';
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
  model: {
    kind: string;
    /** Models promoted (0: the file never had trainer.minWindows windows, and nothing was scored). */
    models: number;
    /** The row (of the whole file) after which the first model was trained: trainRows, later when the training rows held too few windows, null with no model. */
    firstModelRow: number | null;
    /** Retrainings skipped for want of trainer.minWindows windows, and candidates the quality gate rejected. */
    skipped: number;
    rejected: number;
    trainWindows: number;
    valLoss: number;
    epochs: number;
    trainSeconds: number;
    backend: string;
  };
  windowerStats: { duplicates: number; conflicts: number; late: number; filled: number; resets: number };
  /** With --verdicts: the verdicts applied (their `at` before the series' last window) and the alerts they resolved. */
  verdicts?: { applied: number; resolved: number };
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
  /** Operators' verdicts on this series (eval --verdicts, eval/verdicts.ts), each applied before the first window ending after its `at`. */
  verdicts?: readonly EvalVerdict[];
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

/** Scored-row boundaries where a model takes over: [trainRows, trainRows + every, …]. */
export function retrainPoints(trainRows: number, rows: number, every: number): number[] {
  const points = [trainRows];
  if (every > 0) for (let p = trainRows + every; p < rows; p += every) points.push(p);
  return points;
}

const scoreBatch = 2048;

export interface BacktestInput extends BacktestOptions {
  series: Series;
  /** Leading rows that train the first model (0 with trainOn). */
  trainRows: number;
  config: Config;
}

type InForce = { model: LoadedModel; source: ThresholdSource; trainWindows: number; valLoss: number; epochs: number };

export async function backtestSeries(input: BacktestInput): Promise<SeriesResult> {
  const { series, trainRows, config } = input;
  const n = series.timestamps.length;
  const keysOf = (s: Series): number[] => (input.spacing === 'rows' ? s.timestamps.map((_, i) => i) : s.timestamps);
  const keys = keysOf(series);
  const { windows, stats } = cutWindows(series, keys, config);
  // The row each window ends at (the last row at or before its end).
  const endRow = windowForRows(windows.map((w) => w.end), keys);
  // Eval scores every window: hop 1 for the scoring maths, the judge's policy and training's calibration alike.
  const evalConfig = atHopOne(config);
  const firstScored = windows.findIndex((_, i) => (endRow[i] as number) >= trainRows);
  const scored = firstScored < 0 ? [] : windows.slice(firstScored);
  const scoredEndRow = firstScored < 0 ? [] : Array.from(endRow.subarray(firstScored));
  // The windows a trainer sees: every trainHop-th, with the row each ends at.
  const onTopic = windows.map((w, i) => ({ w, row: endRow[i] as number })).filter((_, i) => i % input.trainHop === 0);
  const separate = input.trainOn === undefined ? null : cutWindows(input.trainOn, keysOf(input.trainOn), config).windows.filter((_, i) => i % input.trainHop === 0);
  const first = firstTraining({ before: separate ?? onTopic.filter((x) => x.row < trainRows).map((x) => x.w), after: onTopic.filter((x) => x.row >= trainRows), minWindows: config.trainer.minWindows, trainRows });
  // Window keys are row numbers with spacing 'rows': scorer.newNormalAfter (the trainer's exclusion, the likelihood's new normal) is in event time.
  const timeOf = (key: number): number => (input.spacing === 'rows' ? (series.timestamps[key] ?? key) : key);

  const replayer = createReplayer(series.name, evalConfig);
  const history: ScoredWindow[] = [];
  const segments: ModelSegment[] = [];
  const points = first === null ? [] : [trainRows, ...retrainPoints(trainRows, n, input.retrainEvery).filter((p) => p > first.atRow)];
  const tally = { trainSeconds: 0, models: 0, skipped: 0, rejected: 0, kind: config.model.kind as string };
  const held: { model: InForce | null } = { model: null };
  let w = 0;
  // Operators' verdicts: given in `at` order, each before the first window ending after it.
  const pendingVerdicts = [...(input.verdicts ?? [])].sort((a, b) => a.at - b.at || a.line - b.line);
  const given: AlertVerdict[] = [];
  const verdictTally = { applied: 0, resolved: 0 };
  const inTime = (alerts: readonly AnomalyAlert[]): AnomalyAlert[] => alerts.map((a) => ({ ...a, windowStart: timeOf(a.windowStart), windowEnd: timeOf(a.windowEnd) }));
  const giveVerdictsUpTo = (key: number): void => {
    while (pendingVerdicts.length > 0 && (pendingVerdicts[0] as EvalVerdict).at <= timeOf(key)) {
      const v = pendingVerdicts.shift() as EvalVerdict;
      const record = verdictRecord(v, inTime(replayer.events), replayer.openAlert());
      const out = replayer.verdict(record, { partition: 0, offset: String(v.line) });
      given.push(record);
      verdictTally.applied++;
      verdictTally.resolved += out.events.length;
    }
  };
  const train = async (pool: readonly SignalWindow[], alerts: readonly AnomalyAlert[]): Promise<void> => {
    const outcome = await retrain({
      modelKey: series.name,
      windows: selectForTraining({ pool, alerts, config: evalConfig, timeOf, verdicts: given }),
      config: evalConfig,
      current: held.model?.model ?? null,
      version: tally.models + 1,
      backend: input.backend,
    });
    if (outcome.outcome === 'skipped') {
      tally.skipped++;
      return;
    }
    tally.trainSeconds += outcome.trained.meta.metrics.trainSeconds;
    if (outcome.outcome === 'rejected') {
      tally.rejected++;
      outcome.trained.model.dispose();
      return;
    }
    const { model, meta } = outcome.trained;
    held.model?.model.dispose();
    held.model = { model, source: { thresholds: meta.thresholds, calibration: meta.calibration }, trainWindows: meta.dataRange.trainWindows, valLoss: meta.metrics.valLoss, epochs: meta.metrics.epochs };
    tally.kind = meta.kind;
    tally.models++;
  };
  try {
    for (let p = 0; p < points.length; p++) {
      const from = points[p] as number;
      const to = points[p + 1] ?? n;
      if (p === 0) {
        await train((first as FirstTraining).windows, []);
      } else {
        const lookFrom = Math.max(0, from - input.lookback);
        // The windows of the lookback, and every alert so far (one opened before the lookback still covers what follows it, up to scorer.newNormalAfter).
        const pool = onTopic.filter((x) => x.row >= lookFrom && x.row < from).map((x) => x.w);
        await train(pool, replayer.events);
      }
      const model = held.model;
      if (model === null) break; // no model in force: nothing to score
      const start = w;
      while (w < scored.length && (scoredEndRow[w] as number) < to) w++;
      const batch = scored.slice(start, w);
      for (let i = 0; i < batch.length; i += scoreBatch) {
        const part = batch.slice(i, i + scoreBatch);
        scoreWindows(model.model, part, { stepSamples: 1 }).forEach((s, k) => {
          const win = part[k] as SignalWindow;
          giveVerdictsUpTo(win.end);
          const j = replayer.judge({ window: win, time: timeOf(win.end), errors: s, source: model.source, channels: model.model.meta.channels });
          history.push({ seq: win.seq, start: win.start, end: win.end, error: s.error, step: s.step, stepMax: s.stepMax, fault: j.fault, extremes: j.extremes });
        });
      }
      segments.push({ fromWindow: start, toWindow: w, thresholds: model.source, trainWindows: model.trainWindows, valLoss: model.valLoss, epochs: model.epochs });
    }
  } finally {
    held.model?.model.dispose();
  }

  const replay = replayer.result();
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
      kind: tally.kind,
      models: tally.models,
      firstModelRow: tally.models === 0 ? null : (first?.atRow ?? null),
      skipped: tally.skipped,
      rejected: tally.rejected,
      trainWindows: segments[0]?.trainWindows ?? 0,
      valLoss: segments[0]?.valLoss ?? Number.NaN,
      epochs: segments[0]?.epochs ?? 0,
      trainSeconds: tally.trainSeconds,
      backend: input.backend,
    },
    windowerStats: stats,
    ...(input.verdicts === undefined ? {} : { verdicts: verdictTally }),
  };
}

interface FirstTraining {
  windows: SignalWindow[];
  /** The row after which the first model exists. */
  atRow: number;
}

/**
 * The first model's windows: those before the scored part, or, when they are fewer than
 * minWindows, as many more as it takes (the service trains its first model as soon as
 * minWindows windows exist). null: never minWindows windows.
 */
export function firstTraining(input: { before: readonly SignalWindow[]; after: readonly { w: SignalWindow; row: number }[]; minWindows: number; trainRows: number }): FirstTraining | null {
  const { before, after, minWindows, trainRows } = input;
  if (before.length >= minWindows) return { windows: [...before], atRow: trainRows };
  const more = after.slice(0, minWindows - before.length);
  const last = more[more.length - 1];
  if (before.length + more.length < minWindows || last === undefined) return null;
  return { windows: [...before, ...more.map((x) => x.w)], atRow: last.row + 1 };
}

/**
 * The trainer's selection (common/training/select.ts) over one file's windows: repeats and
 * what the alerts cover left out, the newest trainer.maxWindows kept. Windows and alerts are
 * compared in event time (`timeOf` a window key).
 */
function selectForTraining(input: { pool: readonly SignalWindow[]; alerts: readonly AnomalyAlert[]; config: Config; timeOf: (key: number) => number; verdicts: readonly AlertVerdict[] }): SignalWindow[] {
  const { pool, alerts, config, timeOf, verdicts } = input;
  // Without alerts or verdicts only the order counts, and keys keep it (the first model's windows may come from --train-data).
  const time = alerts.length === 0 && verdicts.length === 0 ? (key: number): number => key : timeOf;
  const original = new Map<SignalWindow, SignalWindow>();
  const timed = pool.map((w) => {
    const t = { ...w, start: time(w.start), end: time(w.end) };
    original.set(t, w);
    return t;
  });
  const timedAlerts = alerts.map((a) => ({ ...a, windowStart: time(a.windowStart), windowEnd: time(a.windowEnd) }));
  const selection = selectTrainingWindows(timed, {
    ...(verdicts.length === 0 ? {} : { verdicts: verdictRulings(verdicts, timedAlerts) }),
    alerts: timedAlerts,
    excludeAlerted: config.trainer.excludeAlerted,
    maxExcludeMs: (sensorId) => newNormalAfterMsOf(config, sensorId),
    // One model per file: every window of the pool is its model's.
    groups: {},
    maxWindows: config.trainer.maxWindows,
  });
  return [...selection.byKey.values()].flat().map((t) => original.get(t) as SignalWindow);
}
