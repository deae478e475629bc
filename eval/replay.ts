// Decisions over scored windows: the scorer's own judge (common/decision/
// judge.ts: policy, faults, new extremes, decide) window by window, as the
// backtest scores them or replayed from a scored history (what-if), and the
// mapping from windows back to input rows. Pure.
//
// Row rule: a row is flagged when, after the last window that ends at or
// before the row's time, an alert of the sensor (anomaly or sensor_fault) is
// open; its score is that window's. With hop 1 (what eval uses) that is the
// window ending at the row itself. Rows before any window of the scored part
// have no score and are not flagged.
import type { Config } from '../common/config/types.ts';
import { initialSensorState, type SensorState } from '../common/decision/decide.ts';
import { judgeWindow, type JudgeInput, type Judgement, type RecordedWindow } from '../common/decision/judge.ts';
import type { ThresholdSource } from '../common/calibration/thresholds.ts';
import { policyFor } from '../common/decision/policy.ts';
import { applyVerdict, type VerdictOutcome, type VerdictPosition } from '../common/decision/verdict.ts';
import type { AlertVerdict, AnomalyAlert } from '../common/types.ts';

/** What eval keeps of a scored window: enough to judge it again (what-if) without its samples. */
export interface ScoredWindow extends Omit<RecordedWindow, 'sensorId'> {
  /** Whole-window reconstruction error, and the per-step error (channel mean and max). */
  error: number;
  step: number;
  stepMax: number;
}

/** The models over the windows: [fromWindow, toWindow) and their calibration. */
export type ReplaySegment = { fromWindow: number; toWindow: number; thresholds: ThresholdSource };

export interface Replay {
  /** Per window: 1 while the anomaly alert is open after it. */
  open: Uint8Array;
  /** Per window: 1 while a sensor_fault alert is open after it. */
  faultOpen: Uint8Array;
  /** Per window: 1 where an anomaly alert opened at it (one that follows another within the hold-off too): a detection. */
  opened: Uint8Array;
  /** Per window: the score in [0, 1], the reported error (the alerts' reconstructionError) and its level that opens. */
  scores: Float64Array;
  errors: Float64Array;
  thresholds: Float64Array;
  /** The alert events, in order (what the scorer would publish). */
  events: AnomalyAlert[];
  /** Distinct alerts opened (ids; a crossing within the hold-off is an alert of its own that follows the one before): anomaly and sensor_fault. */
  anomalyAlerts: number;
  faultAlerts: number;
}

type PolicyConfig = JudgeInput['config'];

/** Eval scores every window: its stream's hop (the samples each window adds) is 1. */
export function atHopOne<C extends PolicyConfig>(config: C): C {
  return config.windowing.hop === 1 ? config : { ...config, windowing: { ...config.windowing, hop: 1 } };
}

export interface Replayer {
  /** Judges the sensor's next window with the model whose calibration is `source`, and records the outcome. */
  judge(input: { window: JudgeInput['window']; time?: number; errors: JudgeInput['errors']; source: ThresholdSource; channels: readonly string[] }): Judgement;
  /** The alert events so far, in order. */
  readonly events: readonly AnomalyAlert[];
  /** An operator's verdict given now, between windows (eval --verdicts: eval/verdicts.ts). */
  verdict(record: AlertVerdict, position: VerdictPosition): VerdictOutcome;
  /** The anomaly alert open now, or null. */
  openAlert(): string | null;
  /** Per window judged so far: what eval reports. */
  result(): Replay;
}

