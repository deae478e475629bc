// Decisions over a scored history: the scorer's own decide() (hysteresis,
// faults first) replayed window by window, and the mapping from windows back
// to input rows. Pure.
//
// Row rule: a row is flagged when, after the last window that ends at or
// before the row's time, the sensor's anomaly alert is open; its score and
// threshold are that window's. With hop 1 (what eval uses) that is the window
// ending at the row itself. Rows before any window of the scored part have no
// score and are not flagged.
import type { HysteresisConfig, Severity } from '../common/config/types.ts';
import { heldOutErrors, type ThresholdSource } from '../common/model/thresholds.ts';
import { adaptiveStep, modelTag, type AdaptiveSettings } from '../scorer/adaptive.ts';
import { decide, initialSensorState, type FaultVerdict, type SensorState } from '../scorer/decide.ts';

export interface ScoredWindow {
  seq: number;
  start: number;
  end: number;
  /** Reconstruction error. */
  error: number;
  fault: FaultVerdict | null;
}

export interface DecisionPolicy {
  hysteresis: HysteresisConfig;
  severities: Severity[];
}

/** With thresholds.method `adaptive`: the scorer's adaptive threshold (scorer/adaptive.ts), re-seeded where the model changes. */
export interface AdaptiveReplay {
  settings: AdaptiveSettings;
  /** The models over the windows: [fromWindow, toWindow) and their held-out errors. */
  segments: readonly { fromWindow: number; toWindow: number; thresholds: Pick<ThresholdSource, 'calibration'> }[];
}

export interface Replay {
  /** Per window: 1 while the anomaly alert is open after it. */
  open: Uint8Array;
  /** Per window: the threshold the score was computed with (the adaptive one, with `adaptive`). */
  thresholds: Float64Array;
  /** Alerts opened: anomaly and sensor_fault. */
  anomalyAlerts: number;
  faultAlerts: number;
}

/** `threshold`: the calibrated threshold, one for all windows or one per window (models retrained along the way). */
export function replayDecisions(sensorId: string, windows: readonly ScoredWindow[], threshold: number | ArrayLike<number>, policy: DecisionPolicy, adaptive?: AdaptiveReplay): Replay {
  let state: SensorState = initialSensorState(sensorId);
  const open = new Uint8Array(windows.length);
  const thresholds = new Float64Array(windows.length);
  const segmentOf = adaptive === undefined ? null : segmentIndex(windows.length, adaptive.segments);
  const versions = new Map<unknown, number>();
  let anomalyAlerts = 0;
  let faultAlerts = 0;
  windows.forEach((w, i) => {
    let t = typeof threshold === 'number' ? threshold : (threshold[i] as number);
    let adaptiveState = state.adaptive;
    const segment = segmentOf === null ? undefined : adaptive?.segments[segmentOf[i] as number];
    if (adaptive !== undefined && segment !== undefined) {
      // One model per distinct threshold source (a skipped retraining keeps the model).
      const version = versions.get(segment.thresholds) ?? versions.size + 1;
      versions.set(segment.thresholds, version);
      const step = adaptiveStep(
        state.adaptive,
        { model: modelTag(sensorId, version), error: w.error, calibrated: t, heldOut: () => heldOutErrors(segment.thresholds, sensorId), usable: w.fault === null },
        adaptive.settings,
      );
      t = step.threshold;
      adaptiveState = step.state;
    }
    thresholds[i] = t;
    const d = decide(state, {
      window: { sensorId, seq: w.seq, start: w.start, end: w.end },
      score: w.error / t,
      error: w.error,
      threshold: t,
      topChannels: [],
      model: { key: sensorId, version: 1 },
      hysteresis: policy.hysteresis,
      severityBands: policy.severities,
      fault: w.fault,
    });
    state = adaptiveState === undefined ? d.state : { ...d.state, adaptive: adaptiveState };
    for (const e of d.events) {
      if (e.state !== 'open') continue;
      if (e.kind === 'anomaly') anomalyAlerts++;
      else faultAlerts++;
    }
    open[i] = state.anomaly.open === null ? 0 : 1;
  });
  return { open, thresholds, anomalyAlerts, faultAlerts };
}

/** Per window, the index of the segment holding it (-1: none). */
function segmentIndex(n: number, segments: AdaptiveReplay['segments']): Int32Array {
  const out = new Int32Array(n).fill(-1);
  segments.forEach((seg, j) => out.fill(j, Math.max(0, seg.fromWindow), Math.min(n, seg.toWindow)));
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
