// Decisions over a scored history: the scorer's own decide() (common/decision:
// score, hysteresis, faults first) replayed window by window, and the mapping
// from windows back to input rows. Pure.
//
// Row rule: a row is flagged when, after the last window that ends at or
// before the row's time, an alert of the sensor (anomaly or sensor_fault) is
// open; its score is that window's. With hop 1 (what eval uses) that is the
// window ending at the row itself. Rows before any window of the scored part
// have no score and are not flagged.
import { decide, initialSensorState, type FaultVerdict, type SensorState } from '../common/decision/decide.ts';
import type { WindowExtremes } from '../common/decision/novelty.ts';
import type { SensorPolicy } from '../common/decision/policy.ts';
import type { ThresholdSource } from '../common/model/thresholds.ts';
import type { AnomalyAlert } from '../common/types.ts';

export interface ScoredWindow {
  seq: number;
  start: number;
  end: number;
  /** Whole-window reconstruction error, and the per-step error (channel mean and max). */
  error: number;
  step: number;
  stepMax: number;
  fault: FaultVerdict | null;
  /** Lowest and highest of the window's new samples per model channel (the new-extreme rule); absent in older histories. */
  extremes?: WindowExtremes;
}

/** The models over the windows: [fromWindow, toWindow) and their calibration. */
export type ReplaySegment = { fromWindow: number; toWindow: number; thresholds: ThresholdSource };

export interface Replay {
  /** Per window: 1 while the anomaly alert is open after it. */
  open: Uint8Array;
  /** Per window: 1 while a sensor_fault alert is open after it. */
  faultOpen: Uint8Array;
  /** Per window: 1 where an anomaly alert opened (or re-opened) at it: a detection. */
  opened: Uint8Array;
  /** Per window: the score in [0, 1], the reported error (the alerts' reconstructionError) and its level that opens. */
  scores: Float64Array;
  errors: Float64Array;
  thresholds: Float64Array;
  /** The alert events, in order (what the scorer would publish). */
  events: AnomalyAlert[];
  /** Distinct alerts opened (a re-open within the hold-off is the same alert): anomaly and sensor_fault. */
  anomalyAlerts: number;
  faultAlerts: number;
}

export function replayDecisions(sensorId: string, windows: readonly ScoredWindow[], segments: readonly ReplaySegment[], policy: SensorPolicy): Replay {
  let state: SensorState = initialSensorState(sensorId);
  const n = windows.length;
  const out: Replay = {
    open: new Uint8Array(n),
    faultOpen: new Uint8Array(n),
    opened: new Uint8Array(n),
    scores: new Float64Array(n).fill(Number.NaN),
    errors: new Float64Array(n).fill(Number.NaN),
    thresholds: new Float64Array(n).fill(Number.NaN),
    events: [],
    anomalyAlerts: 0,
    faultAlerts: 0,
  };
  const ids = { anomaly: new Set<string>(), sensor_fault: new Set<string>() };
  // One model version per distinct calibration: a skipped retraining keeps the model (and its version).
  const versions = new Map<ThresholdSource, number>();
  for (const seg of segments) {
    const version = versions.get(seg.thresholds) ?? versions.size + 1;
    versions.set(seg.thresholds, version);
    const model = { key: sensorId, version, calibration: seg.thresholds };
    for (let i = Math.max(0, seg.fromWindow); i < Math.min(n, seg.toWindow); i++) {
      const w = windows[i] as ScoredWindow;
      const d = decide(state, {
        window: { sensorId, seq: w.seq, start: w.start, end: w.end },
        errors: w,
        topChannels: [],
        model,
        policy,
        fault: w.fault,
        ...(w.extremes === undefined ? {} : { extremes: w.extremes }),
      });
      state = d.state;
      out.events.push(...d.events);
      for (const e of d.events) {
        if (e.state !== 'open') continue;
        ids[e.kind].add(e.alertId);
        if (e.kind === 'anomaly') out.opened[i] = 1;
      }
      out.open[i] = state.anomaly.open === null ? 0 : 1;
      out.faultOpen[i] = state.fault.open === null ? 0 : 1;
      out.scores[i] = d.score;
      out.errors[i] = d.error;
      out.thresholds[i] = d.threshold;
    }
  }
  out.anomalyAlerts = ids.anomaly.size;
  out.faultAlerts = ids.sensor_fault.size;
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