/** One sensor's decisions at hop 1, its alert state running on across models (as in a hot reload). */
export function createReplayer(sensorId: string, config: Pick<Config, 'scorer' | 'thresholds' | 'windowing'>): Replayer {
  const hopOne = atHopOne(config);
  let state: SensorState = initialSensorState(sensorId);
  const rows = { open: [] as number[], faultOpen: [] as number[], opened: [] as number[], scores: [] as number[], errors: [] as number[], thresholds: [] as number[] };
  const events: AnomalyAlert[] = [];
  const ids = { anomaly: new Set<string>(), sensor_fault: new Set<string>() };
  // One model version per distinct calibration: a model kept (a skipped or rejected retraining) keeps its version.
  const versions = new Map<ThresholdSource, number>();
  return {
    judge({ window, time, errors, source, channels }) {
      const version = versions.get(source) ?? versions.size + 1;
      versions.set(source, version);
      const j = judgeWindow(state, { window, errors, model: { key: sensorId, version, calibration: source, channels }, config: hopOne, ...(time === undefined ? {} : { time }) });
      state = j.state;
      events.push(...j.events);
      let opened = 0;
      for (const e of j.events) {
        if (e.state !== 'open') continue;
        ids[e.kind].add(e.alertId);
        if (e.kind === 'anomaly') opened = 1;
      }
      rows.opened.push(opened);
      rows.open.push(state.anomaly.open === null ? 0 : 1);
      rows.faultOpen.push(state.fault.open === null ? 0 : 1);
      rows.scores.push(j.score);
      rows.errors.push(j.error);
      rows.thresholds.push(j.threshold);
      return j;
    },
    verdict(record, position) {
      const out = applyVerdict(state, { verdict: record, position, policy: policyFor(hopOne, sensorId) });
      state = out.state;
      events.push(...out.events);
      return out;
    },
    openAlert: () => state.anomaly.open?.alertId ?? null,
    events,
    result: () => ({
      open: Uint8Array.from(rows.open),
      faultOpen: Uint8Array.from(rows.faultOpen),
      opened: Uint8Array.from(rows.opened),
      scores: Float64Array.from(rows.scores),
      errors: Float64Array.from(rows.errors),
      thresholds: Float64Array.from(rows.thresholds),
      events: [...events],
      anomalyAlerts: ids.anomaly.size,
      faultAlerts: ids.sensor_fault.size,
    }),
  };
}

export interface ReplayInput {
  sensorId: string;
  windows: readonly ScoredWindow[];
  segments: readonly ReplaySegment[];
  /** Policy settings (scorer, thresholds); the history was scored at hop 1. */
  config: Pick<Config, 'scorer' | 'thresholds' | 'windowing'>;
  /** Event time (ms) of a window end key (row numbers with spacing 'rows'); absent: the key is the time. scorer.newNormalAfter is measured in it. */
  timeOf?: (key: number) => number;
}

/** A scored history judged again, window by window (windows outside every segment stay unjudged: NaN, not open). */
export function replayDecisions(input: ReplayInput): Replay {
  const { sensorId, windows, segments } = input;
  const n = windows.length;
  const replayer = createReplayer(sensorId, input.config);
  const judgedAt: number[] = [];
  for (const seg of segments) {
    for (let i = Math.max(0, seg.fromWindow); i < Math.min(n, seg.toWindow); i++) {
      const w = windows[i] as ScoredWindow;
      replayer.judge({ window: { ...w, sensorId }, ...(input.timeOf === undefined ? {} : { time: input.timeOf(w.end) }), errors: w, source: seg.thresholds, channels: w.extremes?.channels ?? [] });
      judgedAt.push(i);
    }
  }
  const judged = replayer.result();
  const out: Replay = {
    open: new Uint8Array(n),
    faultOpen: new Uint8Array(n),
    opened: new Uint8Array(n),
    scores: new Float64Array(n).fill(Number.NaN),
    errors: new Float64Array(n).fill(Number.NaN),
    thresholds: new Float64Array(n).fill(Number.NaN),
    events: judged.events,
    anomalyAlerts: judged.anomalyAlerts,
    faultAlerts: judged.faultAlerts,
  };
  judgedAt.forEach((i, k) => {
    for (const key of ['open', 'faultOpen', 'opened', 'scores', 'errors', 'thresholds'] as const) out[key][i] = judged[key][k] as number;
  });
  return out;
}

/**
 * For each row time, the index of the last window ending at or before it (-1: none).
 * Window ends ascend; a row out of order (earlier than its predecessor) keeps the window reached so far.
 */
export function windowForRows(rowTimes: ArrayLike<number>, windowEnds: ArrayLike<number>): Int32Array {
  const out = new Int32Array(rowTimes.length);
  let w = -1;
  for (let r = 0; r < rowTimes.length; r++) {
    const t = rowTimes[r] as number;
    while (w + 1 < windowEnds.length && (windowEnds[w + 1] as number) <= t) w++;
    out[r] = w;
  }
  return out;
}
